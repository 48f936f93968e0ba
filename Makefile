# Two commands a newcomer needs: `make site` and `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site serve test validate publish bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

site: $(STAMP)
	$(BIN)/handbook validate
	$(BIN)/handbook build

# CUSTOMER=<id> previews only what that customer's bundle holds (faster with many customers).
serve: $(STAMP)
	$(BIN)/handbook serve$(if $(CUSTOMER), --customer $(CUSTOMER))

validate: $(STAMP)
	$(BIN)/handbook validate

test: $(STAMP)
	$(BIN)/python -m pytest -q

# Deploys the handbook version of project_data/handbook.yml to the gh-pages branch with mike
# (BRANCH=... for another branch, PUSH=1 to push it to origin).
publish: $(STAMP)
	$(BIN)/handbook publish$(if $(BRANCH), --branch $(BRANCH))$(if $(PUSH), --push)

bench: $(STAMP)
	$(BIN)/python tests/bench.py $(BENCH_ARGS)

clean:
	rm -rf site dist
