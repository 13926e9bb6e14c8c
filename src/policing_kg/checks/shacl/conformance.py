"""Whether a node conforms to a shape, written as one SPARQL expression.

For sh:node, sh:not, sh:and, sh:or, sh:xone and qualified value shapes; and the tests of one
value against one component.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from policing_kg.checks.shacl.results import ShapesError
from policing_kg.checks.shacl.shapes import (
    _MAX_DEPTH,
    _PER_VALUE,
    _SUBCLASS,
    _XSD,
    ShapeReader,
    Unsupported,
    _integer,
    _iri_or_literal,
    _is_true,
    _list,
    _plain,
    _regex,
)
from policing_kg.checks.shacl.store import value_expression, well_formed_datatype

__all__ = ["Conformance"]


class Conformance(ShapeReader):
    """Writes the SPARQL tests of values and of conformance to shapes."""

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
