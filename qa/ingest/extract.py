"""Reading files in a child process that can be stopped: a wall-time and a memory budget per file.

A parser can take minutes on one hostile page (pypdf's cost grows faster than the text: 0.8 M
characters on one page took 19 s, 1.6 M 59 s) or gigabytes on one small zip, and neither can be
interrupted from inside the process. So files are read by a child (`python -m qa.ingest.extract`)
with an address-space limit, one file at a time, and the parent waits at most `extract_timeout_s`
for each answer; past that the child is killed, the file is skipped with a Danish reason, and a
fresh child reads the next file. The child lives for a whole run: starting one costs about a
second of imports, reading a normal minute a few milliseconds.

Frames on the pipes: 4-byte big-endian length + UTF-8 JSON. The parent sends {"path", "settings"},
the child answers {"text", "error", "fmt"}.
"""
from __future__ import annotations

import dataclasses
import json
import os
import resource
import select
import struct
import subprocess
import sys
import time
from pathlib import Path

from qa.ingest.loaders import Loaded, load_file
from qa.settings import ROOT, Settings

STOPPED = "filen kunne ikke læses (læseren stoppede uventet)"
# A parser that runs out of its address space seldom says so (lxml reports 'unknown error'), so a file
# that fails after the child's memory grew past this share of its limit is reported as too big, and the
# child is replaced (its peak can only grow).
_MEMORY_SHARE = 0.5


def out_of_memory(memory_mb: int) -> str:
    return f"filen er for stor til at blive indlæst (over {memory_mb} MB hukommelse)"


def too_slow(seconds: float) -> str:
    return f"det tog for lang tid at læse filen (over {seconds:g} s)"


def _frame(obj: dict) -> bytes:
    data = json.dumps(obj).encode("utf-8")
    return struct.pack(">I", len(data)) + data


def _budget_fields(settings: Settings) -> dict:
    """The settings a loader reads, as JSON (the child has no environment of its own to trust)."""
    return {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)
            if f.name.startswith("max_")}


class Extractor:
    """`with Extractor(settings) as ex: ex.load(path)` gives a Loaded and never raises for a bad file."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Extractor":
        return self

    def __exit__(self, *_) -> None:
        self.close()

    def load(self, path: Path) -> Loaded:
        if not self.settings.extract_in_worker:
            return load_file(path, self.settings)
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        try:
            os.write(self.proc.stdin.fileno(), _frame({"path": str(path), "settings": _budget_fields(self.settings)}))
            answer = self._receive(time.monotonic() + self.settings.extract_timeout_s)
        except (OSError, EOFError, ValueError):  # the child died (killed by the kernel, a crash in a parser)
            self._kill()
            return Loaded(None, STOPPED, _fmt(path))
        if answer is None:
            self._kill()
            return Loaded(None, too_slow(self.settings.extract_timeout_s), _fmt(path))
        if answer.get("exit"):
            self.close()
        return Loaded(answer["text"], answer["error"], answer["fmt"], bool(answer.get("ocr")))

    def _start(self) -> subprocess.Popen:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        return subprocess.Popen([sys.executable, "-m", "qa.ingest.extract", str(self.settings.extract_memory_mb)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                env=env, cwd=str(ROOT))

    def _receive(self, deadline: float) -> dict | None:
        """The child's answer, or None when the deadline passes first."""
        fd = self.proc.stdout.fileno()
        buf = bytearray()
        need, header = 4, True
        while True:
            while len(buf) < need:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([fd], [], [], left)[0]:
                    return None
                chunk = os.read(fd, max(need - len(buf), 1 << 16))
                if not chunk:
                    raise EOFError
                buf += chunk
            if not header:
                return json.loads(bytes(buf[4:need]).decode("utf-8"))
            need, header = 4 + struct.unpack(">I", bytes(buf[:4]))[0], False

    def _kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            for pipe in (self.proc.stdin, self.proc.stdout):
                pipe.close()
            self.proc = None

    def close(self) -> None:
        if self.proc is None:
            return
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=5)
            self.proc.stdout.close()
        except (OSError, subprocess.TimeoutExpired):
            self._kill()
        self.proc = None


def _fmt(path: Path) -> str:
    return Path(path).suffix.lower().lstrip(".")


def _read_frame(stream) -> dict | None:
    head = stream.read(4)
    if len(head) < 4:
        return None
    return json.loads(stream.read(struct.unpack(">I", head)[0]).decode("utf-8"))


def _resident_bytes() -> int:
    """This process's resident memory now. Not ru_maxrss: Linux carries the parent's peak over fork and
    exec, so a child started by a process that holds the model would look grown from its first file."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def serve(memory_mb: int) -> None:
    """The child: limit its address space, then read one file per request until stdin closes."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a library that prints must not corrupt the frames
    while (request := _read_frame(stdin)) is not None:
        loaded = load_file(Path(request["path"]), Settings().replace(**request["settings"]))
        grown = _resident_bytes() > _MEMORY_SHARE * limit
        error = out_of_memory(memory_mb) if grown and loaded.text is None else loaded.error
        stdout.write(_frame({"text": loaded.text, "error": error, "fmt": loaded.fmt, "ocr": loaded.ocr,
                             "exit": grown}))
        stdout.flush()
        if grown:
            return


if __name__ == "__main__":
    serve(int(sys.argv[1]))
