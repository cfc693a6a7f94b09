"""Follow-up questions: which questions lean on the previous turn, and what to search for then.

"Og ledelsen?" or "Hvornår blev det besluttet?" mean little alone; they are searched together with
the previous turn's topic. A question that brings a topic of its own starts afresh.
"""
from __future__ import annotations

import re

from qa.danish.text import STOP_WORDS, stem
from qa.danish.vocabulary import detect_side, find_bodies
from qa.types import Turn

FOLLOWUP_WORDS = frozenset({"det", "den", "de", "dette", "disse", "der"})
# Words of the question form itself that say nothing about the topic.
QUESTION_FILLER = frozenset(
    "mente mener menes synes syntes står stod sker skete fortæl fortælle gerne egentlig så".split()
)
MAX_TOPIC_WORDS = 12
NEW_TOPIC_WORDS = 2  # a question with this many topic words of its own starts a new topic
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def content_words(text: str) -> list[str]:
    """The words of `text` that carry its topic (no Danish function or question words)."""
    return [w for w in WORD.findall(text or "")
            if w.lower() not in STOP_WORDS and w.lower() not in QUESTION_FILLER]


def new_topic_words(question: str, previous: str) -> list[str]:
    """Topic words of `question` that the previous turn did not have (sides, bodies, numbers aside)."""
    before = {stem(w.lower()) for w in content_words(previous)}
    return [w for w in content_words(question)
            if stem(w.lower()) not in before and not w.isdigit() and not detect_side(w) and not find_bodies(w)]


def is_followup(question: str, previous: str | None = None) -> bool:
    """A question that leans on the previous turn.

    It does when it starts with 'og' / 'hvad med', or when it is short (at most 4 content words) or
    points back (det, den, de, dette, disse, der) - unless it brings a topic of its own: two or more
    topic words the previous turn did not have ('Hvordan aftales hjemmearbejde i afdelingen?' after
    a question about resortflyt is a new question, 'Hvornår blev det besluttet?' is not).
    """
    words = [w.lower() for w in WORD.findall(question or "")]
    if not words:
        return False
    if words[0] == "og" or words[:2] == ["hvad", "med"]:
        return True
    if not (FOLLOWUP_WORDS.intersection(words) or len(content_words(question)) <= 4):
        return False
    return previous is None or len(new_topic_words(question, previous)) < NEW_TOPIC_WORDS


def followup_query(question: str, previous: str | None) -> str:
    """The text to search for: the question, plus the previous turn's topic when it is a follow-up.

    `previous` is what the previous turn searched for, so a chain of follow-ups keeps its topic.
    When the new question names a speaker side, the previous side words are left out
    ("Og ledelsen?" after a question about medarbejdersiden searches for ledelsen, not both).
    """
    question = " ".join((question or "").split())
    if not previous or not question or not is_followup(question, previous):
        return question
    own = {w.lower() for w in content_words(question)}
    names_side = detect_side(question) is not None
    topic: list[str] = []
    seen: set[str] = set()
    for w in content_words(previous):
        lw = w.lower()
        if lw in own or lw in seen or (names_side and detect_side(w)):
            continue
        seen.add(lw)
        topic.append(w)
    topic = topic[:MAX_TOPIC_WORDS]
    return f"{question} {' '.join(topic)}" if topic else question


def rewrite(question: str, previous: Turn | None) -> str:
    """What to search for, given the conversation so far (None: the question stands alone)."""
    return followup_query(question, previous.searched_for if previous and previous.searched_for else None)
