"""The whole flow, sources to release: ``build_release`` is what ``policing-kg build`` runs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from policing_kg import __version__
from policing_kg.assembly.assemble import assemble
from policing_kg.assembly.graph import union_graph
from policing_kg.checks.consistency import Consistency, check_consistency
from policing_kg.checks.shacl import ShapeReport, load_shapes, validate_graph
from policing_kg.common.iris import graph_order
from policing_kg.errors import NotConforming
from policing_kg.project import Project
from policing_kg.release.publish import Release, publish

__all__ = ["BuildFailed", "BuildResult", "build_release"]


class BuildFailed(NotConforming):
    """The built graph does not conform to its shapes or is inconsistent: nothing published."""

    def __init__(self, what: str, *, report: ShapeReport | None = None,
                 consistency: Consistency | None = None) -> None:
        super().__init__(what, hint="nothing was published; the previous dist/ is intact")
        self.report = report
        self.consistency = consistency


@dataclass
class BuildResult:
    """What a build did: items per document and kind, lines set aside, checks, the release."""

    items: dict[str, Counter[str]] = field(default_factory=dict)
    ignored_lines: int = 0
    report: ShapeReport | None = None
    consistency: Consistency | None = None
    release: Release | None = None

    def lines(self) -> list[str]:
        """Do what the build did, for people: a line per document, the checks, the release."""
        lines = [f"{document}: {sum(counts.values())} items ("
                 + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) + ")"
                 for document, counts in self.items.items()]
        lines.append(f"{self.ignored_lines} source lines set aside by the manifest's ignore rules")
        if self.report is not None:
            verdict = "conforms" if self.report.conforms else "does not conform"
            lines.append(f"SHACL: {verdict} ({len(self.report.results)} result(s), "
                         f"{len(self.report.violations())} violation(s))")
        lines.append(f"HermiT: consistent ({self.consistency.triples} triples reasoned over)"
                     if self.consistency is not None else "HermiT: skipped (--skip-reasoner)")
        if self.release is not None:
            lines.append(f"published {len(self.release.checksums)} files to "
                         f"{self.release.directory}: {self.release.triples} triples, "
                         f"{self.release.quads} quads in {len(self.release.graph_triples)} "
                         "named graphs")
        return lines


def build_release(project: Project, out_dir: Path, *, reason: bool = True,
                  base_url: str | None = None) -> BuildResult:
    """Build the graph, validate it, check it with the reasoner, and publish it to ``out_dir``.

    ``out_dir`` must be new, empty, or an earlier release: never the checkout, a folder that
    holds it, or one of its input folders (:func:`.rdf.files.check_release_target`).
    """
    from policing_kg.common.files import check_release_target

    project.check()
    out_dir = check_release_target(out_dir, project.root)
    assembly = assemble(project)
    result = BuildResult()
    for spec, conversion in zip(assembly.specs, assembly.conversions, strict=True):
        result.items[spec.id] = Counter(item.kind.value for item in conversion.items)
        result.ignored_lines += len(conversion.ignored_lines)
    union = union_graph(assembly.dataset)
    result.report = validate_graph(union, load_shapes(project.shapes))
    from policing_kg.checks.vocabulary import Vocabulary, undefined_terms
    from policing_kg.common.terms import quads_of_graph

    quads = quads_of_graph(union)
    undefined = undefined_terms(quads, Vocabulary(quads))
    if undefined:
        raise BuildFailed(f"{len(undefined)} term(s) of the pkg: namespace that the ontology "
                          f"does not define; first: {undefined[0].message}")
    violations = result.report.violations()
    if violations:
        first = violations[0]
        raise BuildFailed(f"{len(violations)} SHACL violation(s); first: {first.focus} "
                          f"{first.path}: {first.message}", report=result.report)
    if reason:
        result.consistency = check_consistency(union)
        if not result.consistency.consistent:
            raise BuildFailed(f"the graph is inconsistent (HermiT): "
                              f"{result.consistency.explanation}",
                              consistency=result.consistency)
    result.release = publish(
        assembly.dataset, out_dir, version=__version__,
        graph_order=graph_order([spec.id for spec in assembly.specs]),
        sources=sorted(assembly.sources), base_url=base_url,
        extra_files={"policing-kg-ontology.ttl": project.ontology.read_bytes()},
    )
    return result
