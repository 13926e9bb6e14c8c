"""The catalogue of stored queries (``queries/*.rq``): headers and RDF description.

Each query's metadata header (title, description, typed parameters, examples), and its
description in RDF, published in the ``queries`` graph as a SHACL SPARQL executable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policing_kg.errors import PolicingKGError

__all__ = ["QueryParameter", "StoredQuery", "load_catalogue", "catalogue_triples",
           "PARAMETER_TYPES", "ITEM_KINDS", "LABEL_LANGUAGES"]

#: The types a parameter may have (see ``access.queries`` for how each is bound).
PARAMETER_TYPES = ("iri", "string", "integer", "language", "search")
_HEADER = re.compile(r"^#\s*([a-z]+):\s*(.*)$")
_PARAM = re.compile(r"^([a-z_][a-z0-9_]*)\s+(" + "|".join(PARAMETER_TYPES)
                    + r")(?:\(([A-Za-z|]+)\))?(\?)?\s+(.+)$")
#: The kinds an ``iri`` parameter may name (``iri(GlobalPolicingGoal|CrossCuttingTheme)``):
#: the classes of the ontology by their local name, and the UN's SDG goals and targets.
ITEM_KINDS = ("StrategicGoal", "GlobalPolicingGoal", "GoalStatement", "CrossCuttingTheme",
              "ThemeStatement", "ProgrammeObjective", "ExpectedOutcome", "ProgrammeStrategy",
              "Mandate", "Mission", "Vision", "FormerGoal", "StrategicFramework",
              "GlobalPolicingGoals", "SDGGoal", "SDGTarget")
#: The languages of the labels, for a ``language`` parameter; the first is the default.
LABEL_LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class QueryParameter:
    """A typed query parameter: the variable it binds, its type and what it means.

    An ``iri`` parameter may name the kinds of item it takes; an optional parameter left out
    asks the query for every item. A ``language`` parameter is always optional (English).
    """

    name: str
    type: str
    description: str
    kinds: tuple[str, ...] = ()
    optional: bool = False


@dataclass(frozen=True)
class StoredQuery:
    """A query of the catalogue with its metadata header."""

    name: str
    path: Path
    title: str
    description: str
    parameters: tuple[QueryParameter, ...]
    examples: tuple[str, ...]
    text: str

    def example_params(self, example: str) -> dict[str, str]:
        """Return the ``--param`` values of one of the query's examples (a command line).

        >>> StoredQuery("q", Path("q.rq"), "", "", (), (), "").example_params(
        ...     "policing-kg query q --param document=ct-2022")
        {'document': 'ct-2022'}
        """
        import shlex

        words = shlex.split(example)
        return dict(words[i + 1].split("=", 1) for i, word in enumerate(words[:-1])
                    if word == "--param" and "=" in words[i + 1])


def _parse(path: Path) -> StoredQuery:
    try:
        if not path.is_file():
            raise PolicingKGError("a stored query that is not a file (a folder, or a link to "
                                  "nothing)", where=str(path), hint="remove it or make it a .rq "
                                  "file")
        data = path.read_bytes()
        if len(data) > 1024 * 1024:
            raise PolicingKGError("a stored query over 1 MB", where=str(path))
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = data.count(b"\n", 0, exc.start) + 1
        raise PolicingKGError(f"not UTF-8 (byte 0x{data[exc.start]:02x})",
                              where=f"{path}:{at}", hint="save the query as UTF-8") from None
    except OSError as exc:
        raise PolicingKGError(f"cannot read the stored query ({exc.strerror})",
                              where=str(path)) from None
    meta: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match:
            meta.setdefault(match.group(1), []).append(match.group(2).strip())
    if "title" not in meta or "description" not in meta:
        raise PolicingKGError("a stored query needs '# title:' and '# description:' lines",
                              where=str(path))
    parameters = []
    for spec in meta.get("param", []):
        match = _PARAM.match(spec)
        if not match:
            raise PolicingKGError(f"malformed parameter {spec!r}", where=str(path),
                                  hint="write '# param: NAME TYPE description' "
                                  "(TYPE: iri, string, integer, language, search; an iri may "
                                  "name its kinds, iri(GlobalPolicingGoal|SDGTarget); a ? after "
                                  "the type makes the parameter optional)")
        name, kind, kinds, optional, description = match.groups()
        listed = tuple(kinds.split("|")) if kinds else ()
        unknown = [k for k in listed if k not in ITEM_KINDS]
        if unknown:
            raise PolicingKGError(f"parameter {name}: unknown kind {unknown[0]!r}",
                                  where=str(path), hint=f"the kinds: {', '.join(ITEM_KINDS)}")
        parameters.append(QueryParameter(name, kind, description, listed,
                                         bool(optional) or kind == "language"))
    return StoredQuery(path.stem, path, meta["title"][0], meta["description"][0],
                       tuple(parameters), tuple(meta.get("example", [])), text)


def load_catalogue(directory: Path) -> dict[str, StoredQuery]:
    """Read every ``*.rq`` of ``queries/``, by name (the file's stem)."""
    return {path.stem: _parse(path) for path in sorted(directory.glob("*.rq"))}


def catalogue_triples(catalogue: Mapping[str, StoredQuery]) -> list[tuple[Any, Any, Any]]:
    """Describe the stored queries in RDF, as SHACL SPARQL executables (as SIB's examples do)."""
    from rdflib import RDF, RDFS, Literal, URIRef
    from rdflib.namespace import DCTERMS, SH, SKOS

    from policing_kg.common.iris import PKG, QUERY

    triples: list[tuple[Any, Any, Any]] = []
    for query in catalogue.values():
        node = URIRef(QUERY + query.name)
        triples += [
            (node, RDF.type, SH.SPARQLExecutable),
            (node, RDF.type, SH.SPARQLSelectExecutable),
            (node, DCTERMS.identifier, Literal(query.name)),
            (node, RDFS.label, Literal(query.title, lang="en")),
            (node, RDFS.comment, Literal(query.description, lang="en")),
            (node, SH.select, Literal(query.text)),
        ]
        triples += [(node, SKOS.example, Literal(example)) for example in query.examples]
        for parameter in query.parameters:
            described = URIRef(f"{node}/parameter/{parameter.name}")
            triples += [
                (node, PKG.parameter, described),
                (described, RDF.type, PKG.QueryParameter),
                (described, RDFS.label, Literal(parameter.name)),
                (described, PKG.parameterType, Literal(parameter.type)),
                (described, RDFS.comment, Literal(parameter.description, lang="en")),
            ]
    return triples


def catalogue_lines(catalogue: Mapping[str, StoredQuery]) -> list[str]:
    """List the stored queries and their parameters, for people (``query --list``)."""
    lines = []
    for stored in catalogue.values():
        lines.append(f"{stored.name}: {stored.title}")
        for p in stored.parameters:
            kind = "|".join(p.kinds) if p.kinds else p.type
            lines.append(f"    --param {p.name}=<{kind}>{' (optional)' if p.optional else ''}"
                         f"  {p.description}")
    return lines


__all__ += ["catalogue_lines"]
