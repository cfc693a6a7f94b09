"""Who is who at a meeting: the participant list's names and the sides their roles put them on.

Minutes name each participant once with a role ("Mette Kjær, fællestillidsrepræsentant, FOA
(næstformand)", "Birgitte Skov (næstformand, TR BUPL)", a list under "Medarbejdersiden:") and later
only by name ("Mette Kjær bad om …"). A passage that names a participant speaks with that person's
sides, so a question for "tillidsrepræsentanten" or "medarbejdersiden" finds it.
"""
from __future__ import annotations

import re

from qa.danish.vocabulary import LABEL, PERSON, find_sides

SIDE_GROUPS = ("medarbejdersiden", "ledelsen")  # the halves of a MED committee a list is split into


def participants(lines: list[str]) -> dict[str, tuple[str, ...]]:
    """Name -> sides, read from the lines of a meeting's front matter.

    A line starting with a name gives that person the sides its rest names, and the side of the group
    heading above ("Medarbejdersiden:"); a later name on the line counts only with its role in brackets
    right after it ("Anders Holm (formand), Birgitte Skov (TR BUPL)"), so a place in a role ("leder af
    Plejecenter Egely") is no person. Any other label ("Afbud", "GÆSTER") ends the group; a line of one
    abbreviation ("FOA") is the rest of the role above."""
    roles: dict[str, tuple[str, ...]] = {}
    group: tuple[str, ...] = ()
    for raw in lines:
        line = raw.strip().strip("*_# ").strip()
        if not line:
            continue
        if line.rstrip("*_ ").endswith(":") and find_sides(line) and len(line.split()) <= 3:
            group = tuple(s for s in find_sides(line) if s in SIDE_GROUPS)  # "Deltagere Ledelsessiden:"
            continue
        if re.fullmatch(r"[A-ZÆØÅ/]{2,}", line):
            continue
        label = LABEL.match(line) or (LABEL.match(line + ":") if len(line.split()) <= 2 else None)  # "Afbud"
        if label:
            group = ()
            line = line[label.end():].lstrip(" :|")
        names = [m for m in PERSON.finditer(line) if m.start() == 0 or re.search(r"[,;]\s*$", line[:m.start()])]
        for i, m in enumerate(names):
            rest = line[m.end(): names[i + 1].start() if i + 1 < len(names) else len(line)]
            if i == 0 and m.start() == 0:
                own = find_sides(rest)
                sides = own + tuple(g for g in group if g not in own)
            elif rest.lstrip().startswith("("):
                sides = find_sides(rest[: rest.find(")") + 1])
            else:
                continue
            if sides:
                roles[m.group(0)] = tuple(dict.fromkeys(roles.get(m.group(0), ()) + sides))
    return roles


def named_sides(text: str, roles: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The sides of the participants a passage names (a name may break across a line)."""
    flat = " ".join(text.split())
    out: list[str] = []
    for name, sides in roles.items():
        if re.search(rf"(?<!\w){re.escape(name)}s?(?!\w)", flat):
            out += [s for s in sides if s not in out]
    return tuple(out)
