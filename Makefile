# Two commands set everything up on a fresh machine that has only Python:
#   make test   create .venv if missing, install the project and its test deps, run pytest
#   make demo   same set-up, then run the demos and write out/report.html
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
EXTRAS ?= dev,viz,plot,data,browser
PYTEST_ARGS ?=

.PHONY: venv test demo bench clean

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

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache .hypothesis
