"""Turn one source file into text, or into a one-line Danish reason why it cannot be used.

Every format has a small module with `load(path) -> str` that raises `LoadError` for a file
it cannot use; `load_file` picks the module by suffix from `_REGISTRY` and converts every
failure into `Loaded(text=None, error=...)`, so that one bad file among thousands never stops
an indexing run and the user can be told which files were skipped and why.

Budgets (`base.Budget`, values in qa/settings.py): the raw size of a file, what a .docx unpacks
to over all its parts, and the characters extracted; a file over one is refused with a reason.
The time and memory a file may take are bounded by reading it in a child process
(qa/ingest/extract.py).
"""
from __future__ import annotations

import logging
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, NamedTuple

from qa.settings import Settings

from . import base, docx, html, pdf, text
from .base import LoadError

__all__ = ["Loaded", "LoadError", "SUPPORTED_SUFFIXES", "load_file"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Loaded:
    """The outcome of loading one file: text, or None plus the reason in Danish."""

    text: str | None  # extracted text, None if the file cannot be used
    error: str | None = None  # one-line human reason in Danish when text is None
    fmt: str = ""  # "pdf", "docx", "html", "md", "txt"


class _Format(NamedTuple):
    fmt: str
    load: Callable[[Path, base.Budget], str]
    textual: bool  # read whole into memory -> the stricter size limit applies


_REGISTRY: dict[str, _Format] = {
    ".pdf": _Format("pdf", pdf.load, False),
    ".docx": _Format("docx", docx.load, False),
    ".html": _Format("html", html.load, True),
    ".htm": _Format("html", html.load, True),
    ".md": _Format("md", text.load, True),
    ".markdown": _Format("md", text.load, True),
    ".txt": _Format("txt", text.load, True),
}
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(_REGISTRY)

# Formats people will try; a hint saves them a look in the docs.
_HINTS = {
    ".doc": "gem som .docx eller PDF",
    ".rtf": "gem som .docx eller PDF",
    ".odt": "gem som .docx eller PDF",
    ".pages": "eksportér som .docx eller PDF",
}


def load_file(path: Path, settings: Settings | None = None) -> Loaded:
    """Load `path` by its suffix (case-insensitive) within the budgets of `settings`. Never raises for a bad
    or missing file."""
    path = Path(path)
    budget = base.Budget.of(settings or Settings())
    suffix = path.suffix.lower()
    entry = _REGISTRY.get(suffix)
    if entry is None:
        reason = f"ukendt filtype {suffix}" if suffix else "ukendt filtype (ingen filendelse)"
        if suffix in _HINTS:
            reason += f" ({_HINTS[suffix]})"
        return Loaded(None, reason)
    fmt = entry.fmt
    try:
        st = path.stat()
    except FileNotFoundError:
        return Loaded(None, "filen findes ikke", fmt)
    except OSError as e:
        return Loaded(None, f"filen kunne ikke læses ({e.strerror or type(e).__name__})", fmt)
    if not stat.S_ISREG(st.st_mode):
        return Loaded(None, "ikke en almindelig fil", fmt)
    if st.st_size == 0:
        return Loaded(None, "filen er tom", fmt)
    limit = budget.text_file_bytes if entry.textual else budget.container_file_bytes
    if st.st_size > limit:
        return Loaded(None, str(base.too_big(st.st_size, limit)), fmt)
    try:
        result = entry.load(path, budget)
    except LoadError as e:
        return Loaded(None, str(e), fmt)
    except MemoryError:
        return Loaded(None, "filen er for stor til at blive indlæst", fmt)
    except OSError as e:
        return Loaded(None, f"filen kunne ikke læses ({e.strerror or type(e).__name__})", fmt)
    except Exception as e:  # noqa: BLE001 - a parser bug on one odd file must not stop a run
        log.warning("uventet fejl ved indlæsning af %s", path, exc_info=True)
        return Loaded(None, f"filen kunne ikke læses ({type(e).__name__})", fmt)
    if not result.strip():
        return Loaded(None, "filen er tom", fmt)
    if len(result) > budget.text_chars:
        return Loaded(None, str(base.too_long(budget.text_chars)), fmt)
    return Loaded(result, None, fmt)
