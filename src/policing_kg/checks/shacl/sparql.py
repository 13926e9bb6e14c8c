"""SHACL-SPARQL constraints (``sh:sparql``): compiled to one query each when that is exact.

SHACL runs a SPARQL constraint once per focus node, with ``$this`` *pre-bound*. Here it runs
once over the whole graph, joined with the shape's focus nodes. That gives the same solutions
only for queries of a certain form, which :func:`check_query` recognises on rdflib's parse of
the query:

- ``$this`` is bound by a triple pattern of the query's top-level group, so that every other
  use of it (in filters, ``OPTIONAL``, ``EXISTS``) sees the focus node, as pre-binding would;
- no ``MINUS``, ``VALUES``, ``BIND``, sub-query, ``SERVICE``, ``GRAPH``, ``UNION`` outside
  ``EXISTS``, aggregate or solution modifier, and no ``$shapesGraph`` or ``$currentShape``
  (SHACL forbids some of these with pre-binding; the others would change the answer);
- nothing that reads a literal's *value* where the validation store keeps it under a
  surrogate datatype (:mod:`.store`): no typed literal in a triple pattern, no ``DATATYPE``,
  arithmetic, ordering comparison or cast of a value read from the graph, and ``=`` / ``!=``
  only where one side is an IRI or a string (``STR``, ``LANG``, a string constant).

Any other query goes to the delegate with its shape (:class:`.compiler.Unsupported`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef, Variable
from rdflib.namespace import SH, XSD
from rdflib.term import BNode, Node

from policing_kg.checks.shacl.results import ShapesError

if TYPE_CHECKING:
    from policing_kg.checks.shacl.compiler import CompiledQuery, Compiler

__all__ = ["compile_constraint", "check_query", "prefix_declarations"]

_PREFIX_LINE = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_COMMENT_OR_SPACE = re.compile(r"^(\s+|#[^\n]*\n)")

#: Functions whose result is a string or a truth value, whatever their arguments read.
_STRING_RESULT = {"Builtin_STR", "Builtin_LANG", "Builtin_UCASE", "Builtin_LCASE",
                  "Builtin_SUBSTR", "Builtin_CONCAT", "Builtin_REPLACE", "Builtin_STRBEFORE",
                  "Builtin_STRAFTER", "Builtin_ENCODE_FOR_URI"}
_TRUTH_RESULT = {"Builtin_isIRI", "Builtin_isURI", "Builtin_isBLANK", "Builtin_isLITERAL",
                 "Builtin_BOUND", "Builtin_sameTerm", "Builtin_REGEX", "Builtin_LANGMATCHES",
                 "Builtin_CONTAINS", "Builtin_STRSTARTS", "Builtin_STRENDS", "Builtin_STRLEN",
                 "UnaryNot"}
_WRAPPERS = {"ConditionalOrExpression", "ConditionalAndExpression", "RelationalExpression",
             "AdditiveExpression", "MultiplicativeExpression"}


def _get(node: Any, key: str, default: Any = None) -> Any:
    """Return a field of rdflib's parse tree (its ``get`` answers a missing key with it)."""
    return dict.get(node, key, default)


class _Refused(Exception):
    """The query is not of the form that compiles exactly."""


def _plain_literal(node: Any) -> bool:
    if isinstance(node, Literal):
        return node.language is not None or node.datatype in (None, XSD.string)
    if getattr(node, "name", None) == "literal":
        return _get(node, "datatype") is None
    return False


