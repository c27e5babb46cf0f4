"""Embedding backends compared on this machine: torch (sentence-transformers, what kb/search/embed.py runs)
against onnxruntime over a local export of the same packaged weights: plain (``onnx``), graph-optimised
(optimum's O1-O3 recipes), int8 (sentence-transformers' 'avx2' recipe, and two partial recipes that
keep the most sensitive MatMuls in float), and OpenVINO when it is installed.

Run: ``python -m evals.backends [--json] [--only torch,onnx,...]``. Needs ``pip install onnx`` (the
exporter; onnxruntime comes with chromadb); optimum is not used: it does not install beside transformers 5.

Inputs are the exact texts the pipeline embeds for corpus/ (read as evals/speed.py reads them),
repeated to at least 200. For each backend: export time, load time, encode rate (chunks/s, best of
3 taken in turns so a change of load hits all alike, batch 32) and how far its vectors are from
torch's (1 - cosine, max and mean) at batch 32 and at batch 1 (int8 scales activations per batch,
so its vectors change with the batch). A backend counts only if every vector, at both batch
sizes, stays within cosine 0.99 of torch's; the fastest such one is also timed at batch 8 and 64.
Exports go to a temporary folder, read only the local weights, and never touch the model's folder.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from evals.common import CORPUS
from kb.search.embed import Embedder
from kb.service import KB

MIN_COSINE = 0.99
Encode = Callable[[list[str], int], np.ndarray]
INPUTS = ["input_ids", "attention_mask", "token_type_ids"]


def pipeline_texts(corpus: Path = CORPUS, embedder: Embedder | None = None, at_least: int = 200) -> tuple[list[str], int]:
    """The texts the pipeline embeds for corpus (context prefix + passage), repeated to at least ``at_least``; and the distinct count."""
    with tempfile.TemporaryDirectory() as tmp:
        kb = KB(home=tmp, embedder=embedder)
        kb.ingest([corpus])
        pipeline = kb.pipeline
        rows = kb.store.db.execute("SELECT c.text, c.section, c.ref, c.context, d.title FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.id")
        texts = [f"{pipeline.context(r['title'], r['section'], r['ref'], r['context'])}\n{r['text']}" for r in rows]
    distinct = len(texts)
    return (texts * (at_least // max(1, distinct) + 1))[: max(at_least, distinct)], distinct


# -- the export and the onnxruntime encoder ---------------------------------------------------------

def _pooled(model: Any) -> Any:
    """The transformer followed by sentence-transformers' mean pooling over real tokens and L2 normalisation."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), p=2.0, dim=1)

    return Pooled()


def export_onnx(model_path: str, target: Path) -> Path:
    """Export the local model (mean-pooled, normalised: the packaged MiniLM's layout) to one ONNX file.

    Reads only ``model_path`` (local_files_only); torch's TorchScript exporter needs the onnx package.
    """
    import torch
    from transformers import AutoModel, AutoTokenizer

    model = AutoModel.from_pretrained(model_path, local_files_only=True, attn_implementation="eager").eval()
    sample = AutoTokenizer.from_pretrained(model_path, local_files_only=True)(["an example", "a second, longer example"], padding=True, return_tensors="pt")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(_pooled(model), tuple(sample[n] for n in INPUTS), str(target), input_names=INPUTS, output_names=["sentence_embedding"],
                          opset_version=17, dynamo=False, dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in INPUTS}, "sentence_embedding": {0: "batch"}})
    return target


class OnnxEncoder:
    """Sentence vectors from an ONNX file, longest texts batched together as sentence-transformers does."""

    def __init__(self, onnx_file: Path, tokenizer: Any, max_length: int) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.dimension = int(self.session.get_outputs()[0].shape[-1])
        self.tokenizer, self.max_length = tokenizer, max_length

    def encode(self, texts: list[str], batch: int = 32) -> np.ndarray:
        """Unit vectors in the order of texts."""
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), batch):
            rows = order[start:start + batch]
            enc = self.tokenizer([texts[i] for i in rows], padding=True, truncation=True, max_length=self.max_length, return_tensors="np")
            out[rows] = self.session.run(None, {n: enc[n].astype(np.int64) for n in self.inputs})[0]
        return out


# -- the recipes ------------------------------------------------------------------------------------

def optimize(fp32: Path, out: Path, level: str, model_path: str) -> Path:
    """optimum's O1/O2/O3 recipes, done with onnxruntime's own transformer optimizer (what optimum calls)."""
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    config = json.loads((Path(model_path) / "config.json").read_text(encoding="utf-8"))
    options = FusionOptions("bert")
    options.enable_gelu_approximation = level == "O3"
    model = optimize_model(str(fp32), "bert", int(config["num_attention_heads"]), int(config["hidden_size"]), optimization_options=options,
                           opt_level=1 if level == "O1" else 2, only_onnxruntime=level == "O1")
    model.save_model_to_file(str(out))
    return out


