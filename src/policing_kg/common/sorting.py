"""Natural order: numbers inside text compare by value (``goal/2`` before ``goal/10``)."""

from __future__ import annotations

import re

__all__ = ["natural_key"]

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[str | int, ...]:
    """Return a sort key that orders the numbers in ``text`` by value.

    >>> sorted(["goal/10", "goal/2"], key=natural_key)
    ['goal/2', 'goal/10']
    """
    parts = _DIGITS.split(text)
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))
