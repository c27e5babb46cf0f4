"""The embedding model's encoder on onnxruntime: a query vector without loading torch.

Loading torch and sentence-transformers takes ~10 s on a cold start; onnxruntime and the
tokenizer take ~0.4 s. The model is exported once, at install (``make install`` runs
``python -m kb.search.onnx_model``), to a file beside the virtual environment's other data; its
vectors match torch's within 1e-6 cosine (tested). Without the file (``onnx`` not installed,
or a configured model never exported) everything works through torch, only slower to start.

Mean pooling over the attention mask and unit length, as the packaged model's modules do
(Transformer, Pooling with mean tokens, Normalize).
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

from kb.errors import ModelLoadError

log = logging.getLogger(__name__)

MAX_TOKENS = 256  # the packaged model's max_seq_length (sentence_bert_config.json)
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def exported_path(model_path: str) -> Path:
    """Where the export of a model folder lives: one file per folder and weights, in the environment."""
    weights = Path(model_path) / "model.safetensors"
    size = weights.stat().st_size if weights.is_file() else 0
    key = hashlib.sha1(f"{Path(model_path).resolve()}:{size}".encode()).hexdigest()[:12]
    return Path(sys.prefix) / "share" / "kb" / f"encoder-{key}.onnx"


def export(model_path: str, target: Path | None = None) -> Path:
    """Export a sentence-transformers folder's transformer to ONNX (needs torch and onnx); returns the file.

    Written to a temporary name and renamed, so a half-written file is never read."""
    import torch
    from sentence_transformers import SentenceTransformer

    target = target or exported_path(model_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    inner: Any = SentenceTransformer(model_path, device="cpu", local_files_only=True)[0].auto_model
    inner.eval()

    class Encoder(torch.nn.Module):
        def __init__(self, model: Any) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    dummy = tuple(torch.ones((1, 8), dtype=torch.long) if n != "token_type_ids" else torch.zeros((1, 8), dtype=torch.long) for n in INPUTS)
    partial = target.with_suffix(".part")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shapes it treats as constants: the tests check the vectors
        torch.onnx.export(Encoder(inner), dummy, str(partial), input_names=list(INPUTS), output_names=["last_hidden_state"],
                          dynamic_axes={n: {0: "batch", 1: "tokens"} for n in (*INPUTS, "last_hidden_state")}, opset_version=17, dynamo=False)
    partial.replace(target)
    return target


class OnnxEncoder:
    """Unit-length vectors from an exported encoder and the model folder's tokenizer."""

    def __init__(self, onnx_file: Path, model_path: str) -> None:
        self.file = onnx_file
        self.model_path = model_path
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def load(self) -> None:
        """Open the session and the tokenizer (once; thread-safe)."""
        if self._session is None:
            with self._lock:
                if self._session is None:
                    self._load()

    def _load(self) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        try:
            options = onnxruntime.SessionOptions()
            options.log_severity_level = 3
            session = onnxruntime.InferenceSession(str(self.file), options, providers=["CPUExecutionProvider"])
            tokenizer = Tokenizer.from_file(str(Path(self.model_path) / "tokenizer.json"))
        except Exception as exc:
            raise ModelLoadError(f"could not load the exported encoder {self.file}: {exc}") from exc
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding()
        self._tokenizer, self._session = tokenizer, session

    def encode(self, texts: list[str]) -> Any:
        """A float32 matrix, a unit-length row per text."""
        import numpy as np

        self.load()
        encoded = self._tokenizer.encode_batch(texts)
        feed = {n: np.asarray([getattr(e, {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}[n]) for e in encoded],
                              dtype=np.int64) for n in INPUTS}
        hidden = self._session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        return (pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)).astype(np.float32)


def main() -> int:
    """Export the packaged model (or KB_MODEL_PATH's) once; a no-op when the export exists."""
    from kb.config import load_config
    from kb.search.embed import packaged_model_path

    path = load_config().model_path or packaged_model_path()
    target = exported_path(path)
    if target.is_file():
        print(f"the query encoder is already exported: {target}")
        return 0
    try:
        export(path, target)
    except ImportError as exc:
        print(f"not exported ({exc}); queries will load torch, slower to start", file=sys.stderr)
        return 0
    print(f"exported the query encoder to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