class _Checker:
    """Walks rdflib's parse tree of a query: raises :class:`_Refused`, or returns quietly."""

    def __init__(self) -> None:
        self.not_literal: set[str] = {"this"}  # refined once the top-level triples are read

    # expressions: return "raw" (a term read from the graph, maybe a kept literal), "string",
    # "iri" or "computed" (a number or truth value computed by the query)
    def expression(self, node: Any) -> str:
        from rdflib.plugins.sparql.parserutils import CompValue

        if isinstance(node, Variable):
            if str(node) in ("shapesGraph", "currentShape"):
                raise _Refused(f"${node}")
            return "iri" if str(node) in self.not_literal else "raw"
        if isinstance(node, (URIRef, BNode)):
            return "iri"
        if isinstance(node, Literal):
            return "string" if _plain_literal(node) else "computed"
        if not isinstance(node, CompValue):
            if isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
                kinds = [self.expression(item) for item in node]
                return kinds[0] if len(kinds) == 1 else "computed"
            raise _Refused(f"the expression {node!r}")
        name = node.name
        if name == "pname":
            return "iri"
        if name == "literal":
            return "string" if _plain_literal(node) else "computed"
        if name in _WRAPPERS:
            first = self.expression(node["expr"])
            other = _get(node, "other")
            if other is None:
                return first
            if name == "RelationalExpression":
                return self.relation(first, node["op"], node["other"])
            others = other if isinstance(other, list) or type(other).__name__ == "ParseResults" \
                else [other]
            kinds = [first, *(self.expression(o) for o in others)]
            if name in ("AdditiveExpression", "MultiplicativeExpression") and "raw" in kinds:
                raise _Refused("arithmetic on a value of the graph")
            return "computed"
        if name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            self.group(node["graph"], inside_exists=True)
            return "computed"
        if name in _STRING_RESULT or name in _TRUTH_RESULT:
            for key, value in node.items():
                if key != "_vars":
                    self.expression(value)
            return "string" if name in _STRING_RESULT else "computed"
        if name in ("Builtin_IRI", "Builtin_URI"):
            self.expression(node["arg"])
            return "iri"
        if name in ("Builtin_IF", "Builtin_COALESCE"):
            kinds = [self.expression(v) for k, v in node.items() if k != "_vars"]
            return "raw" if "raw" in kinds else "computed"
        if name in ("UnaryMinus", "UnaryPlus"):
            if self.expression(node["expr"]) == "raw":
                raise _Refused("arithmetic on a value of the graph")
            return "computed"
        raise _Refused(name)

    def relation(self, left: str, op: str, other: Any) -> str:
        if op in ("IN", "NOT IN"):
            rights = [self.expression(o) for o in other]
        else:
            rights = [self.expression(other)]
        for right in rights:
            if op in ("=", "!=", "IN", "NOT IN"):
                if "raw" in (left, right) and not {left, right} & {"iri", "string"}:
                    raise _Refused(f"{op} between values of the graph (use sameTerm)")
            elif "raw" in (left, right):
                raise _Refused(f"{op} on a value of the graph")
        return "computed"

    # graph patterns
    def triples(self, block: Any, top: bool) -> set[str]:
        bound: set[str] = set()
        for triple in block["triples"]:
            items = list(triple)
            if len(items) % 3:
                raise _Refused("an unusual triple pattern")
            for index, term in enumerate(items):
                if isinstance(term, Variable):
                    bound.add(str(term))
                    if str(term) in ("shapesGraph", "currentShape"):
                        raise _Refused(f"${term}")
                    if top and index % 3 != 2:
                        self.not_literal.add(str(term))
                elif isinstance(term, Literal) or getattr(term, "name", None) == "literal":
                    if not _plain_literal(term):
                        raise _Refused("a typed literal in a triple pattern")
                elif index % 3 == 1:
                    self.path(term)
        return bound

    def path(self, node: Any) -> None:
        from rdflib.plugins.sparql.parserutils import CompValue

        if isinstance(node, CompValue):
            for key, value in node.items():
                if key != "_vars":
                    self.path(value)
        elif isinstance(node, list) or type(node).__name__ == "ParseResults":
            for item in node:
                self.path(item)
        elif isinstance(node, Variable):
            raise _Refused("a variable in a property path")

    def group(self, group: Any, *, inside_exists: bool = False, top: bool = False) -> set[str]:
        if getattr(group, "name", None) != "GroupGraphPatternSub":
            raise _Refused(f"the pattern {getattr(group, 'name', group)!r}")
        bound: set[str] = set()
        filters = []
        for part in _get(group, "part", []):
            name = part.name
            if name == "TriplesBlock":
                bound |= self.triples(part, top)
            elif name == "Filter":
                filters.append(part["expr"])
            elif name == "OptionalGraphPattern":
                self.group(part["graph"], inside_exists=inside_exists)
            elif name == "GroupOrUnionGraphPattern" and inside_exists:
                for branch in part["graph"]:
                    self.group(branch, inside_exists=True)
            else:
                raise _Refused(name)
        for expression in filters:
            self.expression(expression)
        return bound


