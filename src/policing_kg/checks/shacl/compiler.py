"""SHACL Core compiled to SPARQL: each constraint becomes one query over the whole graph.

pyshacl checks each constraint focus node by focus node in Python; on a million triples that
is minutes. Here each constraint of a shape becomes one SPARQL query that selects all of its
results at once (``?this``, and ``?value`` / ``?path`` where SHACL reports them), run by
pyoxigraph on the validation store (:mod:`.store`).

The compiler translates a shape only when it can do so exactly. Anything else (a component it
does not know, SHACL-AF targets and rules, SPARQL-based constraint components, a recursive
shape, a regular expression that pyoxigraph reads differently from Python...) raises
:class:`Unsupported`, and the engine hands the whole shape to the delegate (pyshacl): nothing is
ever dropped. The W3C SHACL test suite checks the result (``tests/test_w3c_shacl.py``).

Non-conformance is what the queries select. A test of a value is wrapped in
``COALESCE(…, false)`` where SPARQL could fail to evaluate it (a string compared with a
number): that counts as a violation, as SHACL says it does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import count

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import BNode, Node

from policing_kg.checks.shacl.results import ShapesError, render_path
from policing_kg.checks.shacl.store import constant, value_expression, well_formed_datatype

__all__ = ["Unsupported", "CompiledQuery", "Plan", "compile_plan", "shapes_with_targets",
           "COMPONENTS", "Focus"]


class Unsupported(Exception):
    """A shape the compiler cannot translate exactly (the delegate checks it)."""


#: A focus: given a variable name, a SPARQL pattern that binds it to each focus node, and the
#: variables of the pattern that must be kept with it. A nested property shape's focus nodes
#: are the values of its parent's focus nodes, and SHACL reports a result for each path that
#: reaches them (an address shared by two persons is validated twice): the parents' focus
#: nodes are carried along as *context*, and queries select and group by them too.
Focus = Callable[[str], tuple[str, tuple[str, ...]]]

#: Constraint parameters -> the component SHACL reports for them.
COMPONENTS: dict[URIRef, URIRef] = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.equals: SH.EqualsConstraintComponent,
    SH.disjoint: SH.DisjointConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
    SH.closed: SH.ClosedConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}
#: Components about each value node on its own.
_PER_VALUE = {SH["class"], SH.datatype, SH.nodeKind, SH.minExclusive, SH.minInclusive,
              SH.maxExclusive, SH.maxInclusive, SH.minLength, SH.maxLength, SH.pattern,
              SH.languageIn, SH["in"], SH["not"], SH["and"], SH["or"], SH.xone, SH.node}
#: Parameters that only qualify another one (read where that one is compiled).
_QUALIFIERS = {SH.flags, SH.qualifiedValueShape, SH.qualifiedValueShapesDisjoint,
               SH.ignoredProperties}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
#: Terms of a shape that constrain nothing.
_DESCRIPTIVE = {RDF.type, SH.path, SH.severity, SH.message, SH.name, SH.description,
                SH.deactivated, SH.order, SH.group, SH.defaultValue, *_TARGETS}
_SUBCLASS = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_MAX_DEPTH = 8
_DEFAULT_MESSAGES = {
    SH.ClassConstraintComponent: "Value does not have the class the shape requires",
    SH.DatatypeConstraintComponent: "Value is not a literal of the datatype the shape requires",
    SH.NodeKindConstraintComponent: "Value is not of the node kind the shape requires",
    SH.MinCountConstraintComponent: "Fewer values than the shape requires",
    SH.MaxCountConstraintComponent: "More values than the shape allows",
    SH.UniqueLangConstraintComponent: "More than one value in the same language",
    SH.QualifiedMinCountConstraintComponent: "Fewer values of the qualified shape than required",
    SH.QualifiedMaxCountConstraintComponent: "More values of the qualified shape than allowed",
    SH.ClosedConstraintComponent: "A property the closed shape does not allow",
    SH.HasValueConstraintComponent: "The value the shape requires is missing",
}


@dataclass(frozen=True)
class CompiledQuery:
    """One query; each solution is one result (``?this``, and ``?value``/``?path`` if given)."""

    shape: Node
    severity: URIRef
    component: URIRef
    messages: tuple[Literal, ...]
    path: str
    text: str
    constraint: Node | None = None
    #: SHACL-SPARQL: messages may hold {?var} templates filled from the solution
    templates: bool = False
    #: SHACL-SPARQL on a node shape: a result without ?value reports the focus node
    value_is_focus: bool = False


@dataclass
class Plan:
    """What the engine runs: the compiled queries, and the shapes left to the delegate."""

    queries: list[CompiledQuery] = field(default_factory=list)
    delegated: dict[Node, str] = field(default_factory=dict)


def _is_true(node: Node | None) -> bool:
    return isinstance(node, Literal) and node.value is True


def _integer(node: Node, what: str) -> int:
    if not isinstance(node, Literal) or not isinstance(node.value, int) \
            or isinstance(node.value, bool):
        raise Unsupported(f"{what} {node!r} is not an integer")
    return node.value


def _list(shapes: Graph, head: Node) -> list[Node]:
    if head != RDF.nil and shapes.value(head, RDF.first) is None:
        raise Unsupported(f"{head!r} is not an RDF list")
    return list(Collection(shapes, head))


def _iri_or_literal(node: Node) -> str:
    try:
        return constant(node)
    except ValueError:
        raise Unsupported(f"a blank node {node} as a constraint parameter") from None


def _plain(node: Node) -> str:
    """Return a literal parameter as SPARQL compares it (by value, not as the store keeps it)."""
    if isinstance(node, (URIRef, Literal)):
        return node.n3()
    raise Unsupported(f"a blank node {node} as a constraint parameter")


#: Regular-expression syntax that Python (pyshacl) and pyoxigraph do not read alike.
_REGEX_UNSAFE = re.compile(r"\(\?[=!<]|\\[1-9]|\\[pP]\{|\(\?[a-zA-Z]+\)|\\[AZzbBGh]")


def _regex(pattern: str, flags: str) -> tuple[str, str]:
    if _REGEX_UNSAFE.search(pattern) or set(flags) - set("imsx"):
        raise Unsupported(f"the regular expression {pattern!r} (flags {flags!r})")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ShapesError(f"sh:pattern {pattern!r} is not a valid regular expression ({exc})"
                          ) from None
    return pattern, flags


def shapes_with_targets(shapes: Graph) -> list[Node]:
    """Return the shapes that select focus nodes of their own (explicit or implicit targets)."""
    found: set[Node] = set()
    for predicate in (*_TARGETS, SH.target):
        found.update(shapes.subjects(predicate, None))
    classes = {RDFS.Class, *shapes.subjects(RDFS.subClassOf, RDFS.Class)}
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, kind):
            if any(t in classes for t in shapes.objects(shape, RDF.type)):
                found.add(shape)
    return sorted(found, key=lambda n: (isinstance(n, BNode), str(n)))


class Compiler:
    """Compiles shapes of one shapes graph; fresh variable names for each query."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self._names = count(1)
        self.custom_parameters = self._custom_parameters()

    def fresh(self) -> str:
        """Return a variable name not used anywhere else in the query being written."""
        return f"?v{next(self._names)}"

    def _custom_parameters(self) -> set[Node]:
        """Return the parameters of SPARQL-based constraint components (however typed)."""
        parameters: set[Node] = set()
        for parameter in self.shapes.objects(None, SH.parameter):
            parameters.update(self.shapes.objects(parameter, SH.path))
        return parameters

    # -- what a shape says ---------------------------------------------------------------------

    def one(self, shape: Node, predicate: URIRef) -> Node | None:
        """Return the single value of a parameter (a shape that gives it twice is not compiled)."""
        values = list(self.shapes.objects(shape, predicate))
        if len(values) > 1:
            raise Unsupported(f"{predicate} given {len(values)} times")
        return values[0] if values else None

    def severity(self, shape: Node) -> URIRef:
        """Return the shape's severity (sh:Violation when it gives none)."""
        severity = self.one(shape, SH.severity)
        if severity is None:
            return SH.Violation
        if not isinstance(severity, URIRef):
            raise Unsupported(f"the severity {severity!r}")
        return severity

    def messages(self, shape: Node, component: URIRef) -> tuple[Literal, ...]:
        """Return the shape's messages, or a generic one."""
        given = sorted((m for m in self.shapes.objects(shape, SH.message)
                        if isinstance(m, Literal)), key=lambda m: (m.language or "", str(m)))
        if given:
            return tuple(given)
        return (Literal(_DEFAULT_MESSAGES.get(component, "Value does not conform to the "
                                              f"{str(component).rsplit('#', 1)[-1]}")),)

    def constraints(self, shape: Node) -> Iterator[tuple[URIRef, Node]]:
        """Return the shape's constraint parameters in a stable order; refuse the unknown."""
        for predicate, parameter in sorted(self.shapes.predicate_objects(shape),
                                           key=lambda po: (str(po[0]), str(po[1]))):
            if predicate in _DESCRIPTIVE or predicate in _QUALIFIERS:
                continue
            if predicate in self.custom_parameters:
                raise Unsupported(f"the SPARQL-based constraint component of {predicate}")
            if predicate in COMPONENTS or predicate in (SH.property,):
                yield predicate, parameter  # type: ignore[misc]
            elif isinstance(predicate, URIRef) and str(predicate).startswith(str(SH)):
                raise Unsupported(f"{predicate} (not SHACL Core)")

    def path(self, shape: Node) -> tuple[str, bool]:
        """Return the shape's path as SPARQL, and whether it can be of length zero."""
        node = self.shapes.value(shape, SH.path)
        if node is None:
            raise Unsupported("no sh:path")
        return render_path(self.shapes, node), self._nullable(node)

    def _nullable(self, path: Node, depth: int = 0) -> bool:
        if depth > 32 or isinstance(path, URIRef):
            return False
        if self.shapes.value(path, RDF.first) is not None:
            return all(self._nullable(s, depth + 1) for s in Collection(self.shapes, path))
        if self.shapes.value(path, SH.zeroOrMorePath) is not None \
                or self.shapes.value(path, SH.zeroOrOnePath) is not None:
            return True
        for wrapper in (SH.inversePath, SH.oneOrMorePath):
            inner = self.shapes.value(path, wrapper)
            if inner is not None:
                return self._nullable(inner, depth + 1)
        options = self.shapes.value(path, SH.alternativePath)
        if options is not None:
            return any(self._nullable(s, depth + 1) for s in Collection(self.shapes, options))
        return False

    # -- value nodes ---------------------------------------------------------------------------

    def values(self, shape: Node, focus: str, this: str, value: str) -> str:
        """Return a pattern binding ``this`` to each focus node and ``value`` to each of its values.

        ``focus`` is the focus pattern already written for ``this``.
        """
        if self.shapes.value(shape, SH.path) is None:
            return f"{focus} BIND ({this} AS {value})"
        path, nullable = self.path(shape)
        if not nullable:
            return f"{focus} {this} {path} {value} ."
        return (f"{{ {focus} {this} {path} {value} . }} UNION "
                f"{{ {focus} BIND ({this} AS {value}) }}")

    def values_of(self, shape: Node, node: str, value: str) -> str:
        """Return a pattern for the values of a bound ``node`` (inside FILTER EXISTS)."""
        if self.shapes.value(shape, SH.path) is None:
            return f"BIND ({node} AS {value})"
        path, nullable = self.path(shape)
        if not nullable:
            return f"{node} {path} {value} ."
        return f"{{ {node} {path} {value} . }} UNION {{ BIND ({node} AS {value}) }}"

    # -- one value against one component -------------------------------------------------------

    def value_test(self, shape: Node, predicate: URIRef, parameter: Node, var: str,
                   stack: tuple[Node, ...]) -> str:
        """Return a SPARQL expression: true when ``var`` meets one per-value component."""
        if predicate == SH["class"]:
            return f"EXISTS {{ {var} {_SUBCLASS} {_plain(parameter)} }}"
        if predicate == SH.datatype:
            return self.datatype_test(parameter, var)
        if predicate == SH.nodeKind:
            kinds = {SH.IRI: f"isIRI({var})", SH.BlankNode: f"isBlank({var})",
                     SH.Literal: f"isLiteral({var})",
                     SH.BlankNodeOrIRI: f"(isIRI({var}) || isBlank({var}))",
                     SH.BlankNodeOrLiteral: f"(isBlank({var}) || isLiteral({var}))",
                     SH.IRIOrLiteral: f"(isIRI({var}) || isLiteral({var}))"}
            if parameter not in kinds:
                raise ShapesError(f"sh:nodeKind {parameter} is not a SHACL node kind")
            return kinds[parameter]  # type: ignore[index]
        if predicate == SH.pattern:
            flags_node = self.one(shape, SH.flags)
            pattern, flags = _regex(str(parameter), str(flags_node or ""))
            flag = f", {Literal(flags).n3()}" if flags else ""
            return (f"COALESCE(!isBlank({var}) && REGEX(STR({var}), {Literal(pattern).n3()}"
                    f"{flag}), false)")
        if predicate in (SH.minLength, SH.maxLength):
            operator = ">=" if predicate == SH.minLength else "<="
            length = _integer(parameter, str(predicate))
            return f"COALESCE(!isBlank({var}) && STRLEN(STR({var})) {operator} {length}, false)"
        if predicate == SH.languageIn:
            tags = _list(self.shapes, parameter)
            if not all(isinstance(t, Literal) for t in tags):
                raise Unsupported("sh:languageIn with a member that is not a literal")
            ranges = [f"langMatches(LANG({var}), {Literal(str(tag)).n3()})" for tag in tags]
            return f"COALESCE(isLiteral({var}) && ({' || '.join(ranges) or 'false'}), false)"
        if predicate == SH["in"]:
            members = [f"sameTerm({var}, {_iri_or_literal(m)})"
                       for m in _list(self.shapes, parameter)]
            return f"({' || '.join(members) or 'false'})"
        if predicate in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            if not isinstance(parameter, Literal):
                raise Unsupported(f"{predicate} {parameter!r} is not a literal")
            operator = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
                        SH.maxExclusive: "<"}[predicate]
            return f"COALESCE({value_expression(var)} {operator} {_plain(parameter)}, false)"
        if predicate == SH.node:
            return self.conforms(parameter, var, stack)
        if predicate == SH["not"]:
            return f"!({self.conforms(parameter, var, stack)})"
        if predicate in (SH["and"], SH["or"], SH.xone):
            members = [self.conforms(m, var, stack) for m in _list(self.shapes, parameter)]
            if predicate == SH["and"]:
                return "(" + " && ".join(members or ["true"]) + ")"
            if predicate == SH["or"]:
                return "(" + " || ".join(members or ["false"]) + ")"
            counted = " + ".join(f"IF({m}, 1, 0)" for m in members) or "0"
            return f"(({counted}) = 1)"
        raise Unsupported(str(predicate))

    def datatype_test(self, datatype: Node, var: str) -> str:
        """Return whether ``var`` is a well-formed literal of ``datatype`` (as pyshacl reads it)."""
        if not isinstance(datatype, URIRef):
            raise ShapesError(f"sh:datatype {datatype!r} is not an IRI")
        if datatype in (RDFS.Literal, RDFS.Datatype):
            raise Unsupported(f"sh:datatype {datatype} (pyshacl reads it its own way)")
        if str(datatype) in (_XSD + "string", str(RDF.langString)):
            return f"COALESCE(isLiteral({var}) && DATATYPE({var}) = <{datatype}>, false)"
        return f"COALESCE(DATATYPE({var}) = <{well_formed_datatype(str(datatype))}>, false)"

    # -- does a node conform to a shape --------------------------------------------------------

    def conforms(self, shape: Node, var: str, stack: tuple[Node, ...]) -> str:
        """Return a SPARQL expression: true when the node ``var`` conforms to ``shape``."""
        if shape in stack:
            raise Unsupported("a recursive shape")
        if len(stack) >= _MAX_DEPTH:
            raise Unsupported("shapes nested too deep")
        if _is_true(self.one(shape, SH.deactivated)):
            return "true"
        inner = (*stack, shape)
        if self.shapes.value(shape, SH.path) is not None:
            return self.property_conforms(shape, var, inner)
        tests = []
        for predicate, parameter in self.constraints(shape):
            if predicate in _PER_VALUE:
                tests.append(self.value_test(shape, predicate, parameter, var, inner))
            elif predicate == SH.property:
                tests.append(self.conforms(parameter, var, inner))
            elif predicate == SH.hasValue:
                tests.append(f"sameTerm({var}, {_iri_or_literal(parameter)})")
            elif predicate == SH.closed:
                if _is_true(parameter):
                    allowed = self.closed_allowed(shape)
                    other = self.fresh()
                    tests.append(f"NOT EXISTS {{ {var} {other} ?any_{other[1:]} "
                                 f"FILTER ({other} NOT IN ({allowed})) }}")
            elif predicate == SH.equals:
                other = self.fresh()
                tests.append(f"(NOT EXISTS {{ {var} {_plain(parameter)} {other} "
                             f"FILTER (!sameTerm({other}, {var})) }} && "
                             f"EXISTS {{ {var} {_plain(parameter)} {var} }})")
            elif predicate == SH.disjoint:
                tests.append(f"NOT EXISTS {{ {var} {_plain(parameter)} {var} }}")
            else:
                raise Unsupported(f"{predicate} on a node shape inside another shape")
        return "(" + " && ".join(tests) + ")" if tests else "true"

    def property_conforms(self, shape: Node, var: str, stack: tuple[Node, ...]) -> str:
        """Return whether the values of ``var`` on the shape's path meet its constraints."""
        tests = []

        def values(value: str) -> str:
            return self.values_of(shape, var, value)

        def distinct(names: list[str]) -> str:
            pairs = [f"!sameTerm({a}, {b})" for i, a in enumerate(names) for b in names[i + 1:]]
            return f"FILTER ({' && '.join(pairs)})" if pairs else ""

        def counted(predicate: URIRef, parameter: Node, at_least: bool,
                    condition: Callable[[str], str]) -> str:
            """At least (or at most) n distinct values that meet ``condition``."""
            bound = _integer(parameter, str(predicate))
            if at_least and bound == 0:
                return ""
            n = bound if at_least else bound + 1
            if n > 4:
                raise Unsupported(f"{predicate} {bound} inside another shape")
            names = [self.fresh() for _ in range(n)]
            pattern = " ".join(f"{{ {values(name)} {condition(name)} }}" for name in names)
            exists = f"EXISTS {{ {pattern} {distinct(names)} }}"
            return exists if at_least else f"!({exists})"

        for predicate, parameter in self.constraints(shape):
            if predicate in _PER_VALUE:
                v = self.fresh()
                test = self.value_test(shape, predicate, parameter, v, stack)
                tests.append(f"NOT EXISTS {{ {values(v)} FILTER (!({test})) }}")
            elif predicate == SH.property:
                v = self.fresh()
                test = self.conforms(parameter, v, stack)
                tests.append(f"NOT EXISTS {{ {values(v)} FILTER (!({test})) }}")
            elif predicate in (SH.minCount, SH.maxCount):
                test = counted(predicate, parameter, predicate == SH.minCount, lambda name: "")
                if test:
                    tests.append(test)
            elif predicate == SH.hasValue:
                v = self.fresh()
                tests.append(f"EXISTS {{ {values(v)} FILTER (sameTerm({v}, "
                             f"{_iri_or_literal(parameter)})) }}")
            elif predicate == SH.uniqueLang:
                if _is_true(parameter):
                    a, b = self.fresh(), self.fresh()
                    tests.append(f"NOT EXISTS {{ {{ {values(a)} }} {{ {values(b)} }} FILTER ("
                                 f"!sameTerm({a}, {b}) && LANG({a}) != \"\" && "
                                 f"LANG({a}) = LANG({b})) }}")
            elif predicate == SH.equals:
                a, b = self.fresh(), self.fresh()
                other = _plain(parameter)
                tests.append(f"(NOT EXISTS {{ {values(a)} FILTER NOT EXISTS {{ {var} {other} {a} }}"
                             f" }} && NOT EXISTS {{ {var} {other} {b} "
                             f"FILTER NOT EXISTS {{ {values(b)} }} }})")
            elif predicate == SH.disjoint:
                a = self.fresh()
                tests.append(f"NOT EXISTS {{ {values(a)} {var} {_plain(parameter)} {a} . }}")
            elif predicate in (SH.lessThan, SH.lessThanOrEquals):
                a, b = self.fresh(), self.fresh()
                operator = "<" if predicate == SH.lessThan else "<="
                tests.append(f"NOT EXISTS {{ {values(a)} {var} {_plain(parameter)} {b} . FILTER "
                             f"(!COALESCE({value_expression(a)} {operator} "
                             f"{value_expression(b)}, false)) }}")
            elif predicate in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
                if _is_true(self.one(shape, SH.qualifiedValueShapesDisjoint)):
                    raise Unsupported("sh:qualifiedValueShapesDisjoint inside another shape")
                qualified = self.one(shape, SH.qualifiedValueShape)
                if qualified is None:
                    raise ShapesError(f"{predicate} without sh:qualifiedValueShape")
                def matches(name: str, q: Node = qualified) -> str:
                    return f"FILTER ({self.conforms(q, name, stack)})"

                test = counted(predicate, parameter, predicate == SH.qualifiedMinCount, matches)
                if test:
                    tests.append(test)
            else:
                raise Unsupported(f"{predicate} on a property shape inside another shape")
        return "(" + " && ".join(tests) + ")" if tests else "true"

    def closed_allowed(self, shape: Node) -> str:
        """Return the predicates a closed shape allows, as a SPARQL list."""
        allowed: set[URIRef] = set()
        for member in self.shapes.objects(shape, SH.property):
            path = self.shapes.value(member, SH.path)
            if isinstance(path, URIRef):
                allowed.add(path)
        ignored = self.one(shape, SH.ignoredProperties)
        if ignored is not None:
            for node in _list(self.shapes, ignored):
                if not isinstance(node, URIRef):
                    raise Unsupported("sh:ignoredProperties with a member that is not an IRI")
                allowed.add(node)
        return ", ".join(f"<{p}>" for p in sorted(allowed))

    # -- the queries of a shape ----------------------------------------------------------------

    def shape_queries(self, shape: Node, focus: Focus, stack: tuple[Node, ...] = ()
                      ) -> list[CompiledQuery]:
        """Return the queries of every constraint of ``shape`` for the nodes ``focus`` binds."""
        from policing_kg.checks.shacl import sparql

        if shape in stack:
            raise Unsupported("a recursive shape")
        if len(stack) >= _MAX_DEPTH:
            raise Unsupported("shapes nested too deep")
        if _is_true(self.one(shape, SH.deactivated)):
            return []
        inner = (*stack, shape)
        node_level = self.shapes.value(shape, SH.path) is None
        path = "" if node_level else self.path(shape)[0]
        severity = self.severity(shape)
        queries: list[CompiledQuery] = []
        here, context = focus("?this")
        keep = "".join(f" {name}" for name in context)

        def add(component: URIRef, text: str) -> None:
            queries.append(CompiledQuery(shape, severity, component,
                                         self.messages(shape, component), path, text))

        values = self.values(shape, here, "?this", "?value")
        for predicate, parameter in self.constraints(shape):
            component = COMPONENTS.get(predicate)
            if predicate == SH["class"]:
                # the instances of the class are found once, not once per value
                add(SH.ClassConstraintComponent, f"SELECT DISTINCT ?this ?value{keep} WHERE {{ "
                    f"{values} MINUS {{ ?value {_SUBCLASS} {_plain(parameter)} }} }}")
            elif predicate in _PER_VALUE:
                test = self.value_test(shape, predicate, parameter, "?value", inner)
                assert component is not None
                add(component, f"SELECT DISTINCT ?this ?value{keep} WHERE {{ {values} "
                    f"FILTER (!({test})) }}")
            elif predicate == SH.property:
                nested_focus = focus if node_level else self.values_focus(shape, focus)
                queries += self.shape_queries(parameter, nested_focus, inner)
            elif predicate == SH.sparql:
                queries += sparql.compile_constraint(self, shape, parameter, here, path)
            elif predicate == SH.hasValue:
                term = _iri_or_literal(parameter)
                if node_level:
                    add(SH.HasValueConstraintComponent, f"SELECT ?this{keep} WHERE {{ {here} "
                        f"FILTER (!sameTerm(?this, {term})) }}")
                else:
                    v = self.fresh()
                    add(SH.HasValueConstraintComponent,
                        f"SELECT ?this{keep} WHERE {{ {here} FILTER NOT EXISTS {{ "
                        f"{self.values_of(shape, '?this', v)} FILTER (sameTerm({v}, {term})) }} }}")
            elif predicate == SH.closed:
                if not _is_true(parameter):
                    continue
                if not node_level:
                    raise Unsupported("sh:closed on a property shape")
                add(SH.ClosedConstraintComponent,
                    f"SELECT ?this ?path ?value{keep} WHERE {{ {here} ?this ?path ?value . "
                    f"FILTER (?path NOT IN ({self.closed_allowed(shape)})) }}")
            elif predicate == SH.equals:
                other = _plain(parameter)
                v = self.fresh()
                add(SH.EqualsConstraintComponent,
                    f"SELECT DISTINCT ?this ?value{keep} WHERE {{ {{ {values} FILTER NOT EXISTS "
                    f"{{ ?this {other} ?value }} }} UNION {{ {here} ?this {other} ?value . "
                    f"FILTER NOT EXISTS {{ {self.values_of(shape, '?this', v)} "
                    f"FILTER (sameTerm({v}, ?value)) }} }} }}")
            elif predicate == SH.disjoint:
                add(SH.DisjointConstraintComponent,
                    f"SELECT DISTINCT ?this ?value{keep} WHERE {{ {values} "
                    f"?this {_plain(parameter)} ?value . }}")
            elif predicate in (SH.lessThan, SH.lessThanOrEquals):
                if node_level:
                    raise Unsupported(f"{predicate} on a node shape")
                operator = "<" if predicate == SH.lessThan else "<="
                assert component is not None
                # one result for each pair of values that are out of order, as SHACL says
                add(component, f"SELECT DISTINCT ?this ?value ?other{keep} WHERE {{ {values} "
                    f"?this {_plain(parameter)} ?other . FILTER (!COALESCE("
                    f"{value_expression('?value')} {operator} {value_expression('?other')}, "
                    "false)) }")
            elif node_level:
                raise Unsupported(f"{predicate} on a node shape")
            elif predicate in (SH.minCount, SH.maxCount):
                bound = _integer(parameter, str(predicate))
                group = f"GROUP BY ?this{keep}"
                if predicate == SH.minCount:
                    if bound == 0:
                        continue
                    _, nullable = self.path(shape)
                    if nullable:
                        body = f"{{ {values} }} UNION {{ {here} }}"
                    else:
                        body = (f"{here} OPTIONAL {{ "
                                f"{self.values_of(shape, '?this', '?value')} }}")
                    add(SH.MinCountConstraintComponent, f"SELECT ?this{keep} WHERE {{ {body} }} "
                        f"{group} HAVING (COUNT(DISTINCT ?value) < {bound})")
                else:
                    add(SH.MaxCountConstraintComponent, f"SELECT ?this{keep} WHERE {{ {values} }}"
                        f" {group} HAVING (COUNT(DISTINCT ?value) > {bound})")
            elif predicate == SH.uniqueLang:
                if not _is_true(parameter):
                    continue
                v = self.fresh()
                add(SH.UniqueLangConstraintComponent,
                    f"SELECT DISTINCT ?this (LANG(?value) AS ?language){keep} WHERE {{ {values} "
                    f"FILTER (LANG(?value) != \"\" && EXISTS {{ "
                    f"{self.values_of(shape, '?this', v)} FILTER (!sameTerm({v}, ?value) && "
                    f"LANG({v}) = LANG(?value)) }}) }}")
            elif predicate in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
                queries += self.qualified(shape, predicate, parameter, here, keep, values, inner,
                                          severity, path)
            else:
                raise Unsupported(str(predicate))
        return queries

    def values_focus(self, shape: Node, focus: Focus) -> Focus:
        """Return the focus of a property shape's nested sh:property: the shape's value nodes."""
        def nested(var: str) -> tuple[str, tuple[str, ...]]:
            up = self.fresh()
            outer, context = focus(up)
            keep = " ".join((*context, up))
            return (f"{{ SELECT DISTINCT {keep} {var} WHERE {{ "
                    f"{self.values(shape, outer, up, var)} }} }}", (*context, up))
        return nested

    def qualified(self, shape: Node, predicate: URIRef, parameter: Node, here: str, keep: str,
                  values: str, stack: tuple[Node, ...], severity: URIRef, path: str
                  ) -> list[CompiledQuery]:
        """Return the query of sh:qualifiedMinCount or sh:qualifiedMaxCount."""
        qualified = self.one(shape, SH.qualifiedValueShape)
        if qualified is None:
            raise ShapesError(f"{predicate} without sh:qualifiedValueShape")
        bound = _integer(parameter, str(predicate))
        if predicate == SH.qualifiedMinCount and bound == 0:
            return []
        tests = [self.conforms(qualified, "?value", stack)]
        if _is_true(self.one(shape, SH.qualifiedValueShapesDisjoint)):
            for sibling in self.siblings(shape, qualified):
                tests.append(f"!({self.conforms(sibling, '?value', stack)})")
        matching = " && ".join(tests)
        if predicate == SH.qualifiedMinCount:
            body = f"{{ {values} FILTER ({matching}) }} UNION {{ {here} }}"
            having = f"COUNT(DISTINCT ?value) < {bound}"
        else:
            body = f"{values} FILTER ({matching})"
            having = f"COUNT(DISTINCT ?value) > {bound}"
        component = COMPONENTS[predicate]
        return [CompiledQuery(shape, severity, component, self.messages(shape, component), path,
                              f"SELECT ?this{keep} WHERE {{ {body} }} GROUP BY ?this{keep} "
                              f"HAVING ({having})")]

    def siblings(self, shape: Node, qualified: Node) -> list[Node]:
        """Return the other qualified value shapes of the property shapes of the shape's parents."""
        found: set[Node] = set()
        for parent in self.shapes.subjects(SH.property, shape):
            for member in self.shapes.objects(parent, SH.property):
                if member == shape:
                    continue
                found.update(self.shapes.objects(member, SH.qualifiedValueShape))
        found.discard(qualified)
        return sorted(found, key=str)

    # -- targets -------------------------------------------------------------------------------

    def target_focus(self, shape: Node) -> Focus:
        """Return the focus of a shape's own targets (explicit, and implicit class targets)."""
        targets: list[tuple[str, Node]] = [
            (kind, target) for kind, predicate in (
                ("class", SH.targetClass), ("node", SH.targetNode),
                ("subjects", SH.targetSubjectsOf), ("objects", SH.targetObjectsOf))
            for target in sorted(self.shapes.objects(shape, predicate), key=str)]
        if self.shapes.value(shape, SH.target) is not None:
            raise Unsupported("a SHACL-AF target (sh:target)")
        classes = {RDFS.Class, *self.shapes.subjects(RDFS.subClassOf, RDFS.Class)}
        if any(t in classes for t in self.shapes.objects(shape, RDF.type)):
            if isinstance(shape, BNode):
                raise Unsupported("an implicit class target on a blank node")
            targets.append(("class", shape))
        for kind, target in targets:  # refuse a bad target now, not when the query is written
            _iri_or_literal(target) if kind == "node" else _plain(target)

        def branch(kind: str, target: Node, v: str) -> str:
            if kind == "class":
                return f"{{ {v} {_SUBCLASS} {_plain(target)} }}"
            if kind == "node":
                return f"{{ BIND ({_iri_or_literal(target)} AS {v}) }}"
            if kind == "subjects":
                return f"{{ {v} {_plain(target)} ?any_subject_{v[1:]} }}"
            return f"{{ ?any_object_{v[1:]} {_plain(target)} {v} }}"

        def focus(var: str) -> tuple[str, tuple[str, ...]]:
            union = " UNION ".join(branch(kind, target, var) for kind, target in targets)
            return f"{{ SELECT DISTINCT {var} WHERE {{ {union} }} }}", ()
        return focus


def compile_plan(shapes: Graph) -> Plan:
    """Compile every shape with targets; the others it reaches are compiled through them."""
    import pyoxigraph as ox

    plan = Plan()
    checker = ox.Store()
    for shape in shapes_with_targets(shapes):
        compiler = Compiler(shapes)
        try:
            if _is_true(compiler.one(shape, SH.deactivated)):
                continue
            queries = compiler.shape_queries(shape, compiler.target_focus(shape))
            for query in queries:  # a query pyoxigraph cannot read is not run: delegate
                try:
                    checker.query(query.text)
                except SyntaxError as exc:
                    detail = " ".join(str(exc).split())[:160]
                    raise Unsupported(f"the compiled query does not parse ({detail})") from None
        except (Unsupported, ValueError, TypeError) as exc:
            plan.delegated[shape] = str(exc)
            continue
        plan.queries += queries
    return plan
