"""Crash-safe files: write beside the target under a temporary name, flush, rename into place.

Shared by every room that writes a file others read (the FAISS file, uploads, model exports), so a
reader sees the old file or the new one, never half of one. Imports nothing of qa.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def temp_path(target: Path) -> Path:
    """A sibling name for writing `target`, carrying this process's id (see `remove_stale`)."""
    return target.with_name(f"{target.name}.tmp{os.getpid()}")


def commit(tmp: Path, target: Path) -> None:
    """Flush `tmp` to disk and rename it over `target` in one step."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)


@contextmanager
def writing(target: Path) -> Iterator[Path]:
    """`with writing(path) as tmp:` write to tmp; on success it replaces path, on failure it is removed."""
    tmp = temp_path(target)
    try:
        yield tmp
        commit(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(target: Path, data: bytes) -> None:
    with writing(target) as tmp:
        tmp.write_bytes(data)


def pid_alive(pid: int | str) -> bool:
    """Whether a process with this id runs (a temporary file of a live writer must be left alone)."""
    try:
        os.kill(int(pid), 0)
        return True
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True


def remove_stale(folder: Path, pattern: str) -> None:
    """Delete temporary files matching `pattern` whose writing process no longer runs."""
    for tmp in folder.glob(pattern):
        if not pid_alive(tmp.name.rsplit("tmp", 1)[-1]):
            tmp.unlink(missing_ok=True)
