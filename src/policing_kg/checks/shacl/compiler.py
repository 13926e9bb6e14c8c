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

from dataclasses import dataclass, field

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import BNode, Node

from policing_kg.checks.shacl.conformance import Conformance
from policing_kg.checks.shacl.results import ShapesError
from policing_kg.checks.shacl.shapes import (
    _MAX_DEPTH,
    _PER_VALUE,
    _SUBCLASS,
    _TARGETS,
    COMPONENTS,
    Focus,
    Unsupported,
    _integer,
    _iri_or_literal,
    _is_true,
    _plain,
)
from policing_kg.checks.shacl.store import value_expression

__all__ = ["Unsupported", "CompiledQuery", "Plan", "compile_plan", "shapes_with_targets",
           "COMPONENTS", "Focus"]


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


class Compiler(Conformance):
    """Compiles the shapes of one shapes graph into queries."""

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
