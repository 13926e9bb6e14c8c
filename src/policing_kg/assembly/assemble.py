"""Assembly: the documents' records and every curated layer, merged into one dataset.

``assemble`` converts every document (:mod:`policing_kg.extraction`), reads the curation
(labels, groupings, mapping sets, the SDG table, the stored queries' descriptions), checks each
curated record against what it names, and builds the named graphs, the inferred links included.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Dataset

from policing_kg.assembly.graph import add_layer, build_dataset, union_graph
from policing_kg.curation.labels import load_curation, load_outcome_grouping
from policing_kg.curation.mappings import MappingSet
from policing_kg.curation.releases import ReleaseHistory, load_releases
from policing_kg.extraction import convert_all
from policing_kg.extraction.records import Conversion
from policing_kg.extraction.sources import DocumentSpec, SourceText, load_manifest
from policing_kg.project import Project

__all__ = ["Assembly", "assemble"]


@dataclass(frozen=True)
class Assembly:
    """The dataset and what went into it."""

    specs: list[DocumentSpec]
    conversions: list[Conversion]
    sources: dict[str, SourceText]
    dataset: Dataset
    mapping_sets: list[MappingSet]
    releases: ReleaseHistory


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
    groupings = [load_outcome_grouping(project.root / spec.outcome_grouping, spec.id,
                                       spec.outcome_grouping)
                 for spec in specs if spec.outcome_grouping]
    conversions, sources = convert_all(specs, project.sources,
                                       {g.document: g.parents() for g in groupings})
    curation = load_curation(project.data, groupings)
    curation.check(item for conversion in conversions for item in conversion.items)
    from policing_kg.curation.glossary import check_glossary, load_glossary

    check_glossary(load_glossary(project.glossary), curation.labels)
    releases = load_releases(project.releases)
    from policing_kg.assembly.inference import inferred_layer, materialise_store, sub_properties
    from policing_kg.common.iris import PKG, graph_iri
    from policing_kg.curation.catalogue import catalogue_triples, load_catalogue
    from policing_kg.curation.mappings import check_mapping_sets, load_mapping_sets, mapping_triples
    from policing_kg.curation.sdg_import import imported_triples
    from policing_kg.curation.sdg_table import load_sdg_table, sdg_triples

    mapping_sets = load_mapping_sets(project.data / "mappings", project.root)
    table = load_sdg_table(project.sdg_table, str(project.sdg_table.relative_to(project.root)))
    dataset = build_dataset(specs, conversions, sources, curation, project.ontology)
    from policing_kg.assembly.versions import ontology_version_triples

    add_layer(dataset, "ontology", ontology_version_triples(releases))
    add_layer(dataset, "reference", sdg_triples(table))
    add_layer(dataset, "reference", imported_triples(project.root))
    ontology = union_graph(dataset, [graph_iri("ontology")])
    crosswalk_properties = set(sub_properties(ontology, PKG.crosswalkRelation))
    check_mapping_sets(mapping_sets, _known_nodes(dataset), crosswalk_properties)
    add_layer(dataset, "mappings", mapping_triples(mapping_sets))
    from policing_kg.assembly.names import read_names
    from policing_kg.assembly.routes import find_routes, route_triples
    from policing_kg.common.terms import oxigraph_store

    store = oxigraph_store(union_graph(dataset))
    names = read_names(store)
    links = materialise_store(store, ontology)
    asserted: dict[tuple[str, str, str], float] = {}
    for mapping_set in mapping_sets:
        for m in mapping_set.mappings:
            key = (m.subject, m.predicate, m.object)
            asserted[key] = max(asserted.get(key, 0.0), 1.0 if m.confidence is None
                                else m.confidence)
    routes = find_routes(store, ontology, links, asserted)
    add_layer(dataset, "inferred", [*inferred_layer(links),
                                     *route_triples(routes, mapping_sets, names)])
    add_layer(dataset, "queries", catalogue_triples(load_catalogue(project.queries)))
    _write_literals_canonically(dataset)
    return Assembly(specs, conversions, sources, dataset, mapping_sets, releases)


def _write_literals_canonically(dataset: Dataset) -> None:
    """Write every number and boolean of the release in one form (common/literals.py).

    The curated files may say ``1.0``; the release says what the stores give back.
    """
    from policing_kg.common.literals import canonical_node

    rewritten = [(quad, canonical_node(quad[2]))
                 for quad in dataset.quads((None, None, None, None))]
    for (s, p, o, g), written in rewritten:
        if written is not o:
            graph = dataset.graph(g)
            graph.remove((s, p, o))
            graph.add((s, p, written))
