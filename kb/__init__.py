"""All state: config, store, embedder, pipeline, search, the facade (``kb.service``) and the CLI."""

from kb import env as _env  # noqa: F401  (offline switches before any model import)

__version__ = "0.1.0"
