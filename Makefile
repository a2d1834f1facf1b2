# Two commands set everything up on a fresh machine that has only Python:
#   make test   create .venv if missing, install the project and its test deps, run pytest
#   make demo   same set-up, then run the demos and write out/report.html
#   make readme-check   the README's demo figures against fresh runs (see demos/readme.py)
# and for the notebooks (notebooks/*.py, jupytext percent scripts):
#   make notebooks        install JupyterLab into .venv and open the notebooks in it
#   make notebooks-test   execute every notebook with a real kernel (minutes), check outputs
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
EXTRAS ?= dev,viz,plot,data,browser
PYTEST_ARGS ?=

.PHONY: venv test demo bench readme-check readme-check-full clean notebooks notebooks-test

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[$(EXTRAS)]"
	touch $@

venv: $(VENV)/.installed

# two pytest workers on two cores: one BLAS thread each, or they fight over the cores
test: venv
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(PY) -m pytest -n 2 -q $(PYTEST_ARGS)

demo: venv
	$(PY) -m demos report

bench: venv
	$(PY) -m bench

# the README's demo figures against fresh runs (demos/readme.py): the cheap demos in full and
# the slow ones in --quick form (CI), or everything in full (before a release)
readme-check: venv
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(PY) -m demos.readme --quick

readme-check-full: venv
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(PY) -m demos.readme
$(VENV)/.notebooks: $(VENV)/.installed
	$(PY) -m pip install -q -e ".[$(EXTRAS),notebooks]"
	touch $@

# JupyterLab opens a notebooks/NN_*.py as a notebook on a double click (jupytext's viewer),
# set in this venv's own JupyterLab settings, not in your user settings
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
$(VENV)/.lab: $(VENV)/.notebooks
	$(PY) -m pip install -q -e ".[$(EXTRAS),notebooks,lab]"
	mkdir -p $(LAB_SETTINGS)
	printf '%s\n' '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"python": "Jupytext Notebook"}}}' > $(LAB_SETTINGS)/overrides.json
	touch $@

notebooks: $(VENV)/.lab
	$(VENV)/bin/jupyter lab notebooks/

# not part of `make test`: every notebook runs for a minute or two. Prints each one's time.
notebooks-test: $(VENV)/.lab
	$(PY) notebooks/execute.py
	$(PY) -m pytest -q -p no:xdist -m notebooks tests/test_notebooks.py tests/test_notebooks_jupyterlab.py

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache .hypothesis
