"""SHACL core constraints compiled to SPARQL: each constraint runs once over the whole graph.

pyshacl checks each constraint focus node by focus node in Python; on a million triples that
is minutes. Here each constraint of a shape becomes one SPARQL query that finds all of its
violations at once, run by pyoxigraph. Only the constraint components and paths that the
project's shapes use are compiled (listed in ``_VALUE_COMPONENTS`` and :func:`_compile`); a
shape that uses anything else is returned as *residual*, for pyshacl to check. The results are
pyshacl's: same focus nodes, shapes and severities (the tests compare them case by case).

Non-conformance is what the queries select. Every test of a value is wrapped in
``COALESCE(…, false)``, so that a comparison SPARQL cannot evaluate (a string against a number)
counts as a violation, as SHACL says it does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

__all__ = ["CompiledConstraint", "compile_shapes", "Unsupported", "SURROGATE", "DERIVED_INTEGERS",
           "target_query"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
#: pyoxigraph's store keeps a valid xsd:positiveInteger (and the other integer subtypes) as an
#: xsd:integer: the validation store keeps them under these surrogate datatypes instead, and
#: the compiled sh:datatype checks the lexical form and range that XML Schema gives each.
SURROGATE = "urn:policing-kg:validation:xsd:"
DERIVED_INTEGERS: dict[str, tuple[str, int | None, int | None]] = {
    "nonNegativeInteger": (r"^\+?[0-9]+$|^-0+$", 0, None),
    "positiveInteger": (r"^\+?[0-9]+$", 1, None),
    "nonPositiveInteger": (r"^-[0-9]+$|^\+?0+$", None, 0),
    "negativeInteger": (r"^-[0-9]+$", None, -1),
    "long": (r"^[+-]?[0-9]+$", -2**63, 2**63 - 1),
    "int": (r"^[+-]?[0-9]+$", -2**31, 2**31 - 1),
    "short": (r"^[+-]?[0-9]+$", -2**15, 2**15 - 1),
    "byte": (r"^[+-]?[0-9]+$", -2**7, 2**7 - 1),
    "unsignedLong": (r"^\+?[0-9]+$", 0, 2**64 - 1),
    "unsignedInt": (r"^\+?[0-9]+$", 0, 2**32 - 1),
    "unsignedShort": (r"^\+?[0-9]+$", 0, 2**16 - 1),
    "unsignedByte": (r"^\+?[0-9]+$", 0, 2**8 - 1),
}


class Unsupported(Exception):
    """A shape uses a feature that the compiler does not translate (pyshacl checks it)."""


@dataclass(frozen=True)
class CompiledConstraint:
    """One query: its rows are ``?this`` (and ``?value``) of each violation."""

    shape: str
    severity: str
    message: str
    path: str
    query: str


#: components about single values, and those handled otherwise
_VALUE_COMPONENTS = {SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH.flags, SH.minLength,
                     SH.maxLength, SH.languageIn, SH["in"], SH.minInclusive, SH.maxInclusive,
                     SH.minExclusive, SH.maxExclusive, SH["or"]}
_OTHER_COMPONENTS = {SH.minCount, SH.maxCount, SH.uniqueLang, SH.qualifiedValueShape,
                     SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.lessThan}
_NON_CONSTRAINTS = {RDF.type, SH.path, SH.severity, SH.message, SH.name, SH.description,
                    SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode,
                    SH.property, SH.sparql, SH.deactivated, SH.order, SH.group, RDFS.label,
                    RDFS.comment, SH.defaultValue}
_SUBCLASS = f"<{RDF.type}>/<{RDFS.subClassOf}>*"


def _term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise Unsupported(f"blank node {node} as a constraint parameter")


def _one(shapes: Graph, shape: Node, predicate: URIRef) -> Node | None:
    values = list(shapes.objects(shape, predicate))
    if len(values) > 1:
        raise Unsupported(f"{predicate} given twice")
    return values[0] if values else None


def _list(shapes: Graph, head: Node) -> list[Node]:
    return list(Collection(shapes, head))


def _conforms(shapes: Graph, shape: Node, var: str) -> str:
    """Return a SPARQL expression: ``var`` meets every value component of ``shape``."""
    tests = []
    flags = _one(shapes, shape, SH.flags)
    for predicate, parameter in sorted(shapes.predicate_objects(shape), key=str):
        if predicate in _NON_CONSTRAINTS or predicate == SH.flags:
            continue
        if predicate not in _VALUE_COMPONENTS:
            raise Unsupported(f"{predicate} inside a value shape")
        tests.append(_value_test(shapes, predicate, parameter, var, flags))
    if shapes.value(shape, SH.property) is not None:
        raise Unsupported("sh:property inside a value shape")
    return " && ".join(tests) if tests else "true"


def _value_test(shapes: Graph, predicate: Node, parameter: Node, var: str,
                flags: Node | None) -> str:
    """Return a SPARQL expression that is true when ``var`` meets one value component."""
    if predicate == SH["class"]:
        return f"EXISTS {{ {var} {_SUBCLASS} {_term(parameter)} }}"
    if predicate == SH.datatype:
        name = str(parameter).removeprefix(_XSD)
        if str(parameter).startswith(_XSD) and name in DERIVED_INTEGERS:
            pattern, low, high = DERIVED_INTEGERS[name]
            number = f"<{_XSD}integer>(STR({var}))"
            checks = [f"isLiteral({var})", f"DATATYPE({var}) = <{SURROGATE}{name}>",
                      f"REGEX(STR({var}), {Literal(pattern).n3()})"]
            checks += [f"{number} >= {low}"] if low is not None else []
            checks += [f"{number} <= {high}"] if high is not None else []
            return f"COALESCE({' && '.join(checks)}, false)"
        return f"COALESCE(isLiteral({var}) && DATATYPE({var}) = {_term(parameter)}, false)"
    if predicate == SH.nodeKind:
        kinds = {SH.IRI: f"isIRI({var})", SH.BlankNode: f"isBlank({var})",
                 SH.Literal: f"isLiteral({var})",
                 SH.BlankNodeOrIRI: f"(isIRI({var}) || isBlank({var}))",
                 SH.BlankNodeOrLiteral: f"(isBlank({var}) || isLiteral({var}))",
                 SH.IRIOrLiteral: f"(isIRI({var}) || isLiteral({var}))"}
        if parameter not in kinds:
            raise Unsupported(f"sh:nodeKind {parameter}")
        return kinds[parameter]  # type: ignore[index]
    if predicate == SH.pattern:
        flag = f", {Literal(str(flags)).n3()}" if flags is not None else ""
        return (f"COALESCE(!isBlank({var}) && REGEX(STR({var}), "
                f"{Literal(str(parameter)).n3()}{flag}), false)")
    if predicate in (SH.minLength, SH.maxLength):
        operator = ">=" if predicate == SH.minLength else "<="
        length = int(str(parameter))
        return f"COALESCE(!isBlank({var}) && STRLEN(STR({var})) {operator} {length}, false)"
    if predicate == SH.languageIn:
        ranges = [f"langMatches(LANG({var}), {Literal(str(tag)).n3()})"
                  for tag in _list(shapes, parameter)]
        return f"COALESCE(isLiteral({var}) && ({' || '.join(ranges) or 'false'}), false)"
    if predicate == SH["in"]:
        members = [f"sameTerm({var}, {_term(member)})" for member in _list(shapes, parameter)]
        return f"({' || '.join(members) or 'false'})"
    if predicate in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
        operator = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
                    SH.maxExclusive: "<"}[predicate]  # type: ignore[index]
        return f"COALESCE({_number(var)} {operator} {_term(parameter)}, false)"
    if predicate == SH["or"]:
        members = [f"COALESCE({_conforms(shapes, member, var)}, false)"
                   for member in _list(shapes, parameter)]
        return f"({' || '.join(members) or 'false'})"
    raise Unsupported(str(predicate))


def _number(var: str) -> str:
    """Return the value, read as a number when the validation store keeps it as a surrogate."""
    return (f"IF(isLiteral({var}) && STRSTARTS(STR(DATATYPE({var})), {Literal(SURROGATE).n3()}), "
            f"<{_XSD}integer>(STR({var})), {var})")


def _path(shapes: Graph, path: Node) -> tuple[str, str]:
    """Return the path as SPARQL, and as a result's ``path`` text."""
    if isinstance(path, URIRef):
        return f"<{path}>", str(path)
    inverse = shapes.value(path, SH.inversePath)
    if isinstance(inverse, URIRef) and len(list(shapes.predicate_objects(path))) == 1:
        return f"^<{inverse}>", f"^{inverse}"
    raise Unsupported(f"the path {path}")


