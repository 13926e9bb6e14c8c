"""Records and curation -> one RDF dataset, a named graph per layer.

Layers (see ``iris.LAYERS``): the ontology; one graph per document holding exactly what is
extracted from it (items, their text, its provenance); ``translations`` (the project's
translations, marked); ``editorial`` (labels and groupings the project decided, with reasons);
``reference`` (facts from outside the texts, each with its source: official English names).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rdflib import RDF, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDFS, SKOS

from policing_kg.common.iris import (
    DCAT,
    ID,
    ISO639,
    OA,
    PKG,
    SKOSXL,
    agent_iri,
    document_iri,
    graph_iri,
    item_iri,
    source_file_iri,
)
from policing_kg.curation.labels import (
    Curation,
    FormerVersion,
    LabelRecord,
    LabelRole,
    OutcomeGrouping,
    item_key,
)
from policing_kg.errors import DataError
from policing_kg.extraction.records import Conversion, Field, ItemRecord, Span
from policing_kg.extraction.sources import DocumentSpec, SourceText

__all__ = ["build_dataset", "add_layer", "union_graph", "INTERPOL", "PROJECT"]

INTERPOL = agent_iri("interpol")
PROJECT = agent_iri("policing-kg")
_FIELD_PROPERTY = {
    Field.LABEL: PKG.labelSource,
    Field.DESCRIPTION: PKG.descriptionSource,
    Field.HEADING: PKG.headingSource,
}


def _specific_resource(graph: Graph, resource: URIRef, span: Span, source: SourceText,
                       quote: bool) -> None:
    """Describe a span as a Web Annotation specific resource: file, offsets, quote."""
    position = URIRef(f"{resource}/position")
    graph.add((resource, RDF.type, OA.SpecificResource))
    graph.add((resource, OA.hasSource, source_file_iri(span.file)))
    graph.add((resource, OA.hasSelector, position))
    graph.add((position, RDF.type, OA.TextPositionSelector))
    graph.add((position, OA.start, Literal(span.start, datatype=XSD.nonNegativeInteger)))
    graph.add((position, OA.end, Literal(span.end, datatype=XSD.nonNegativeInteger)))
    if quote:
        exact = URIRef(f"{resource}/quote")
        graph.add((resource, OA.hasSelector, exact))
        graph.add((exact, RDF.type, OA.TextQuoteSelector))
        graph.add((exact, OA.exact, Literal(source.cut(span))))


def _add_spans(graph: Graph, subject: URIRef, field: Field, spans: Sequence[Span],
               source: SourceText) -> None:
    """Record where a field's text is: one specific resource per span, in reading order."""
    for number, span in enumerate(spans, 1):
        resource = URIRef(f"{subject}/source/{field.value}/{number}")
        graph.add((subject, _FIELD_PROPERTY[field], resource))
        graph.add((subject, PROV.wasDerivedFrom, resource))
        _specific_resource(graph, resource, span, source, quote=True)


def _add_source_file(graph: Graph, source: SourceText) -> None:
    node = source_file_iri(source.name)
    graph.add((node, RDF.type, PKG.SourceText))
    graph.add((node, DCTERMS.identifier, Literal(source.name)))
    graph.add((node, DCTERMS["format"], Literal("text/plain; charset=utf-8")))
    graph.add((node, PKG.sha256, Literal(source.sha256, datatype=XSD.hexBinary)))
    graph.add((node, DCAT.byteSize, Literal(source.byte_size, datatype=XSD.nonNegativeInteger)))


def _add_document(dataset: Dataset, spec: DocumentSpec, conversion: Conversion,
                  source: SourceText) -> None:
    graph = dataset.graph(graph_iri("document", spec.id))
    translations = dataset.graph(graph_iri("translations"))
    doc = document_iri(spec.id)
    graph.add((doc, RDF.type, SKOS.ConceptScheme))
    graph.add((doc, RDF.type, PKG[spec.kind]))
    for language, title in sorted(spec.title.items()):
        target = translations if language in spec.title_translated else graph
        target.add((doc, DCTERMS.title, Literal(title, lang=language)))
        target.add((doc, SKOS.prefLabel, Literal(title, lang=language)))  # as SKOS tools expect
        if language in spec.title_translated:
            translations.add((doc, SKOS.editorialNote, Literal(
                f"The {language} title is the project's translation.", lang="en")))
    graph.add((doc, DCTERMS.publisher, INTERPOL))
    graph.add((doc, DCTERMS.language, ISO639[spec.language]))
    graph.add((doc, DCTERMS.source, source_file_iri(source.name)))
    if spec.date:
        datatype = XSD.gYearMonth if len(spec.date) == 7 else XSD.date
        graph.add((doc, DCTERMS.issued, Literal(spec.date, datatype=datatype)))
    if spec.period:
        period = URIRef(f"{doc}/period")
        graph.add((doc, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period, DCAT.startDate, Literal(str(spec.period[0]), datatype=XSD.gYear)))
        graph.add((period, DCAT.endDate, Literal(str(spec.period[1]), datatype=XSD.gYear)))
    if spec.note:
        graph.add((doc, SKOS.scopeNote, Literal(spec.note, lang="en")))
    record = conversion.document
    part = URIRef(f"{doc}/source/part")
    graph.add((doc, PROV.wasDerivedFrom, part))
    _specific_resource(graph, part, record.part, source, quote=False)
    if record.description:
        graph.add((doc, DCTERMS.description, Literal(record.description, lang=spec.language)))
        _add_spans(graph, doc, Field.DESCRIPTION, record.description_spans, source)
    _add_source_file(graph, source)
    for item in conversion.items:
        _add_item(dataset, graph, item, source)


