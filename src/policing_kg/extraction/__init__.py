"""Extraction: the source texts and their manifest, read into typed records.

``convert_all`` runs each document's converter (one per layout, in ``converters/``) on its part
of its source text; the ledger (:mod:`.reader`) makes sure no text is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from policing_kg.errors import DataError, PolicingKGError, Problems
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
    if spec.converter not in CONVERTERS:
        import difflib

        near = difflib.get_close_matches(spec.converter, CONVERTERS, n=1)
        guess = f"did you mean {near[0]!r}? " if near else ""
        raise DataError(f"document {spec.id}: unknown converter {spec.converter!r}",
                        where=spec.converter_where or f"document {spec.id}",
                        hint=f"{guess}the converters are {', '.join(CONVERTERS)} (a new layout "
                        "gets a module in src/policing_kg/extraction/converters/, registered in "
                        "CONVERTERS)")
    reader = Reader(source, spec)
    if spec.converter == "programme-strategy":
        return programme_strategy.convert(reader, parents)
    return CONVERTERS[spec.converter](reader)


def convert_all(specs: list[DocumentSpec], sources_dir: Path,
                groupings: Mapping[str, Mapping[int, int]] | None = None
                ) -> tuple[list[Conversion], dict[str, SourceText]]:
    """Convert every document of the manifest; ``groupings`` by document id."""
    sources: dict[str, SourceText] = {}
    conversions: list[Conversion] = []
    problems: list[PolicingKGError] = []  # every document's, not only the first's
    for spec in specs:
        try:
            if spec.file not in sources:
                sources[spec.file] = read_source(sources_dir, spec.file)
            parents = (groupings or {}).get(spec.id)
            conversions.append(convert_document(spec, sources[spec.file], parents))
        except Problems as exc:
            problems += exc.problems
        except PolicingKGError as exc:
            problems.append(exc)
    Problems.raise_if_any(problems, what="problem(s) reading the sources")
    return conversions, sources
