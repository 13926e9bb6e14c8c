"""Crosswalk checks: are the curated mapping sets sound, and what do they leave uncovered."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """The mapping sets, and the coverage of goals, objectives, themes and SDGs."""

    sets: tuple[MappingSet, ...]
    coverage: Coverage
    totals: dict[str, int]
    #: SDG goals (neither they nor a target of theirs mapped) and targets (not mapped), by code
    sdg_unmapped: dict[str, list[str]] = field(default_factory=dict)
    sdg_totals: dict[str, int] = field(default_factory=dict)


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
    from policing_kg.sdg import SDG, load_sdg_table

    table = load_sdg_table(project.sdg_table)
    pointed = {m.object for mapping_set in sets for m in mapping_set.mappings}
    sdg_unmapped: dict[str, list[str]] = {"SDG goal": [], "SDG target": []}
    # a goal counts as covered when a mapping points at it or at one of its targets
    reached = {row.goal for row in table.rows if SDG + row.code in pointed}
    for row in table.rows:
        covered = row.goal in reached if row.kind == "goal" else SDG + row.code in pointed
        if not covered:
            sdg_unmapped[f"SDG {row.kind}"].append(row.code)
    sdg_totals = {"SDG goal": len(table.goals), "SDG target": len(table.targets)}
    return CrosswalkReport(tuple(sets), coverage(sets, items), totals, sdg_unmapped, sdg_totals)
