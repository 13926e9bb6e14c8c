"""SHACL validation of the dataset with pyshacl, reported as plain records."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH

from policing_kg.errors import DataError

__all__ = ["ShapeResult", "ShapeReport", "load_shapes", "validate_graph"]


@dataclass(frozen=True, order=True)
class ShapeResult:
    """One validation result: the focus node, the shape's severity, path, value and message."""

    severity: str
    focus: str
    path: str
    value: str
    message: str
    shape: str


@dataclass(frozen=True)
class ShapeReport:
    """The outcome of validating a graph."""

    conforms: bool
    results: tuple[ShapeResult, ...]

    def violations(self) -> list[ShapeResult]:
        """Return the results of severity ``Violation``."""
        return [r for r in self.results if r.severity == "Violation"]


def load_shapes(directory: Path) -> Graph:
    """Read every ``*.ttl`` file of ``shapes/`` into one shapes graph."""
    shapes = Graph()
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise DataError("no shapes (*.ttl)", where=str(directory))
    for path in files:
        try:
            shapes.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many kinds of parse error
            raise DataError(f"the shapes do not parse: {exc}", where=str(path)) from None
    return shapes


def _text(graph: Graph, node: object) -> str:
    return "" if node is None else str(node)


def validate_graph(data: Graph, shapes: Graph) -> ShapeReport:
    """Validate ``data`` (which includes the ontology) against ``shapes`` with pyshacl."""
    from pyshacl import validate  # heavy: imported only when validating

    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none",
                                   advanced=True, allow_warnings=True)
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(result, SH.resultSeverity)
        results.append(ShapeResult(
            severity=str(severity).rsplit("#", 1)[-1] if isinstance(severity, URIRef) else "",
            focus=_text(report, report.value(result, SH.focusNode)),
            path=_text(report, report.value(result, SH.resultPath)),
            value=_text(report, report.value(result, SH.value)),
            message=_text(report, report.value(result, SH.resultMessage)),
            shape=_text(report, report.value(result, SH.sourceShape)),
        ))
    return ShapeReport(bool(conforms), tuple(sorted(results)))
