"""One lexical form per value: the form in which the release writes its typed literals.

A store may keep a number as it was written (Jena in memory) or as its value (Oxigraph, TDB2,
Virtuoso), and then writes it back in a form of its own. The release writes every number and
boolean in the one form that Oxigraph, the embedded store, gives back, which is also the form
Jena keeps: so the embedded store, the Oxigraph server and Jena in memory answer with the very
terms of the file (docs/design.md, Literals).

- ``xsd:integer`` and the types derived from it: no sign ``+``, no leading zero
  (``"007"`` → ``"7"``), the datatype kept;
- ``xsd:decimal``: no leading or trailing zero, no point for a whole number
  (``"0.50"`` → ``"0.5"``, ``"1.0"`` → ``"1"``: XSD 1.1's canonical mapping);
- ``xsd:double`` and ``xsd:float``: the shortest decimal that reads back as the same number, with
  no exponent and no ``.0`` (``"1.0"`` and ``"1.0E0"`` → ``"1"``, ``"6.0E-1"`` → ``"0.6"``),
  ``INF``, ``-INF`` and ``NaN`` as XSD writes them. This is Oxigraph's form, not XSD 1.1's
  canonical ``"6.0E-1"``, which no store here gives back but Jena in memory;
- ``xsd:boolean``: ``"true"`` or ``"false"`` (never ``"1"``, ``"0"``).

Any other literal, and a lexical form that is not of its datatype (the checks report it), is
left as written.

>>> canonical_literal("1.0", XSD + "double"), canonical_literal("6.0E-1", XSD + "double")
('1', '0.6')
>>> canonical_literal("0.50", XSD + "decimal"), canonical_literal("+007", XSD + "int")
('0.5', '7')
>>> canonical_literal("1", XSD + "boolean"), canonical_literal("1e-7", XSD + "double")
('true', '0.0000001')
>>> canonical_literal("seven", XSD + "integer"), canonical_literal("0.50", XSD + "string")
('seven', '0.50')
"""

from __future__ import annotations

import math
import re
import struct
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import Literal

__all__ = ["XSD", "canonical_literal", "canonical_node", "INTEGER_TYPES"]

XSD = "http://www.w3.org/2001/XMLSchema#"
#: xsd:integer and the datatypes XSD derives from it
INTEGER_TYPES = frozenset(XSD + name for name in (
    "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte"))
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN")


def _plain(number: Decimal) -> str:
    """Write a decimal without exponent, trailing zeros or a point for a whole number."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _floating(lexical: str, single: bool) -> str:
    if lexical.lstrip("+-") == "INF" or lexical == "NaN":
        return lexical.lstrip("+")
    value = float(lexical)
    if single:  # the float nearest, then its shortest decimal
        value = struct.unpack("f", struct.pack("f", value))[0]
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        digits = next(repr(candidate) for precision in range(1, 10)
                      if struct.unpack("f", struct.pack("f", float(
                          candidate := float(f"{value:.{precision}g}"))))[0] == value)
    else:
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        digits = repr(value)
    text = _plain(Decimal(digits))
    return "-0" if math.copysign(1.0, value) < 0 and value == 0 else text


def canonical_literal(lexical: str, datatype: str) -> str:
    """Return the form in which the release writes a literal of ``datatype`` (see above)."""
    try:
        if datatype in INTEGER_TYPES and _INTEGER.fullmatch(lexical):
            return str(int(lexical))
        if datatype == XSD + "decimal" and _DECIMAL.fullmatch(lexical):
            return _plain(Decimal(lexical))
        if datatype in (XSD + "double", XSD + "float") and _FLOAT.fullmatch(lexical):
            return _floating(lexical, datatype == XSD + "float")
    except (ValueError, InvalidOperation, OverflowError):
        return lexical
    if datatype == XSD + "boolean" and lexical in ("1", "0"):
        return "true" if lexical == "1" else "false"
    return lexical


def canonical_node(term: Any) -> Any:
    """Return an rdflib term with its literal written as the release writes it (or the term).

    rdflib's own normalisation is turned off: it writes a double ``1`` as ``"1.0"``.
    """
    if isinstance(term, Literal) and term.datatype is not None:
        lexical = str(term)
        written = canonical_literal(lexical, str(term.datatype))
        if written != lexical:
            return Literal(written, datatype=term.datatype, normalize=False)
    return term
