"""The whole flow, sources to release: ``build_release`` is what ``policing-kg build`` runs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from policing_kg import __version__
from policing_kg.checks.shacl import ShapeReport, load_shapes, validate_graph
from policing_kg.converters import convert_all
from policing_kg.curation import load_curation
from policing_kg.errors import PolicingKGError
from policing_kg.graph import add_layer, build_dataset, union_graph
from policing_kg.mappings import MappingSet
from policing_kg.publish import Release, graph_order, publish
from policing_kg.reason import Consistency, check_consistency
from policing_kg.records import Conversion
from policing_kg.sources import DocumentSpec, SourceText, load_manifest

__all__ = ["Project", "BuildFailed", "BuildResult", "assemble", "build_release", "locate_project"]


@dataclass(frozen=True)
class Project:
    """Where a checkout keeps its inputs."""

    root: Path

    @property
    def data(self) -> Path:
        """``data/``: sources, labels, curation."""
        return self.root / "data"

    @property
    def sources(self) -> Path:
        """``data/sources/``: the source texts and their manifest."""
        return self.data / "sources"

    @property
    def manifest(self) -> Path:
        """The manifest of documents."""
        return self.sources / "manifest.toml"

    @property
    def ontology(self) -> Path:
        """The OWL ontology."""
        return self.root / "ontology" / "policing-kg.ttl"

    @property
    def sdg_table(self) -> Path:
        """The project's table of SDG goals and targets."""
        return self.data / "sdg" / "sdg-goals-targets.toml"

    @property
    def shapes(self) -> Path:
        """The SHACL shapes folder."""
        return self.root / "shapes"

    @property
    def queries(self) -> Path:
        """The stored queries folder."""
        return self.root / "queries"

    def check(self) -> None:
        """Fail with one line when this is not a policing-kg checkout."""
        if not self.manifest.is_file():
            raise PolicingKGError("not a policing-kg project (no data/sources/manifest.toml)",
                                  where=str(self.root),
                                  hint="run from the checkout or pass --project DIR")


def locate_project(given: Path | None = None) -> Project:
    """Return the project to work on.

    That is the one given; else the current directory if it is a checkout; else the copy of
    the project's files shipped inside an installed package.
    """
    if given is not None:
        return Project(given)
    here = Project(Path.cwd())
    if here.manifest.is_file():
        return here
    bundled = Project(Path(__file__).resolve().parent / "_project")
    return bundled if bundled.manifest.is_file() else here


class BuildFailed(PolicingKGError):
    """The built graph does not conform to its shapes or is inconsistent: nothing published."""

    def __init__(self, what: str, *, report: ShapeReport | None = None,
                 consistency: Consistency | None = None) -> None:
        super().__init__(what, hint="nothing was published; the previous dist/ is intact")
        self.report = report
        self.consistency = consistency


@dataclass(frozen=True)
class Assembly:
    """The dataset and what went into it."""

    specs: list[DocumentSpec]
    conversions: list[Conversion]
    sources: dict[str, SourceText]
    dataset: Dataset
    mapping_sets: list[MappingSet]


@dataclass
class BuildResult:
    """What a build did: items per document and kind, lines set aside, checks, the release."""

    items: dict[str, Counter[str]] = field(default_factory=dict)
    ignored_lines: int = 0
    report: ShapeReport | None = None
    consistency: Consistency | None = None
    release: Release | None = None


def _known_nodes(dataset: Dataset) -> set[str]:
    """Items, documents and SDG nodes of the dataset: what a mapping may point at."""
    from rdflib.namespace import SKOS

    known: set[str] = set()
    for s, _, o, _ in dataset.quads((None, SKOS.inScheme, None, None)):
        known.update((str(s), str(o)))
    return known


def assemble(project: Project) -> Assembly:
    """Convert every document and merge the curated layers into one dataset."""
    project.check()
    specs = load_manifest(project.manifest)
    conversions, sources, groupings = convert_all(specs, project.sources, project.root)
    curation = load_curation(project.data, groupings)
    curation.check(item for conversion in conversions for item in conversion.items)
    from policing_kg.inference import inferred_layer, materialise, sub_properties
    from policing_kg.iris import PKG, graph_iri
    from policing_kg.mappings import check_mapping_sets, load_mapping_sets, mapping_triples
    from policing_kg.queries import catalogue_triples, load_catalogue
    from policing_kg.sdg import imported_triples, load_sdg_table, sdg_triples

    mapping_sets = load_mapping_sets(project.data / "mappings", project.root)
    table = load_sdg_table(project.sdg_table, str(project.sdg_table.relative_to(project.root)))
    dataset = build_dataset(specs, conversions, sources, curation, project.ontology)
    add_layer(dataset, "reference", sdg_triples(table))
    add_layer(dataset, "reference", imported_triples(project.root))
    ontology = union_graph(dataset, [graph_iri("ontology")])
    crosswalk_properties = set(sub_properties(ontology, PKG.crosswalkRelation))
    check_mapping_sets(mapping_sets, _known_nodes(dataset), crosswalk_properties)
    add_layer(dataset, "mappings", mapping_triples(mapping_sets))
    add_layer(dataset, "inferred", inferred_layer(materialise(union_graph(dataset), ontology)))
    add_layer(dataset, "queries", catalogue_triples(load_catalogue(project.queries)))
    return Assembly(specs, conversions, sources, dataset, mapping_sets)


def build_release(project: Project, out_dir: Path, *, reason: bool = True,
                  base_url: str | None = None) -> BuildResult:
    """Build the graph, validate it, check it with the reasoner, and publish it to ``out_dir``.

    ``out_dir`` must be new, empty, or an earlier release: never the checkout, a folder that
    holds it, or one of its input folders (:func:`.rdf.files.check_release_target`).
    """
    from policing_kg.rdf.files import check_release_target

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
    from policing_kg.rdf.terms import quads_of_graph

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


def published_quads(project: Project, dist: Path) -> list[object]:
    """Return the published graph as pyoxigraph quads: ``dist/policing-kg.nq``, or built now."""
    import pyoxigraph as ox

    from policing_kg.rdf.reading import read_dump

    dump = dist / "policing-kg.nq"
    if dump.is_file():
        return read_dump(dump)
    from policing_kg.rdf.terms import to_oxigraph

    return [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
            for s, p, o, _ in assemble(project).dataset.quads((None, None, None, None))]


__all__ += ["published_quads"]


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


def reason_project(project: Project) -> ReasoningReport:
    """Run HermiT on the graph without its ``inferred`` layer: consistency, then the links."""
    from policing_kg.inference import rules_from_ontology
    from policing_kg.iris import graph_iri
    from policing_kg.reason import hermit_links

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


__all__ += ["ReasoningReport", "reason_project"]
