"""What a zip container (.docx) unpacks to, counted over every part, whatever the parts are called.

python-docx reads every part whole into memory, and lxml turns XML into a tree of about 23 bytes of
memory per byte of markup (40 MB of `<w:p/>` took 942 MB and 27 s). A check of parts named `*.xml`
is escaped by calling the main part `word/document.bin`, and the sizes a zip declares can lie, so
every part is streamed: its declared and its actual size count toward the budget, and a part whose
bytes begin with `<` counts as markup, whatever its name. Streaming costs about 0.1 s per 40 MB.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from .base import Budget, LoadError, count, size_mb

_BLOCK = 1 << 20
_SNIFF = 64  # bytes looked at to tell markup from images and other binary parts


def _is_markup(head: bytes) -> bool:
    return head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"<")


def check_zip(path: Path, budget: Budget) -> tuple[int, int]:
    """(bytes unpacked, of which markup) of the zip at `path`; LoadError as soon as a budget is passed.

    A damaged zip raises zipfile.BadZipFile, also for a part that holds more than it declares (zipfile
    stops at the declared size and the checksum fails).
    """
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        if len(infos) > budget.zip_entries:
            raise LoadError(f"filen har for mange dele ({count(len(infos))}; grænsen er {count(budget.zip_entries)})")
        declared = sum(i.file_size for i in infos)
        if declared > budget.unpacked_bytes:
            raise LoadError(f"filen er for stor udpakket ({size_mb(declared)}; grænsen er {size_mb(budget.unpacked_bytes)})")
        unpacked = markup = 0
        for info in infos:
            if info.is_dir():
                continue
            head, markup_part = b"", None
            with z.open(info) as part:
                while block := part.read(_BLOCK):
                    unpacked += len(block)
                    if markup_part is None:
                        head += block[: _SNIFF - len(head)]
                        if len(head) >= _SNIFF or head.strip():
                            markup_part = _is_markup(head)
                    if markup_part:
                        markup += len(block)
                    if unpacked > budget.unpacked_bytes:
                        raise LoadError(f"filen er for stor udpakket (over {size_mb(budget.unpacked_bytes)})")
                    if markup > budget.markup_bytes:
                        raise LoadError(f"filen indeholder for meget XML udpakket (over {size_mb(budget.markup_bytes)})")
    return unpacked, markup