def _add_item(dataset: Dataset, graph: Graph, item: ItemRecord, source: SourceText) -> None:
    node = item_iri(item.document, item.path)
    doc = document_iri(item.document)
    graph.add((node, RDF.type, SKOS.Concept))
    graph.add((node, RDF.type, PKG[item.kind.value]))
    graph.add((node, SKOS.inScheme, doc))
    if item.parent is None:
        graph.add((node, SKOS.topConceptOf, doc))
        graph.add((doc, SKOS.hasTopConcept, node))
    else:
        parent = item_iri(item.document, item.parent)
        target = dataset.graph(graph_iri("editorial")) if item.parent_is_editorial else graph
        target.add((node, SKOS.broader, parent))
        target.add((parent, SKOS.narrower, node))
    if item.notation is not None:
        # an outcome's number is typed: objective n and outcome n of one scheme stay distinct
        datatype = PKG.OutcomeNumber if item.kind.value == "ExpectedOutcome" else None
        graph.add((node, SKOS.notation, Literal(item.notation, datatype=datatype)))
    graph.add((node, PKG.position, Literal(item.position, datatype=XSD.positiveInteger)))
    if item.label is not None:
        graph.add((node, SKOS.prefLabel, Literal(item.label, lang=item.language)))
    if item.description is not None:
        graph.add((node, DCTERMS.description, Literal(item.description, lang=item.language)))
    for field, spans in sorted(item.spans.items(), key=lambda kv: kv[0].value):
        _add_spans(graph, node, field, spans, source)


def _add_label(dataset: Dataset, label: LabelRecord, node: URIRef, item: ItemRecord) -> None:
    literal = Literal(label.text, lang=label.language)
    if label.role is LabelRole.FORMER_OFFICIAL:
        xl = URIRef(f"{node}/label/former-{label.language}")
        graph = dataset.graph(graph_iri("reference"))
        graph.add((node, SKOS.altLabel, literal))
        graph.add((node, SKOSXL.altLabel, xl))
        graph.add((xl, RDF.type, PKG.FormerOfficialLabel))
        if label.version:
            _add_former_goal(graph, label)
    else:
        xl = URIRef(f"{node}/label/{label.language}")
        layer, kind = {
            LabelRole.OFFICIAL: ("reference", PKG.OfficialLabel),
            LabelRole.TRANSLATION: ("translations", PKG.TranslatedLabel),
            LabelRole.EDITORIAL: ("editorial", PKG.EditorialLabel),
        }[label.role]
        graph = dataset.graph(graph_iri(layer))
        graph.add((node, SKOS.prefLabel, literal))
        graph.add((node, SKOSXL.prefLabel, xl))
        graph.add((xl, RDF.type, kind))
    graph.add((xl, RDF.type, SKOSXL.Label))
    graph.add((xl, SKOSXL.literalForm, literal))
    if label.source:
        graph.add((xl, DCTERMS.source, Literal(label.source)))
    if label.note:
        note = SKOS.editorialNote if label.role is LabelRole.EDITORIAL else SKOS.scopeNote
        graph.add((xl, note, Literal(label.note, lang="en")))
    if label.role is LabelRole.TRANSLATION:
        graph.add((xl, PKG.translationOf, Literal(label.translated_from or "", lang=item.language)))
    if label.role in (LabelRole.TRANSLATION, LabelRole.EDITORIAL):
        graph.add((xl, PROV.wasAttributedTo, PROJECT))


def _add_former_goal(graph: Graph, label: LabelRecord) -> None:
    """Add the earlier version's goal itself, named by its official name (the 2017 goals)."""
    version = str(label.version)
    node, scheme = ID[version], ID[version.split("/", 1)[0]]
    graph.add((node, RDF.type, SKOS.Concept))
    graph.add((node, RDF.type, PKG.FormerGoal))
    graph.add((node, SKOS.inScheme, scheme))
    graph.add((node, SKOS.topConceptOf, scheme))
    graph.add((scheme, SKOS.hasTopConcept, node))
    graph.add((node, SKOS.notation, Literal(version.rsplit("/", 1)[-1])))
    graph.add((node, SKOS.prefLabel, Literal(label.text, lang=label.language)))
    graph.add((node, DCTERMS.source, Literal(label.source or "")))


