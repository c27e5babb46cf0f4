"""One typed Config, declared once: each field has a default, one line of help and an env var.

Precedence: CLI flag (or an explicit override) > environment variable ``KB_<NAME>`` > default.
The README documents every field (a test checks it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from kb.errors import ConfigError

# Word-pieces MiniLM sees; longer input is silently truncated, so chunk + context must fit.
MODEL_MAX_TOKENS = 256
CONTEXT_TOKENS = 48  # the prefix embedded with each chunk: title, section, and what it answers


def _f(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Config:
    """Every setting of the knowledge base."""

    home: Path = _f(Path("data"), "Data home: kb.sqlite (the source of truth) and chroma/ (vectors) live here.")
    corpus: Path = _f(Path("corpus"), "Folder that `make run` ingests when the data home is empty.")
    model_path: str = _f("", "Local sentence-transformers folder; empty means the packaged all-MiniLM-L6-v2.")
    chunk_tokens: int = _f(200, "Largest chunk in model word-pieces (the model reads 256, less room for the title prefix).")
    embed_batch: int = _f(16, "Chunks embedded per model call during ingest (16 ran 10% faster than 32 on 2 cores here).")
    embed_group: int = _f(512, "Chunks of several files embedded and written together during ingest (larger groups pad less).")
    max_file_mb: int = _f(200, "Files larger than this (MB) are refused before they are read.")
    max_text_mb: int = _f(60, "Files whose text is larger than this (MB) are refused once read: 50 MB of text is ~74,000 passages, about an hour to embed here.")
    candidates: int = _f(50, "Candidates each signal (lexical, dense) passes to fusion in hybrid search.")
    rrf_k: int = _f(5, "Reciprocal rank fusion constant: higher flattens the weight of top ranks (5 and dense_weight 0.5 were chosen on the "
                    "development corpus's tuning fold, and won on its held-back fold; see README).")
    dense_weight: float = _f(0.5, "Weight of the dense ranking against the lexical one (1.0) in hybrid fusion.")
    chroma_host: str = _f("", "Chroma server host for a team deployment; empty uses the embedded store in the data home.")
    chroma_port: int = _f(8000, "Chroma server port (with chroma_host).")
    chroma_collection: str = _f("kb_chunks", "Chroma collection of this knowledge base: one per knowledge base sharing a server.")
    llm_url: str = _f("", "OpenAI-compatible LLM server for written answers (e.g. http://127.0.0.1:11434/v1); empty: quoted answers only.")
    llm_model: str = _f("local", "The model name to ask the LLM server for.")
    llm_timeout: int = _f(120, "Seconds to wait for the LLM server.")
    host: str = _f("127.0.0.1", "Address the app listens on.")
    port: int = _f(7860, "Port the app listens on.")

    @property
    def db_path(self) -> Path:
        """The SQLite database file."""
        return self.home / "kb.sqlite"

    @property
    def chroma_path(self) -> Path:
        """The embedded Chroma folder."""
        return self.home / "chroma"

    def validate(self) -> Config:
        """Raise ConfigError for a value that cannot work; return self."""
        limit = MODEL_MAX_TOKENS - CONTEXT_TOKENS - 2
        if not 32 <= self.chunk_tokens <= limit:
            raise ConfigError(f"chunk_tokens must be between 32 and {limit} (the model reads {MODEL_MAX_TOKENS} word-pieces); got {self.chunk_tokens}")
        for name in ("embed_batch", "embed_group", "max_file_mb", "max_text_mb", "candidates", "rrf_k", "llm_timeout"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1; got {getattr(self, name)}")
        if not 0.0 <= self.dense_weight <= 10.0:
            raise ConfigError(f"dense_weight must be between 0 and 10; got {self.dense_weight}")
        for name in ("port", "chroma_port"):
            if not 1 <= getattr(self, name) <= 65535:
                raise ConfigError(f"{name} must be a port number (1-65535); got {getattr(self, name)}")
        return self


def env_name(name: str) -> str:
    """The environment variable for a field."""
    return f"KB_{name.upper()}"


def _convert(name: str, kind: Any, value: Any) -> Any:
    if kind in (int, "int"):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{env_name(name)} must be a whole number; got {value!r}") from None
    if kind in (float, "float"):
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{env_name(name)} must be a number; got {value!r}") from None
    if kind in (Path, "Path"):
        return Path(value).expanduser()
    return str(value)


def load_config(**overrides: Any) -> Config:
    """Build the Config from defaults, then environment variables, then non-None overrides."""
    unknown = set(overrides) - {f.name for f in fields(Config)}
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for f in fields(Config):
        raw = os.environ.get(env_name(f.name))
        if raw not in (None, ""):
            values[f.name] = _convert(f.name, f.type, raw)
        if overrides.get(f.name) is not None:
            values[f.name] = _convert(f.name, f.type, overrides[f.name])
    return replace(Config(), **values).validate()


def describe() -> list[tuple[str, str, str, str]]:
    """(name, env var, default, help) for every field: for docs and ``kb config``."""
    return [(f.name, env_name(f.name), str(f.default), f.metadata["help"]) for f in fields(Config)]
