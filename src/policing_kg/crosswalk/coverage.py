"""Crosswalk checks: are the curated mapping sets sound, and what do they leave uncovered.

Exit codes: a problem has the same one from ``crosswalk check`` as from ``build`` (the README's
table, :mod:`policing_kg.errors`): a mapping row that does not conform — to the loader's rules
or to the shapes — exits 1 from both, every bad row listed at its ``file:line``; a file that
cannot be read (bad input) exits 2 from both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from policing_kg.assembly.assemble import assemble
from policing_kg.assembly.names import Names, clip
from policing_kg.checks.shacl import ShapeReport
from policing_kg.checks.shacl.results import ShapeResult
from policing_kg.common.iris import PKG, SDG, item_iri, short_id
from policing_kg.common.sorting import natural_key
from policing_kg.crosswalk.links import REACHING_RULE, read_crosswalk
from policing_kg.curation.mappings import (
    NO_TERM_FOUND,
    Coverage,
    MappingSet,
    coverage,
    mapping_node,
)
from policing_kg.extraction.records import ItemKind
from policing_kg.project import Project

__all__ = ["CrosswalkReport", "COVERED_KINDS", "check_crosswalks", "row_problems",
           "place_violations"]

#: The kinds of item whose coverage the check reports, with their names.
COVERED_KINDS = {
    ItemKind.STRATEGIC_GOAL: "strategic goal",
    ItemKind.GLOBAL_POLICING_GOAL: "global policing goal",
    ItemKind.GOAL_STATEMENT: "goal statement",
    ItemKind.CROSS_CUTTING_THEME: "cross-cutting theme",
    ItemKind.THEME_STATEMENT: "theme statement",
    ItemKind.PROGRAMME_OBJECTIVE: "programme objective",
    ItemKind.EXPECTED_OUTCOME: "expected outcome",
}
#: The SDGs that INTERPOL names for all seven goals (FACTS.md): their targets that nothing
#: reaches are listed in full.
NAMED_SDGS = ("5", "16", "17")


@dataclass(frozen=True)
class CrosswalkReport:
    """The mapping sets, and the coverage of goals, objectives, themes and SDGs."""

    sets: tuple[MappingSet, ...]
    coverage: Coverage
    totals: dict[str, int]
    #: SDG goals (neither they nor a target of theirs mapped) and targets (not mapped), by code
    sdg_unmapped: dict[str, list[str]] = field(default_factory=dict)
    sdg_totals: dict[str, int] = field(default_factory=dict)
    #: rows that break the shapes, as ``file:line: message`` (the build's SHACL, the same rules
    #: that ``policing-kg validate`` applies to the same links written as RDF)
    problems: tuple[str, ...] = ()
    #: statements of the Global Policing Goals that no programme objective or outcome delivers
    undelivered: tuple[str, ...] = ()
    statements: int = 0

    #: the names of the items and SDGs, to show labels first (read from the crosswalk)
    names: Names | None = None

    def _name(self, iri: str) -> str:
        if self.names is None:
            return short_id(iri)
        label = clip(self.names.label(iri), 40)
        notation = self.names.notation(iri)
        return f"{notation + ' ' if notation else ''}{label} ({short_id(iri)})"

    def _code(self, code: str) -> str:
        if self.names is None:
            return code
        return f"{code} {clip(self.names.label(SDG + code), 30)}"

    def lines(self) -> list[str]:
        """Return the sets, and what nothing maps (goals, objectives, themes, SDGs), for people."""
        covered = self.coverage
        lines = [f"{len(self.sets)} mapping sets, {covered.mappings} mappings: all justified, "
                 "all pointing at items of the graph of the kinds the shapes require"]
        for mapping_set in self.sets:
            rows = mapping_set.mappings
            subjects = {m.subject for m in rows}
            none = {m.subject for m in rows if m.object == NO_TERM_FOUND}
            objects = {m.object for m in rows if m.object != NO_TERM_FOUND}
            lines.append(f"  {mapping_set.path}: {len(rows)} ({len(subjects)} subjects, "
                         f"{len(none)} ruled not mappable, {len(objects)} objects reached)")
        lines.append("with no curated row (as subject, object or ruling; a subject ruled not "
                     "mappable counts as considered):")
        for kind, total in sorted(self.totals.items()):
            missing = covered.unmapped.get(kind, [])
            names = "; ".join(self._name(iri) for iri in missing)
            lines.append(f"  {kind}: {len(missing)} of {total}" + (f" — {names}" if names else ""))
        if covered.unmappable:
            names = "; ".join(self._name(iri) for iri in covered.unmappable)
            lines.append(f"ruled not mappable (sssom:NoTermFound): {names}")
        lines.append(f"SDGs that nothing reaches ({REACHING_RULE}):")
        for kind, total in self.sdg_totals.items():
            missing = self.sdg_unmapped.get(kind, [])
            shown = ", ".join(missing) if len(missing) <= 20 else (
                f"{', '.join(missing[:20])}, … (+{len(missing) - 20})")
            lines.append(f"  {kind}: {len(missing)} of {total}" + (f" — {shown}" if shown else ""))
        for goal in NAMED_SDGS:
            missing = [code for code in self.sdg_unmapped.get("SDG target", [])
                       if code.split(".")[0] == goal]
            lines.append(f"  SDG {goal} targets reached by nothing: {len(missing)}"
                         + (f" — {'; '.join(self._code(c) for c in missing)}" if missing else ""))
        if self.statements:
            names = "; ".join(self._name(iri) for iri in self.undelivered)
            lines.append(f"statements no programme work delivers (no pkg:delivers link, curated "
                         f"or inferred): {len(self.undelivered)} of {self.statements}"
                         + (f" — {names}" if names else ""))
        return lines


def row_problems(sets: Sequence[MappingSet], report: ShapeReport) -> list[str]:
    """Place each SHACL violation about a mapping (its node or its direct triple) at its row."""
    return place_violations(sets, report)[0]


def place_violations(sets: Sequence[MappingSet],
                     report: ShapeReport) -> tuple[list[str], list[ShapeResult]]:
    """Place each SHACL violation about a mapping at its row; return those and the others."""
    by_node: dict[str, list[str]] = {}
    by_triple: dict[tuple[str, str, str], list[str]] = {}
    by_subject: dict[str, list[str]] = {}
    for mapping_set in sets:
        for m in mapping_set.mappings:
            where = f"{mapping_set.path}:{m.line}"
            by_node.setdefault(mapping_node(mapping_set, m), []).append(where)
            by_triple.setdefault((m.subject, f"<{m.predicate}>", m.object), []).append(where)
            by_subject.setdefault(m.subject, []).append(where)
    problems: set[str] = set()
    others: list[ShapeResult] = []
    for result in report.violations():
        focus, value = str(result.focus), str(result.value) if result.value is not None else ""
        rows = by_node.get(focus) or by_triple.get((focus, result.path, value))
        if rows is None and result.path == "" and str(result.shape).endswith("#Crosswalk"):
            rows = by_subject.get(focus)
        if not rows:
            others.append(result)
        for where in rows or []:
            detail = f" ({value})" if value else ""
            problems.add(f"{where}: {result.message}{detail}")
    return sorted(problems, key=_by_file_and_line), others


def _by_file_and_line(problem: str) -> tuple[str, int]:
    file, _, rest = problem.partition(":")
    number = rest.split(":", 1)[0]
    return file, int(number) if number.isdigit() else 0


def check_crosswalks(project: Project) -> CrosswalkReport:
    """Check every mapping against the graph (failing on a bad one) and report coverage."""
    # a row with no justification, no item, stated twice: NonConformingData (exit 1), every bad
    # row listed, as the build does; an unreadable file is bad input (exit 2), as in the build
    assembly = assemble(project)
    sets = assembly.mapping_sets
    items: dict[str, str] = {}
    for conversion in assembly.conversions:
        for item in conversion.items:
            if item.kind in COVERED_KINDS:
                items[str(item_iri(item.document, item.path))] = COVERED_KINDS[item.kind]
    totals: dict[str, int] = {}
    for kind in items.values():
        totals[kind] = totals.get(kind, 0) + 1
    from policing_kg.curation.sdg_table import load_sdg_table

    table = load_sdg_table(project.sdg_table)
    from policing_kg.assembly.graph import union_graph
    from policing_kg.common.terms import oxigraph_store

    union = union_graph(assembly.dataset)
    crosswalk = read_crosswalk(oxigraph_store(union))
    sdg_unmapped: dict[str, list[str]] = {"SDG goal": [], "SDG target": []}
    for row in table.rows:  # the crosswalk's rule: a goal is reached through its targets too
        if not crosswalk.reaching(SDG + row.code):
            sdg_unmapped[f"SDG {row.kind}"].append(row.code)
    sdg_totals = {"SDG goal": len(table.goals), "SDG target": len(table.targets)}
    from policing_kg.checks.shacl import load_shapes, validate_graph

    report = validate_graph(union, load_shapes(project.shapes))
    statement_kinds = (COVERED_KINDS[ItemKind.GOAL_STATEMENT],
                       COVERED_KINDS[ItemKind.THEME_STATEMENT])
    statements = sorted((iri for iri, kind in items.items() if kind in statement_kinds),
                        key=natural_key)
    delivered = {iri for iri in statements
                 if any(link.predicate == str(PKG.delivers) for link in crosswalk.reaching(iri))}
    return CrosswalkReport(tuple(sets), coverage(sets, items), totals, sdg_unmapped, sdg_totals,
                           tuple(row_problems(sets, report)),
                           tuple(iri for iri in statements if iri not in delivered),
                           len(statements), crosswalk.names)