def quantize(fp32: Path, out: Path, keep: Callable[[str], bool] | None = None) -> Path:
    """Dynamic int8 quantisation. Without ``keep``: sentence-transformers' 'avx2' recipe (every quantisable op,
    uint8 symmetric weights per channel). With it: int8 weights per channel for the MatMuls whose node name
    ``keep`` rejects, the others left in float."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantiser's advice to pre-process goes to the root logger
    try:
        if keep is None:
            quantize_dynamic(str(fp32), str(out), per_channel=True, reduce_range=False, weight_type=QuantType.QUInt8,
                             extra_options={"WeightSymmetric": True, "ActivationSymmetric": False})
        else:
            kept = [n.name for n in onnx.load(str(fp32)).graph.node if n.op_type == "MatMul" and keep(n.name)]
            quantize_dynamic(str(fp32), str(out), op_types_to_quantize=["MatMul"], per_channel=True, weight_type=QuantType.QInt8, nodes_to_exclude=kept)
    finally:
        root.setLevel(level)
    return out


def _ffn_out(name: str) -> bool:
    """Each layer's feed-forward output projection (the MatMul int8 hurts most)."""
    return "/output/dense/" in name and "/attention/" not in name


RECIPES: dict[str, Callable[[Path, Path, str], Path]] = {
    "onnx-O1": lambda fp32, d, m: optimize(fp32, d / "o1.onnx", "O1", m),
    "onnx-O2": lambda fp32, d, m: optimize(fp32, d / "o2.onnx", "O2", m),
    "onnx-O3": lambda fp32, d, m: optimize(fp32, d / "o3.onnx", "O3", m),
    "int8-all": lambda fp32, d, m: quantize(fp32, d / "int8-all.onnx"),
    "int8-ffn-out-fp32": lambda fp32, d, m: quantize(fp32, d / "int8-ffn.onnx", _ffn_out),
    "int8-ffn-out-last-fp32": lambda fp32, d, m: quantize(fp32, d / "int8-ffn-last.onnx", lambda n: _ffn_out(n) or "/layer.5/" in n),
}
ALL = ["torch", "onnx", *RECIPES, "openvino"]


def _openvino(onnx_file: Path, tokenizer: Any, max_length: int) -> Encode:
    """The ONNX export compiled by OpenVINO (ImportError when it is not installed)."""
    import openvino as ov

    compiled = ov.Core().compile_model(ov.convert_model(str(onnx_file)), "CPU")
    names = [i.get_any_name() for i in compiled.inputs]

    def encode(texts: list[str], batch: int) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        out = np.empty((len(texts), compiled.outputs[0].get_partial_shape()[1].get_length()), dtype=np.float32)
        for start in range(0, len(texts), batch):
            rows = order[start:start + batch]
            enc = tokenizer([texts[i] for i in rows], padding=True, truncation=True, max_length=max_length, return_tensors="np")
            out[rows] = compiled({n: enc[n].astype(np.int64) for n in names})[compiled.outputs[0]]
        return out

    return encode


# -- measuring --------------------------------------------------------------------------------------

def rates(encoders: dict[str, Encode], texts: list[str], batch: int, repeats: int = 3) -> dict[str, float]:
    """Chunks per second of each encoder, best of ``repeats`` runs, the runs taken in turns."""
    best = dict.fromkeys(encoders, float("inf"))
    for _ in range(repeats):
        for name, encode in encoders.items():
            t = time.perf_counter()
            encode(texts, batch)
            best[name] = min(best[name], time.perf_counter() - t)
    return {name: round(len(texts) / s, 1) for name, s in best.items()}


def distance(vectors: np.ndarray, reference: np.ndarray) -> tuple[float, float]:
    """Max and mean of 1 - cosine between matching rows."""
    a = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    b = reference / np.linalg.norm(reference, axis=1, keepdims=True)
    gap = 1.0 - (a * b).sum(axis=1)
    return float(gap.max()), float(gap.mean())


