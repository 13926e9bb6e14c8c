"""policing-kg: INTERPOL's strategy documents as a faithful, bilingual knowledge graph.

The package is one flow, one module a step::

    sources -> converters -> records -> curation -> graph -> validate / reason -> publish

with ``queries`` (stored SPARQL) beside it. ``build.build_release`` runs the whole flow.
"""

__all__ = ["__version__"]

__version__ = "0.2.0"
