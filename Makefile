# The two commands a new user needs (see README): `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
# implicit/numpy: one BLAS thread per process (implicit warns and slows down otherwise)
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: install demo test dev ui browser bench lock clean

install: $(STAMP)

# torch is pinned to its CPU build (torch==2.13.0+cpu), which the public index does not serve.
# Where a local folder holds that wheel (this project's machines: pip's find-links /opt/wheels)
# pip takes it from there; elsewhere PyTorch's CPU index serves it. Either way the `+cpu` pin
# in requirements.lock means a CUDA build can never be chosen.
WHEELS ?= /opt/wheels
TORCH_INDEX := $(if $(wildcard $(WHEELS)/torch-*+cpu-*.whl),--find-links $(WHEELS),--extra-index-url https://download.pytorch.org/whl/cpu)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(TORCH_INDEX) -c requirements.lock -e ".[dev]"
	touch $(STAMP)

# Headless Chromium for the browser test (Debian packages); installed when missing and root.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium chromium-driver; \
	    else echo "browser test needs: sudo apt-get install -y chromium chromium-driver"; fi; }

$(DAGSTER_HOME)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $@

# Run the main job on the embedded default: synthetic `small` data unless data/raw has files.
demo: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m hm_assets.demo

test: $(STAMP) browser
	$(BIN)/python -m pytest -q hm_assets_tests

# The Dagster UI on http://127.0.0.1:3000 with the daemon (queued runs, backfills, the
# schedule and the sensors); runs of `make demo` show up there.
PORT ?= 3000
dev: $(STAMP) $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p $(PORT)

lock: $(STAMP)
	{ head -2 requirements.lock; $(BIN)/python -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf data/warehouse data/submissions data/dagster_home
