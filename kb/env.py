"""Offline switches, set in one place before any model or UI library is imported.

Imported first by ``kb/__init__.py``; nothing in this project may reach a model hub,
a telemetry endpoint or an analytics server.
"""

from __future__ import annotations

import os

OFFLINE = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_DATASETS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
    "DO_NOT_TRACK": "1",
}


def set_offline() -> None:
    """Force every offline switch (a user's environment cannot turn them back on)."""
    os.environ.update(OFFLINE)


set_offline()
