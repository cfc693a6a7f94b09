"""multilingual-e5-small on ONNX Runtime: fp32 (the torch vectors) or per-channel int8 (twice as fast).

The graph returns the token embeddings (BERT's last hidden state), so one forward pass of a passage
gives both its vector (mean over all tokens, exactly sentence-transformers' mean pooling) and, by
"late chunking", a vector for each sentence: the mean of the passage's contextual token embeddings
over that sentence's token span, found from the fast tokenizer's character offsets.

Exporting and quantising need torch/onnx and happen once (`python -m qa prepare`), into the cache,
atomically. Encoding needs only `tokenizers`, `onnxruntime` and numpy: a question is answered without
importing torch, transformers or sentence-transformers (docs/BENCHMARKS.md, cold start).

int8 is dynamic quantisation of the weight matrix products and the word-embedding table, per channel;
layer norms, softmax and the attention products stay fp32. Cosine to torch fp32 on the 205 real
passages of seeds + archive-dev: 0.9968 (min 0.9934), sentences 0.9962, questions 0.9968, against 0.986
for ORT's default per-tensor int8; keeping the embedding table fp32 gains nothing (0.9969) and makes
the file 407 MB instead of 118 MB, which triples the session load (docs/BENCHMARKS.md).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from qa.atomic import writing

MAX_TOKENS = 512
PAD_ID = 1  # XLM-R's <pad>


def export_tokens(model_dir: Path, target: Path) -> Path:
    """The fp32 graph input_ids, attention_mask -> token embeddings (batch, seq, dim), made once."""
    if target.exists():
        return target
    import torch
    from transformers import AutoModel

    target.parent.mkdir(parents=True, exist_ok=True)
    bert = AutoModel.from_pretrained(str(model_dir)).eval()

    class Tokens(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    ids = torch.tensor([[0, 1000, 2000, 3000, 2], [0, 1000, 2000, 2, PAD_ID]])
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0]])
    with writing(target) as tmp, torch.no_grad():
        torch.onnx.export(
            Tokens(bert), (ids, mask), str(tmp), input_names=["input_ids", "attention_mask"],
            output_names=["tokens"],
            dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                          "tokens": {0: "batch", 1: "seq"}},
            opset_version=17, dynamo=False,
        )
    return target


def quantize_int8(fp32: Path, target: Path) -> Path:
    """Per-channel dynamic int8 of the MatMul weights and the embedding table, made once from fp32.

    Weights use 7 bits (reduce_range): on a CPU without VNNI (AVX2 only) onnxruntime's u8s8 kernels can
    saturate with 8-bit weights; on an AMD EPYC with AVX2 the lowest cosine to the torch vectors of the
    test sentences rose from 0.989 to 0.995 (tests/embed/test_model.py)."""
    if target.exists():
        return target
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.getLogger().setLevel(logging.ERROR)  # the quantiser's advice on pre-processing is noise here
    with writing(target) as tmp:
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
                         op_types_to_quantize=["MatMul", "Gather"])
    return target


class TokenEncoder:
    """Token embeddings from an exported graph, with the model's own fast tokenizer (no transformers)."""

    def __init__(self, model_dir: Path, onnx_path: Path, threads: int = 0):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # The memory arena stays on: without it every run maps and unmaps its buffers afresh, which cost
        # 40 against 28 CPU ms per passage (a third of it system time; docs/BENCHMARKS.md)
        opts.enable_cpu_mem_arena = True
        if threads:
            opts.intra_op_num_threads = threads
        self.session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        self.dim = int(self.session.get_outputs()[0].shape[2])

    def tokens(self, texts: list[str]) -> list[tuple[np.ndarray, list[tuple[int, int]], list[int]]]:
        """Per text: (token embeddings (n, dim), character offsets, special-token mask); one padded batch."""
        encs = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encs)
        ids = np.full((len(encs), width), PAD_ID, dtype=np.int64)
        mask = np.zeros((len(encs), width), dtype=np.int64)
        for i, e in enumerate(encs):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        out = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return [(out[i, : len(e.ids)], e.offsets, e.special_tokens_mask) for i, e in enumerate(encs)]


def span_means(tokens: np.ndarray, offsets: list[tuple[int, int]], special: list[int],
               spans: list[tuple[int, int]]) -> np.ndarray:
    """Per character span: the mean of the (non-special) tokens overlapping it, unnormalised; a row of
    zeros where no token covers the span (cut off by truncation)."""
    starts = np.fromiter((a for a, _ in offsets), dtype=np.int64, count=len(offsets))
    ends = np.fromiter((b for _, b in offsets), dtype=np.int64, count=len(offsets))
    real = (np.asarray(special) == 0) & (ends > starts)
    out = np.zeros((len(spans), tokens.shape[1]), dtype=np.float32)
    for j, (a, b) in enumerate(spans):
        sel = real & (starts < b) & (ends > a)
        if sel.any():
            out[j] = tokens[sel].mean(0)
    return out
