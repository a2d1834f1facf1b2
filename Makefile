# Two commands set everything up on a fresh machine that has only Python:
#   make test   create .venv if missing, install the project and its test deps, run pytest
#   make demo   same set-up, then run the demos and write out/report.html
#   make readme-check   the README's demo figures against fresh runs (see demos/readme.py)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
EXTRAS ?= dev,viz,plot,data,browser
PYTEST_ARGS ?=

.PHONY: venv test demo bench readme-check readme-check-full clean

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

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache .hypothesis
