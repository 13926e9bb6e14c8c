"""Text from outside, made safe to show: on one line of a terminal, or anywhere in XML."""

from __future__ import annotations

import re

__all__ = ["clean", "safe"]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b.")


def clean(text: str, limit: int = 200) -> str:
    r"""Make text from outside safe for one line of a terminal: no escapes, no control chars.

    >>> clean("bad\x1b[31mred\x1b[0m\nline two")
    'badred line two'
    """
    text = _ESCAPE.sub("", text)
    text = _CONTROL.sub(" ", text.replace("\r", " ").replace("\n", " ").replace("\t", " "))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: What a terminal or an XML 1.0 parser must not be given as is: control characters (tab
#: aside), lone surrogates, and the characters that reorder or break lines.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
                     "\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    r"""Show unsafe characters as escapes, so that a report is one thing on every screen.

    >>> safe("a\x1b[31mb\u2028c")
    'a\\x1b[31mb\\u2028c'
    """
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(escape, text)


