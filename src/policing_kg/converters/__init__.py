"""Converters, one per source layout: text -> typed records.

``convert_all`` reads the manifest and runs each document's converter.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from policing_kg.converters import global_policing_goals, programme_strategy, strategic_framework
from policing_kg.converters.reader import Reader
from policing_kg.curation import OutcomeGrouping, load_outcome_grouping
from policing_kg.errors import DataError
from policing_kg.records import Conversion
from policing_kg.sources import DocumentSpec, SourceText, read_source

__all__ = ["CONVERTERS", "convert_document", "convert_all"]

CONVERTERS: dict[str, Callable[[Reader], Conversion]] = {
    "strategic-framework": strategic_framework.convert,
    "global-policing-goals": global_policing_goals.convert,
    "programme-strategy": programme_strategy.convert,
}


def convert_document(spec: DocumentSpec, source: SourceText,
                     grouping: OutcomeGrouping | None = None) -> Conversion:
    """Run the document's converter on its part of the source text."""
    reader = Reader(source, spec)
    if spec.converter == "programme-strategy":
        return programme_strategy.convert(reader, grouping.parents() if grouping else None)
    try:
        converter = CONVERTERS[spec.converter]
    except KeyError:
        raise DataError(f"unknown converter {spec.converter!r}", where=f"document {spec.id}",
                        hint=f"one of {', '.join(CONVERTERS)}") from None
    return converter(reader)


def convert_all(specs: list[DocumentSpec], sources_dir: Path, root: Path
                ) -> tuple[list[Conversion], dict[str, SourceText], list[OutcomeGrouping]]:
    """Convert every document of the manifest; return conversions, sources and groupings used."""
    sources: dict[str, SourceText] = {}
    conversions: list[Conversion] = []
    groupings: list[OutcomeGrouping] = []
    for spec in specs:
        if spec.file not in sources:
            sources[spec.file] = read_source(sources_dir, spec.file)
        grouping = None
        if spec.outcome_grouping:
            grouping = load_outcome_grouping(root / spec.outcome_grouping, spec.id,
                                             spec.outcome_grouping)
            groupings.append(grouping)
        conversions.append(convert_document(spec, sources[spec.file], grouping))
    return conversions, sources, groupings
