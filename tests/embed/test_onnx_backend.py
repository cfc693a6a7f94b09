"""Late chunking's pooling: a sentence vector is the mean of the passage's tokens over its characters."""
from __future__ import annotations

import numpy as np

from qa.embed.onnx_backend import span_means


def test_each_span_is_the_mean_of_the_tokens_overlapping_it():
    tokens = np.arange(12, dtype=np.float32).reshape(6, 2)  # <s>, 4 word pieces, </s>
    offsets = [(0, 0), (0, 4), (4, 9), (10, 15), (15, 20), (0, 0)]
    special = [1, 0, 0, 0, 0, 1]
    out = span_means(tokens, offsets, special, [(0, 9), (10, 20), (5, 12)])
    assert np.allclose(out[0], tokens[1:3].mean(0))
    assert np.allclose(out[1], tokens[3:5].mean(0))
    assert np.allclose(out[2], tokens[2:4].mean(0))  # a span that cuts through a piece takes the piece


def test_a_span_cut_off_by_truncation_is_a_row_of_zeros():
    tokens = np.ones((3, 2), dtype=np.float32)
    out = span_means(tokens, [(0, 0), (0, 5), (0, 0)], [1, 0, 1], [(0, 5), (40, 60)])
    assert out[0].any() and not out[1].any()
