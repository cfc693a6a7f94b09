"""Every error a user can meet, each with its one Danish message (str(error) is what to show).

The CLI prints the message and exits 2; the app shows it as it is. Messages say what happened and
what to do, and are written only here.
"""
from __future__ import annotations

from pathlib import Path

REBUILD = "python -m qa build --rebuild"


class QAError(Exception):
    """Base of the errors with a message meant for the user."""


class IndexMissing(QAError, FileNotFoundError):
    """No index has been built in this directory yet."""

    @classmethod
    def at(cls, directory: Path) -> "IndexMissing":
        return cls(f"Der er intet indeks i {directory}. Byg det med: python -m qa build --index {directory}")


class IndexMismatch(QAError):
    """The index was built with another model or format: searching it would give garbage."""

    @classmethod
    def model(cls, directory: Path, have: str, have_dim: str | int | None, want: str, dim: int | None = None
              ) -> "IndexMismatch":
        built = f"{have!r}" + (f" ({have_dim} dimensioner)" if have_dim else "")
        chosen = f"{want!r}" + (f" ({dim} dimensioner)" if dim else "")
        return cls(f"Indekset i {directory} er bygget med modellen {built}, men den valgte model er {chosen}. "
                   f"Vælg samme model (QA_MODEL) eller byg forfra: {REBUILD}")

    @classmethod
    def format(cls, directory: Path, have: int, reads: int) -> "IndexMismatch":
        return cls(f"Indekset i {directory} har format {have}, men programmet læser format {reads}. "
                   f"Byg det forfra: {REBUILD}")


class IndexBusy(QAError):
    """Another process is writing to the index."""

    @classmethod
    def at(cls, directory: Path) -> "IndexBusy":
        return cls(f"Et andet program opdaterer allerede indekset i {directory}. Prøv igen om lidt.")


class IndexCorrupt(QAError):
    """The store file is damaged (cut off, overwritten, empty): searching it would give wrong answers or none."""

    @classmethod
    def at(cls, directory: Path, detail: str = "") -> "IndexCorrupt":
        why = f" ({detail})" if detail else ""
        return cls(f"Indekset i {directory} er beskadiget{why}. Byg det forfra med: {REBUILD}"
                   + (f" --index {directory}" if Path(directory).name != "index" else ""))


class IndexReadOnly(QAError):
    """The index folder or file cannot be written: searching works, adding and removing do not."""

    @classmethod
    def at(cls, directory: Path) -> "IndexReadOnly":
        return cls(f"Indekset i {directory} er skrivebeskyttet: der kan søges i det, men ikke tilføjes eller "
                   "fjernes dokumenter. Giv skriveadgang til mappen, eller byg et indeks et andet sted (--index).")


class IndexWriteFailed(QAError):
    """Writing the index failed part-way (disk full, file too large, I/O error); the transaction was rolled
    back, so every document is either wholly in the index or not at all."""

    @classmethod
    def at(cls, directory: Path, detail: str) -> "IndexWriteFailed":
        return cls(f"Indekset i {directory} kunne ikke skrives ({detail}). Dokumenter, der var færdige, er gemt; "
                   "resten er ikke. Frigør plads på disken, og kør kommandoen igen.")


class ModelError(QAError):
    """The embedding model cannot be loaded; the message says what to do."""

    @classmethod
    def missing_folder(cls, name: str) -> "ModelError":
        return cls(f"Sprogmodellen {name!r} kunne ikke indlæses: mappen findes ikke.")

    @classmethod
    def unloadable(cls, name: str, cause: Exception, default: str) -> "ModelError":
        return cls(f"Sprogmodellen {name!r} kunne ikke indlæses: {cause}. Uden netadgang: brug standardmodellen "
                   f"{default!r} eller en lokal modelmappe (QA_MODEL=/sti/til/model).")

    @classmethod
    def package(cls, what: str, cause: Exception | None = None) -> "ModelError":
        return cls(f"{what} mangler: pip install -r requirements.txt" + (f" ({cause})" if cause else ""))
