"""multilingual-e5-small on ONNX Runtime (fp32): the same weights as the torch model, twice as fast here.

Exported once from the converted sentence-transformers folder (BERT + mean pooling as one graph)
into the cache, via a temporary file and an atomic rename. Normalisation and the "query: " /
"passage: " prompts are applied exactly as on the torch path, so the vectors agree to cosine 1.0000
(measured in docs/BENCHMARKS.md; tested in tests/test_model.py).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from qa.atomic import writing

MAX_TOKENS = 512


def export_onnx(model_dir: Path, target: Path) -> Path:
    """The fp32 ONNX graph of a BERT-style folder with mean pooling, made once."""
    if target.exists():
        return target
    import torch
    from transformers import AutoModel, AutoTokenizer

    target.parent.mkdir(parents=True, exist_ok=True)
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    bert = AutoModel.from_pretrained(str(model_dir)).eval()

    class MeanPooled(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    sample = tok(["passage: Punkt 1. Godkendelse af dagsorden", "passage: Medarbejdersiden ønsker svar"],
                 padding=True, return_tensors="pt")
    with writing(target) as tmp, torch.no_grad():
        torch.onnx.export(
            MeanPooled(bert), (sample["input_ids"], sample["attention_mask"]), str(tmp),
            input_names=["input_ids", "attention_mask"], output_names=["embedding"],
            dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                          "embedding": {0: "batch"}},
            opset_version=17, dynamo=False,
        )
    return target


def onnx_encoder(model_dir: Path, onnx_path: Path, threads: int = 0):
    """(encode, dim): encode(texts, is_query) -> unnormalised mean-pooled vectors on ONNX Runtime's CPU
    provider, and the vectors' dimension as the graph declares it."""
    import onnxruntime as ort
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.enable_cpu_mem_arena = False  # keeps memory flat between batches of different length
    if threads:
        opts.intra_op_num_threads = threads
    session = ort.InferenceSession(str(export_onnx(model_dir, onnx_path)), opts, providers=["CPUExecutionProvider"])

    def encode(texts: list[str], is_query: bool) -> np.ndarray:
        prefix = "query: " if is_query else "passage: "
        enc = tok([prefix + t for t in texts], padding=True, truncation=True, max_length=MAX_TOKENS,
                  return_tensors="np")
        feed = {"input_ids": enc["input_ids"].astype(np.int64), "attention_mask": enc["attention_mask"].astype(np.int64)}
        return session.run(None, feed)[0]

    return encode, int(session.get_outputs()[0].shape[1])
