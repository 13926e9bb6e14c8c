"""HermiT against the build: consistency, and the same inferred links as the build's."""

from __future__ import annotations

from dataclasses import dataclass

from policing_kg.assembly.assemble import assemble
from policing_kg.assembly.graph import union_graph
from policing_kg.checks.consistency import Consistency, check_consistency
from policing_kg.errors import NotConforming
from policing_kg.project import Project

__all__ = ["ReasoningReport", "reason_project"]


@dataclass(frozen=True)
class ReasoningReport:
    """HermiT's verdict on the graph, and its inferred links beside the materialised ones."""

    consistency: Consistency
    materialised: frozenset[tuple[str, str, str]]
    hermit: frozenset[tuple[str, str, str]]

    @property
    def agree(self) -> bool:
        """Whether HermiT infers exactly the links the build materialised."""
        return self.materialised == self.hermit

    def lines(self) -> list[str]:
        """Return the verdict for people (standard output)."""
        if not self.consistency.consistent:
            return []
        lines = [f"HermiT: consistent ({self.consistency.triples} triples)",
                 f"inferred links: {len(self.hermit)} by HermiT, {len(self.materialised)} "
                 "materialised by the build"]
        return lines + (["they are the same links"] if self.agree else [])

    def failure(self) -> NotConforming | None:
        """Return the one-line error when the graph is inconsistent or the links differ."""
        if not self.consistency.consistent:
            return NotConforming(f"inconsistent: {self.consistency.explanation}")
        if self.agree:
            return None
        only_hermit = sorted(self.hermit - self.materialised)
        only_build = sorted(self.materialised - self.hermit)
        return NotConforming(f"they differ: {len(only_hermit)} only in HermiT's (first: "
                             f"{only_hermit[:1]}), {len(only_build)} only in the build's "
                             f"(first: {only_build[:1]})")


def reason_project(project: Project) -> ReasoningReport:
    """Run HermiT on the graph without its ``inferred`` layer: consistency, then the links."""
    from policing_kg.assembly.inference import rules_from_ontology
    from policing_kg.checks.consistency import hermit_links
    from policing_kg.common.iris import graph_iri, graph_order

    assembly = assemble(project)
    inferred = graph_iri("inferred")
    graphs = graph_order([spec.id for spec in assembly.specs])
    stated = union_graph(assembly.dataset, [g for g in graphs if g != inferred])
    consistency = check_consistency(stated)
    if not consistency.consistent:
        return ReasoningReport(consistency, frozenset(), frozenset())
    ontology = union_graph(assembly.dataset, [graph_iri("ontology")])
    heads = {rule.head for rule in rules_from_ontology(ontology)}
    materialised = frozenset((str(s), str(p), str(o))
                             for s, p, o in union_graph(assembly.dataset, [inferred])
                             if str(p) in heads)
    return ReasoningReport(consistency, materialised, frozenset(hermit_links(stated, heads)))