def check_query(parsed: Any) -> None:
    """Raise :class:`_Refused` unless the parsed SELECT query compiles exactly (see module)."""
    query = parsed[1]
    if query.name != "SelectQuery":
        raise _Refused(query.name)
    for key in ("groupby", "having", "orderby", "limitoffset", "valuesClause", "datasetClause"):
        if _get(query, key):
            raise _Refused(key)
    projection = _get(query, "projection")
    names = {str(_get(v, "var") or _get(v, "evar")) for v in projection} if projection else None
    if projection and any(_get(v, "expr") is not None for v in projection):
        raise _Refused("an expression in the projection")
    if names is not None and "this" not in names:
        raise _Refused("$this is not projected")
    checker = _Checker()
    checker.not_literal = set()
    top = query["where"]
    if "this" not in checker.group(top, top=True):
        raise _Refused("$this is not bound by a triple pattern of the top-level group")


def prefix_declarations(shapes: Any, constraint: Node) -> list[str]:
    """Return the ``PREFIX`` lines that the constraint's ``sh:prefixes`` declare."""
    lines = []
    for holder in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(holder, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is None or namespace is None:
                raise ShapesError(f"a prefix declaration of {constraint} lacks sh:prefix or "
                                  "sh:namespace")
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return sorted(set(lines))


def _split_prologue(text: str) -> tuple[list[str], str]:
    prologue = []
    rest = text
    while True:
        stripped = _COMMENT_OR_SPACE.match(rest)
        if stripped:
            rest = rest[stripped.end():]
            continue
        match = _PREFIX_LINE.match(rest)
        if not match:
            break
        prologue.append(f"PREFIX {match.group(1) or ''}: <{match.group(2)}>")
        rest = rest[match.end():]
    if re.match(r"\s*BASE\b", rest, re.IGNORECASE):
        from policing_kg.checks.shacl.compiler import Unsupported

        raise Unsupported("BASE in a SPARQL constraint")
    return prologue, rest


def compile_constraint(compiler: Compiler, shape: Node, constraint: Node, focus: str,
                       path: str) -> list[CompiledQuery]:
    """Compile one ``sh:sparql`` constraint of ``shape``, or raise ``Unsupported``.

    ``focus`` is the pattern of the shape's focus nodes, written for ``?this``.
    """
    from rdflib.plugins.sparql.parser import parseQuery

    from policing_kg.checks.shacl.compiler import CompiledQuery
    from policing_kg.checks.shacl.shapes import Unsupported, _is_true

    shapes = compiler.shapes
    if _is_true(shapes.value(constraint, SH.deactivated)):
        return []
    selects = list(shapes.objects(constraint, SH.select))
    if len(selects) != 1 or not isinstance(selects[0], Literal):
        raise Unsupported("a SPARQL constraint without exactly one sh:select")
    text = str(selects[0])
    if path:
        text = re.sub(r"\$PATH\b", path, text)
    prologue, body = _split_prologue(text)
    prefixes = sorted(set(prefix_declarations(shapes, constraint)) | set(prologue))
    try:
        parsed = parseQuery("\n".join([*prefixes, body]))
    except Exception as exc:  # pyparsing raises its own errors
        raise ShapesError(f"the SPARQL of {constraint} does not parse: "
                          f"{' '.join(str(exc).split())}") from None
    try:
        check_query(parsed)
    except _Refused as exc:
        raise Unsupported(f"SPARQL constraint {constraint}: {exc}") from None
    messages = tuple(sorted((m for m in shapes.objects(constraint, SH.message)
                             if isinstance(m, Literal)), key=lambda m: (m.language or "", str(m))))
    if not messages:
        messages = compiler.messages(shape, SH.SPARQLConstraintComponent)
    query = "\n".join([*prefixes, f"SELECT * WHERE {{ {focus} {{ {body} }} }}"])
    return [CompiledQuery(shape, compiler.severity(shape), SH.SPARQLConstraintComponent,
                          messages, path, query, constraint, templates=True,
                          value_is_focus=not path)]


def fill_template(message: str, bindings: Iterable[tuple[str, str]]) -> str:
    """Replace ``{?name}`` and ``{$name}`` in a message by the solution's values."""
    values = dict(bindings)

    def replace(match: re.Match[str]) -> str:
        return values.get(match.group(1), match.group(0))

    return re.sub(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}", replace, message)


__all__ += ["fill_template"]
