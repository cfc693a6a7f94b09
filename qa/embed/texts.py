"""What is embedded for a passage and for a sentence: the words around them that say what they are about."""
from __future__ import annotations

from qa.types import Chunk


def embed_text(chunk: Chunk) -> str:
    """A passage is embedded after what it is about (document, body, item)."""
    ctx = chunk.context()
    return f"{ctx}\n{chunk.text}" if ctx else chunk.text


def sentence_text(chunk: Chunk, sentence: str) -> str:
    """A sentence is embedded with its item title so 'Godkendt.' still says what was approved."""
    title = chunk.item_title or chunk.doc_title
    return f"{title}: {sentence}" if title else sentence