def target_query(shapes: Graph, shape: Node) -> str | None:
    """Return a sub-select of the shape's focus nodes (``?this``), or None if it has no target."""
    branches = []
    for target in shapes.objects(shape, SH.targetClass):
        branches.append(f"{{ ?this {_SUBCLASS} {_term(target)} }}")
    for target in shapes.objects(shape, SH.targetNode):
        branches.append(f"{{ BIND ({_term(target)} AS ?this) }}")
    for target in shapes.objects(shape, SH.targetSubjectsOf):
        branches.append(f"{{ ?this {_term(target)} ?any_object }}")
    for target in shapes.objects(shape, SH.targetObjectsOf):
        branches.append(f"{{ ?any_subject {_term(target)} ?this }}")
    if isinstance(shape, URIRef) and (shape, RDF.type, RDFS.Class) in shapes:
        raise Unsupported("an implicit class target")
    if not branches:
        return None
    return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(branches) + " } }"


def _severity(shapes: Graph, shape: Node) -> str:
    return str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]


def _message(shapes: Graph, shape: Node) -> str:
    message = shapes.value(shape, SH.message)
    if message is None:
        raise Unsupported("no sh:message (pyshacl would write its own)")
    return str(message)


def _compile(shapes: Graph, shape: Node, focus: str, *, node_level: bool
             ) -> list[CompiledConstraint]:
    """Return the queries of one shape's constraints (a node shape's own, or a property shape's)."""
    severity, message = _severity(shapes, shape), _message(shapes, shape)
    name = str(shape)
    if node_level:
        path_sparql, path_text = "", ""
    else:
        path_node = shapes.value(shape, SH.path)
        if path_node is None:
            raise Unsupported("a property shape with no sh:path")
        path_sparql, path_text = _path(shapes, path_node)

    def query(body: str, select: str = "?this ?value") -> CompiledConstraint:
        return CompiledConstraint(name, severity, message, path_text,
                                  f"SELECT {select} WHERE {{ {focus} {body} }}")

    values = "BIND (?this AS ?value)" if node_level else f"?this {path_sparql} ?value ."
    compiled = []
    flags = _one(shapes, shape, SH.flags)
    for predicate, parameter in sorted(shapes.predicate_objects(shape), key=str):
        if predicate in _NON_CONSTRAINTS or predicate in (SH.flags, SH.qualifiedMinCount,
                                                          SH.qualifiedMaxCount):
            continue
        if predicate == SH["class"]:
            # the instances of the class are found once, not once per value
            compiled.append(query(f"{values} MINUS {{ ?value {_SUBCLASS} {_term(parameter)} }}"))
        elif predicate in _VALUE_COMPONENTS:
            test = _value_test(shapes, predicate, parameter, "?value", flags)
            compiled.append(query(f"{values} FILTER (!({test}))"))
        elif node_level:
            raise Unsupported(f"{predicate} on a node shape")
        elif predicate in (SH.minCount, SH.maxCount):
            bound = int(str(parameter))
            if predicate == SH.minCount:
                if bound == 0:
                    continue
                body = (f"OPTIONAL {{ {values} }} }} GROUP BY ?this "
                        f"HAVING (COUNT(DISTINCT ?value) < {bound})")
            else:
                body = f"{values} }} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {bound})"
            compiled.append(CompiledConstraint(name, severity, message, path_text,
                                               f"SELECT ?this WHERE {{ {focus} {body}"))
        elif predicate == SH.uniqueLang:
            if parameter != Literal(True):
                continue
            compiled.append(query(
                f"?this {path_sparql} ?value , ?other . FILTER (!sameTerm(?value, ?other) && "
                "LANG(?value) != \"\" && LANG(?value) = LANG(?other))",
                select="DISTINCT ?this (LANG(?value) AS ?language)"))
        elif predicate == SH.qualifiedValueShape:
            if shapes.value(shape, SH.qualifiedValueShapesDisjoint) == Literal(True):
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            test = _conforms(shapes, parameter, "?value")
            matching = f"OPTIONAL {{ {values} FILTER ({test}) }}"
            for bound_predicate, operator in ((SH.qualifiedMinCount, "<"),
                                              (SH.qualifiedMaxCount, ">")):
                bound_node = _one(shapes, shape, bound_predicate)
                if bound_node is None:
                    continue
                compiled.append(CompiledConstraint(
                    name, severity, message, path_text,
                    f"SELECT ?this WHERE {{ {focus} {matching} }} GROUP BY ?this "
                    f"HAVING (COUNT(DISTINCT ?value) {operator} {int(str(bound_node))})"))
        elif predicate == SH.lessThan:
            compiled.append(query(f"{values} ?this {_term(parameter)} ?other . FILTER "
                                  f"(!COALESCE({_number('?value')} < {_number('?other')}, false))"))
        elif predicate in (SH.qualifiedValueShapesDisjoint,):
            continue
        else:
            raise Unsupported(str(predicate))
    return compiled


