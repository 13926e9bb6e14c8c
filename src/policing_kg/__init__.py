"""policing-kg: INTERPOL's strategy documents as a faithful, bilingual knowledge graph.

The package is one flow, one module a step::

    sources -> converters -> records -> curation -> graph -> validate / reason -> publish

with ``queries`` (stored SPARQL) beside it. ``build.build_release`` runs the whole flow.
``from policing_kg import open_release`` is the analysts' Python API (:mod:`policing_kg.api`).
"""

from typing import Any

__all__ = ["__version__", "open_release"]

__version__ = "0.3.0"


def __getattr__(name: str) -> Any:
    """``open_release``, the analysts' API (:mod:`policing_kg.api`), imported when first used."""
    if name == "open_release":
        from policing_kg.api import open_release

        return open_release
    raise AttributeError(f"module 'policing_kg' has no attribute {name!r}")
