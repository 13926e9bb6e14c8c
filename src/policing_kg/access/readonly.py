"""What a read-only query must not do, told from its text: update, ``LOAD``, ``SERVICE``.

Shared by ``policing-kg query --file`` and the endpoint of ``policing-kg serve``. Comments,
strings and IRIs are blanked first, so a keyword inside a string or an IRI is not mistaken
for one of the query.
"""

from __future__ import annotations

import re

__all__ = ["without_strings", "read_only_problem", "UPDATE", "SERVICE"]

UPDATE = "update"
SERVICE = "service"
_UPDATE = re.compile(r"^\s*(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
                     re.IGNORECASE)
#: A prologue declaration once IRIs are blanked to "" (see without_strings).
_PROLOGUE = re.compile(r'^\s*(PREFIX\s+[^\s:]*:\s*(<[^>]*>|"")|BASE\s*(<[^>]*>|""))',
                       re.IGNORECASE)


def without_strings(query: str) -> str:
    """Return the query with its comments, strings and IRIs blanked (for the keyword checks)."""
    pattern = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                         r"|'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*")
    return pattern.sub(lambda m: " " * len(m.group(0)) if m.group(0).startswith("#")
                       else '""', query)


def read_only_problem(query: str) -> str | None:
    """Return ``update`` or ``service`` for what a read-only query may not do, else ``None``.

    >>> read_only_problem("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }")
    'update'
    >>> read_only_problem("SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }")
    'service'
    >>> read_only_problem('SELECT ?service { ?s <http://e/p> "SERVICE" }') is None
    True
    """
    text = without_strings(query)
    rest = text
    while True:
        match = _PROLOGUE.match(rest)
        if not match:
            break
        rest = rest[match.end():]
    if _UPDATE.match(rest):
        return UPDATE
    if re.search(r"(?<![?$\w:])SERVICE\b", text, re.IGNORECASE):
        return SERVICE
    return None