def measure(corpus: Path = CORPUS, only: list[str] | None = None) -> dict[str, object]:
    """Every chosen backend's figures; torch always (its vectors are the reference)."""
    import torch

    wanted = ["torch", *[b for b in (only or ALL) if b != "torch"]]
    load_before = os.getloadavg()[0]
    t = time.perf_counter()
    embedder = Embedder()
    embedder.embed(["warm up"])
    results: dict[str, dict[str, Any]] = {"torch": {"export_s": 0.0, "load_s": round(time.perf_counter() - t, 2)}}
    encoders: dict[str, Encode] = {"torch": lambda x, b: np.asarray(embedder.embed(x, batch_size=b), dtype=np.float32)}
    texts, distinct = pipeline_texts(corpus, embedder)
    tokenizer, max_length = embedder.tokenizer, embedder.max_tokens
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        fp32 = export_onnx(embedder.path, folder / "model.onnx")
        export_s = time.perf_counter() - t
        for name in wanted[1:]:
            try:
                t = time.perf_counter()
                made = fp32 if name in ("onnx", "openvino") else RECIPES[name](fp32, folder, embedder.path)
                made_s = export_s + (0.0 if made == fp32 else time.perf_counter() - t)
                t = time.perf_counter()
                encode = _openvino(made, tokenizer, max_length) if name == "openvino" else OnnxEncoder(made, tokenizer, max_length).encode
                encode(["warm up"], 1)
                results[name] = {"export_s": round(made_s, 2), "load_s": round(time.perf_counter() - t, 2)}
                encoders[name] = encode
            except ImportError as exc:
                results[name] = {"error": f"not installed: {exc}"}
            except Exception as exc:  # a recipe that fails is reported, not fatal
                results[name] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
        distinct_texts = texts[:distinct]
        reference, reference_1 = encoders["torch"](texts, 32), encoders["torch"](distinct_texts, 1)
        speed = rates(encoders, texts, 32)
        for name, encode in encoders.items():
            worst, mean = distance(encode(texts, 32), reference)
            worst_1, mean_1 = distance(encode(distinct_texts, 1), reference_1)
            base = speed["torch"]
            results[name].update({"chunks_per_s": speed[name], "speedup": round(speed[name] / base, 2),
                                  "max_1_minus_cos": float(f"{worst:.2e}"), "mean_1_minus_cos": float(f"{mean:.2e}"),
                                  "max_1_minus_cos_batch1": float(f"{worst_1:.2e}"), "within_0_99": max(worst, worst_1) <= 1 - MIN_COSINE})
        winner = max((n for n, r in results.items() if r.get("within_0_99")), key=lambda n: results[n]["chunks_per_s"])
        pair = {n: encoders[n] for n in dict.fromkeys([winner, "torch"])}
        batches = {f"{n} batch {b}": v for b in (8, 64) for n, v in rates(pair, texts, b).items()}
    return {"texts": len(texts), "distinct_texts": distinct, "mean_tokens": round(float(np.mean([embedder.count_tokens(x) for x in texts[:distinct]])), 1),
            "torch_threads": torch.get_num_threads(), "load_avg_before": round(load_before, 2), "load_avg_after": round(os.getloadavg()[0], 2),
            "backends": results, "winner": winner, "winner_batches": batches}


def main(argv: list[str] | None = None) -> int:
    """Print the table (or one JSON object)."""
    p = argparse.ArgumentParser(prog="python -m evals.backends", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--only", default="", help=f"comma-separated backends to measure (torch is always measured): {','.join(ALL)}")
    args = p.parse_args(argv)
    only = [b.strip() for b in args.only.split(",") if b.strip()] or None
    unknown = sorted(set(only or []) - set(ALL))
    if unknown:
        p.error(f"unknown backend(s) {', '.join(unknown)}: choose from {', '.join(ALL)}")
    r = measure(only=only)
    if args.json:
        print(json.dumps(r))
        return 0
    print(f"{r['texts']} texts ({r['distinct_texts']} distinct chunks of corpus/, mean {r['mean_tokens']} word-pieces); "
          f"torch threads {r['torch_threads']}; load average {r['load_avg_before']} -> {r['load_avg_after']}")
    print(f"{'backend':<24} {'export s':>8} {'load s':>7} {'chunks/s':>9} {'speed-up':>9} {'max 1-cos':>10} {'(batch 1)':>10} {'mean 1-cos':>10}  within 0.99")
    for name, b in r["backends"].items():  # type: ignore[attr-defined]
        if "error" in b:
            print(f"{name:<24} {b['error']}")
            continue
        print(f"{name:<24} {b['export_s']:>8} {b['load_s']:>7} {b['chunks_per_s']:>9} {b['speedup']:>8}x {b['max_1_minus_cos']:>10} "
              f"{b['max_1_minus_cos_batch1']:>10} {b['mean_1_minus_cos']:>10}  {'yes' if b['within_0_99'] else 'NO'}")
    print(f"fastest within cosine {MIN_COSINE}: {r['winner']}; batch 8 and 64 (chunks/s): {r['winner_batches']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
