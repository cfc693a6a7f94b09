"""The corpus folder as a boundary: which files a build may read, and the names uploads are kept under.

A build reads only regular files inside the corpus folder: a symbolic link is followed only when
its target lies inside the folder too (a link to /etc/passwd would otherwise be indexed and
searchable), directory links are not descended (no loops, no way out), and FIFOs, sockets and
devices are never opened (a FIFO blocks the reader forever). Hidden files and folders (dot names:
.git, .DS_Store, editor back-ups) are not minutes and are passed over; that is why an upload is
never kept under a hidden name.
"""
from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path

from qa.ingest.metadata import SIDECAR_SUFFIX

OUTSIDE = "symbolsk link, der peger uden for mappen med referater (følges ikke)"
SPECIAL = "ikke en almindelig fil (fx en FIFO, en socket eller en enhed)"
BROKEN = "symbolsk link, der ikke peger på nogen fil"


def walk(corpus: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(files to read, [(path, Danish reason)] for entries refused), both sorted. A metadata sidecar
    (`X.pdf.meta.json`) is read with its document, not as one."""
    root = Path(corpus).resolve()
    files: list[Path] = []
    refused: list[tuple[Path, str]] = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                continue
            path = Path(folder) / name
            reason = refusal(path, root)
            if reason:
                refused.append((path, reason))
            else:
                files.append(path)
    return sorted(files), sorted(refused)


def refusal(path: Path, root: Path) -> str | None:
    """Why `path` (inside `root`) may not be read, or None when it is a regular file inside `root`."""
    try:
        st = path.lstat()
    except OSError:
        return BROKEN
    if stat.S_ISLNK(st.st_mode):
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):  # dangling link or a loop
            return BROKEN
        if not target.is_relative_to(root):
            return OUTSIDE
        try:
            st = target.stat()
        except OSError:
            return BROKEN
    return None if stat.S_ISREG(st.st_mode) else SPECIAL


# Characters that are unsafe or confusing in a file name on some system: path separators, Windows'
# reserved ones, controls (C0, DEL, C1), and format/bidi controls that make a name read differently.
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\<>:"|?*\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.I)
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}$")


def safe_upload_name(name: str, max_bytes: int = 120) -> str:
    """A visible, non-hidden name of at most `max_bytes` UTF-8 bytes for a file a user uploaded.

    Only the last path component counts (browsers may send 'C:\\Users\\x\\a.pdf' or '../a.pdf'); unsafe
    characters become '_'; leading dots, dashes and spaces go (a leading dot hides the file from the
    next build, a dash reads as an option); the suffix is kept so the right loader is chosen.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = " ".join(_UNSAFE.sub("_", name).split())
    m = _SUFFIX.search(name)
    suffix = m.group() if m else ""
    stem = (name[: m.start()] if m else name).lstrip(". -_").rstrip(". ") or "fil"
    if _WINDOWS_RESERVED.match(stem):
        stem = "fil-" + stem
    room = max(1, max_bytes - len(suffix.encode("utf-8")))
    stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(". ") or "fil"
    return stem + suffix
