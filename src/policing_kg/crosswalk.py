"""Crosswalk checks: are the curated mapping sets sound, and what do they leave uncovered."""

from __future__ import annotations

from dataclasses import dataclass

from policing_kg.build import Project, assemble
from policing_kg.iris import item_iri
from policing_kg.mappings import Coverage, MappingSet, coverage
from policing_kg.records import ItemKind

__all__ = ["CrosswalkReport", "COVERED_KINDS", "check_crosswalks"]

#: The kinds of item whose coverage the check reports, with their names.
COVERED_KINDS = {
    ItemKind.STRATEGIC_GOAL: "strategic goal",
    ItemKind.GLOBAL_POLICING_GOAL: "global policing goal",
    ItemKind.PROGRAMME_OBJECTIVE: "programme objective",
    ItemKind.CROSS_CUTTING_THEME: "cross-cutting theme",
}


@dataclass(frozen=True)
class CrosswalkReport:
    """The mapping sets, and the coverage of goals, objectives and themes."""

    sets: tuple[MappingSet, ...]
    coverage: Coverage
    totals: dict[str, int]


def check_crosswalks(project: Project) -> CrosswalkReport:
    """Check every mapping against the graph (failing on a bad one) and report coverage."""
    assembly = assemble(project)  # raises on a mapping with no justification or no item
    sets = assembly.mapping_sets
    items: dict[str, str] = {}
    for conversion in assembly.conversions:
        for item in conversion.items:
            if item.kind in COVERED_KINDS:
                items[str(item_iri(item.document, item.path))] = COVERED_KINDS[item.kind]
    totals: dict[str, int] = {}
    for kind in items.values():
        totals[kind] = totals.get(kind, 0) + 1
    return CrosswalkReport(tuple(sets), coverage(sets, items), totals)