def _add_versions(dataset: Dataset, versions: Iterable[FormerVersion]) -> None:
    graph = dataset.graph(graph_iri("reference"))
    for version in versions:
        scheme = ID[version.id]
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme, DCTERMS.title, Literal(version.title, lang="en")))
        graph.add((scheme, SKOS.prefLabel, Literal(version.title, lang="en")))
        # known by its official English names only (FACTS.md): a French label is a translation
        graph.add((scheme, DCTERMS.language, ISO639["en"]))
        graph.add((scheme, DCTERMS.source, Literal(version.source)))
        graph.add((scheme, DCTERMS.isReplacedBy, document_iri(version.replaced_by)))
        graph.add((scheme, SKOS.scopeNote, Literal(version.note, lang="en")))


def _add_grouping(dataset: Dataset, grouping: OutcomeGrouping) -> None:
    graph = dataset.graph(graph_iri("editorial"))
    for assignment in grouping.assignments:
        outcome = item_iri(grouping.document, ("outcome", str(assignment.outcome)))
        objective = item_iri(grouping.document, ("objective", str(assignment.objective)))
        node = URIRef(f"{outcome}/assignment")
        graph.add((node, RDF.type, PKG.EditorialAssignment))
        graph.add((node, PKG.assignedItem, outcome))
        graph.add((node, PKG.assignedTo, objective))
        graph.add((node, SKOS.editorialNote, Literal(assignment.reasoning, lang="en")))
        graph.add((node, SKOS.scopeNote, Literal(grouping.method, lang="en")))
        graph.add((node, DCTERMS.source, Literal(grouping.path)))
        graph.add((node, PROV.wasAttributedTo, PROJECT))
        graph.add((outcome, SKOS.editorialNote, Literal(
            f"Placed under objective {assignment.objective} by an editorial assignment: the "
            "source text does not say which objective this outcome serves.", lang="en")))


def _add_agents(dataset: Dataset) -> None:
    reference = dataset.graph(graph_iri("reference"))
    reference.add((INTERPOL, RDF.type, FOAF.Organization))
    reference.add((INTERPOL, RDF.type, PROV.Agent))
    reference.add((INTERPOL, FOAF.name, Literal("INTERPOL")))
    editorial = dataset.graph(graph_iri("editorial"))
    editorial.add((PROJECT, RDF.type, PROV.Agent))
    editorial.add((PROJECT, FOAF.name, Literal("policing-kg editors")))
    editorial.add((PROJECT, RDFS.comment, Literal(
        "The maintainers of policing-kg: author of its translations, editorial labels and "
        "editorial assignments.", lang="en")))


def build_dataset(
    specs: Sequence[DocumentSpec],
    conversions: Sequence[Conversion],
    sources: dict[str, SourceText],
    curation: Curation,
    ontology: Path,
) -> Dataset:
    """Assemble the dataset: ontology, documents, translations, editorial, reference layers."""
    dataset = Dataset()
    try:
        parsed = Graph().parse(ontology, format="turtle")
    except Exception as exc:  # rdflib raises many kinds of parse error
        raise DataError(f"the ontology does not parse: {exc}", where=str(ontology)) from None
    # The ontology's axioms need blank nodes; the release labels them canonically (RDFC-1.0).
    ontology_graph = dataset.graph(graph_iri("ontology"))
    for triple in parsed:
        ontology_graph.add(triple)
    items: dict[str, ItemRecord] = {}
    for spec, conversion in zip(specs, conversions, strict=True):
        _add_document(dataset, spec, conversion, sources[spec.file])
        items.update((item_key(item), item) for item in conversion.items)
    _add_agents(dataset)
    for label in curation.labels:
        item = items[label.item]
        _add_label(dataset, label, item_iri(item.document, item.path), item)
    for grouping in curation.groupings:
        _add_grouping(dataset, grouping)
    _add_versions(dataset, curation.versions)
    return dataset


def add_layer(dataset: Dataset, layer: str, triples: Iterable[tuple[Any, Any, Any]]) -> None:
    """Add a named graph to the dataset (``mappings``, ``queries``)."""
    graph = dataset.graph(graph_iri(layer))
    for triple in triples:
        graph.add(triple)


def union_graph(dataset: Dataset, graphs: Iterable[URIRef] | None = None) -> Graph:
    """Return one graph holding every triple of the dataset (or of the named graphs given)."""
    wanted = set(graphs) if graphs is not None else None
    union = Graph()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if wanted is None or g in wanted:
            union.add((s, p, o))
    return union
