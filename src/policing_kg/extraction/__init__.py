"""Extraction: the source texts and their manifest, read into typed records.

``convert_all`` runs each document's converter (one per layout, in ``converters/``) on its part
of its source text; the ledger (:mod:`.reader`) makes sure no text is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from policing_kg.errors import DataError
from policing_kg.extraction.converters import (
    global_policing_goals,
    programme_strategy,
    strategic_framework,
)
from policing_kg.extraction.reader import Reader
from policing_kg.extraction.records import Conversion
from policing_kg.extraction.sources import DocumentSpec, SourceText, read_source

__all__ = ["CONVERTERS", "convert_document", "convert_all"]

CONVERTERS: dict[str, Callable[[Reader], Conversion]] = {
    "strategic-framework": strategic_framework.convert,
    "global-policing-goals": global_policing_goals.convert,
    "programme-strategy": programme_strategy.convert,
}


def convert_document(spec: DocumentSpec, source: SourceText,
                     parents: Mapping[int, int] | None = None) -> Conversion:
    """Run the document's converter on its part of the source text.

    ``parents`` is an editorial grouping of the document's outcomes (outcome number ->
    objective number), where the manifest names one.
    """
    reader = Reader(source, spec)
    if spec.converter == "programme-strategy":
        return programme_strategy.convert(reader, parents)
    try:
        converter = CONVERTERS[spec.converter]
    except KeyError:
        raise DataError(f"unknown converter {spec.converter!r}", where=f"document {spec.id}",
                        hint=f"one of {', '.join(CONVERTERS)}") from None
    return converter(reader)


def convert_all(specs: list[DocumentSpec], sources_dir: Path,
                groupings: Mapping[str, Mapping[int, int]] | None = None
                ) -> tuple[list[Conversion], dict[str, SourceText]]:
    """Convert every document of the manifest; ``groupings`` by document id."""
    sources: dict[str, SourceText] = {}
    conversions: list[Conversion] = []
    for spec in specs:
        if spec.file not in sources:
            sources[spec.file] = read_source(sources_dir, spec.file)
        parents = (groupings or {}).get(spec.id)
        conversions.append(convert_document(spec, sources[spec.file], parents))
    return conversions, sources
