"""Words for what the user reads: counted nouns ('1 rep', '3 reps', '2 movements
were') and a movement named in a sentence ('a fire hydrant')."""
from __future__ import annotations


def count(n: int, one: str, many: str | None = None) -> str:
    """'1 rep', '3 reps', '2 held stretches' (with `many`)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def were(n: int) -> str:
    return "was" if n == 1 else "were"


def movements(n: int, verb: str | None = None) -> str:
    """'1 movement was', '3 movements were' (or with `verb`: '1 movement did')."""
    return f"{count(n, 'movement')} {verb or were(n)}"


def a_movement(name: str) -> str:
    """The movement as the object of a sentence: 'a fire hydrant', 'running'
    (an activity takes no article)."""
    title = name.replace("_", " ")
    if name == "running":
        return title
    return ("an " if title[:1] in "aeiou" else "a ") + title