def compile_shapes(shapes: Graph) -> tuple[list[CompiledConstraint], Graph]:
    """Compile every core constraint that can be; return the queries and the residual shapes.

    The residual graph holds the shapes graph minus the compiled shapes' constraints: pyshacl
    checks it (it is empty of constraints when everything compiled). SHACL-SPARQL constraints
    (``sh:sparql``) are left to the caller.
    """
    compiled: list[CompiledConstraint] = []
    residual = Graph()
    residual += shapes
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    property_shapes = set(shapes.subjects(RDF.type, SH.PropertyShape))
    done: list[tuple[Node, bool, list[Node]]] = []
    kept_whole: set[Node] = set()  # property shapes that an uncompiled shape still needs
    for shape in sorted(node_shapes | property_shapes, key=str):
        if shapes.value(shape, SH.deactivated) == Literal(True):
            continue
        focus = target_query(shapes, shape)
        if focus is None:
            continue  # reached only through sh:property (or not at all)
        is_property = shape in property_shapes
        members = [] if is_property else sorted(shapes.objects(shape, SH.property), key=str)
        try:
            queries = _compile(shapes, shape, focus, node_level=not is_property)
            for member in members:
                if shapes.value(member, SH.deactivated) != Literal(True):
                    queries += _compile(shapes, member, focus, node_level=False)
        except Unsupported:
            kept_whole.update(members)  # pyshacl checks this shape, whole
            continue
        compiled += queries
        done.append((shape, is_property, members))
    for shape, _, members in done:
        _drop_constraints(residual, shape)
        for member in members:
            residual.remove((shape, SH.property, member))
            if member not in kept_whole:
                _drop_constraints(residual, member)
    return compiled, residual


def _drop_constraints(residual: Graph, shape: Node) -> None:
    for predicate, parameter in list(residual.predicate_objects(shape)):
        if predicate in _VALUE_COMPONENTS or predicate in _OTHER_COMPONENTS or predicate in (
                SH.flags, SH.qualifiedValueShapesDisjoint):
            residual.remove((shape, predicate, parameter))


def residual_constraints(residual: Graph) -> Iterable[Node]:
    """Shapes of the residual graph that pyshacl would still check (targeted, with constraints).

    The value shapes inside ``sh:or`` or ``sh:qualifiedValueShape`` are not counted: they have
    no targets of their own.
    """
    targeted = {s for p in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf,
                            SH.targetObjectsOf) for s in residual.subjects(p, None)}
    reached = targeted | {m for s in targeted for m in residual.objects(s, SH.property)}
    for shape in sorted(reached, key=str):
        if any(p in _VALUE_COMPONENTS or p in _OTHER_COMPONENTS
               for p in residual.predicates(shape, None)):
            yield shape


__all__ += ["residual_constraints"]
