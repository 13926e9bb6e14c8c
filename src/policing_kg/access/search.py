"""Accent- and case-insensitive search, written so that every store reads it alike."""

from __future__ import annotations

__all__ = ["search_pattern", "search_needle"]

_UNFOLD = dict(zip("àâäéèêëîïôöùûüÿçœ’", "aaaeeeeiioouuuyc_'", strict=True))
_REGEX_SPECIAL = set("\\.?*+{}()[]^$|-")


def search_pattern(text: str) -> str:
    r"""Return an ASCII regular expression that finds ``text`` whatever its case and accents.

    The queries fold every accented letter (and the typographic apostrophe) of a label to
    ``_`` with one ``REPLACE``, then match this pattern case-insensitively: a plain ASCII
    pattern behaves alike on every store (Virtuoso mishandles non-ASCII patterns).

    >>> search_pattern("Coopé l’a")
    "[c_][o_][o_]p[e_]\\s+l['_][a_]"
    """
    folded = " ".join("".join(_UNFOLD.get(c, c) for c in text.lower()).split())
    parts = []
    index = 0
    while index < len(folded):
        char = folded[index]
        if folded.startswith("oe", index):
            parts.append("(oe|_)")
            index += 2
            continue
        if char in "aeiouyc":
            parts.append(f"[{char}_]")
        elif char == "'":
            parts.append("['_]")
        elif char == "_":
            parts.append("_")
        elif char == " ":
            parts.append("\\s+")
        elif char in _REGEX_SPECIAL:
            parts.append("\\" + char)
        elif ord(char) > 127:
            parts.append(".")
        else:
            parts.append(char)
        index += 1
    return "".join(parts)


_SKELETON = set("aeiouycàâäéèêëîïôöùûüÿçœ’'_")


def search_needle(text: str) -> str:
    """Return the longest word of ``text`` with its vowels, c, y and apostrophes as ``_``.

    A label can match :func:`search_pattern` only if its own skeleton (the same letters
    replaced, lower case) contains this needle: the stored queries test it with ``CONTAINS``
    first, which is cheap, and run the regular expression on the few labels left. The needle
    starts at the word's longest run of other letters, which the label itself (lower case,
    nothing replaced) must then contain: a test cheaper still, made before the skeleton's.

    >>> search_needle("Coopé internationale")
    'nt_rn_t__n_l_'
    """
    pieces = []
    folded = text.lower()
    for word in folded.split():
        for piece in word.split("oe"):  # "oe" may be the one letter œ in a label
            current = ""
            for char in piece:
                if char in _SKELETON:
                    current += "_"
                elif ord(char) > 127 and char not in _UNFOLD:  # the pattern's "."
                    pieces.append(current)
                    current = ""
                else:
                    current += char
            pieces.append(current)
    needle = max(pieces, key=len, default="")
    run = max(needle.split("_"), key=len)
    return needle[needle.index(run):] if run else needle
