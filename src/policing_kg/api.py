"""The Python API for analysts: a release, its stored queries, your SPARQL, the crosswalk.

    from policing_kg import open_release
    r = open_release("dist")
    r.query("goal-to-sdg", goal="gpg-2023/goal/3").to_pandas()
    r.crosswalk()

(``docs/analysts.md`` runs these, and more, as a doctest on a real release.)

Every answer holds Python values (``int``, ``float``, ``bool``, ``datetime.date``, ``str``;
IRIs as ``str``; unbound as ``None``). A wrong question raises :class:`PolicingKGError` with
the same one-line message the command line prints (an unknown item, the wrong kind, a
language other than ``en`` or ``fr``). Nothing here touches the network unless you give an
endpoint.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from policing_kg.errors import PolicingKGError

__all__ = ["open_release", "Release", "Answer", "python_value"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + name for name in (
    "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
    "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte")}
_FLOATS = {_XSD + "double", _XSD + "float", _XSD + "decimal"}


def python_value(term: Any) -> Any:
    """Return an RDF term as a Python value: numbers, booleans and dates typed, IRIs as text."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        try:
            if datatype in _INTEGERS:
                return int(term.value)
            if datatype in _FLOATS:
                return float(term.value)
            if datatype == _XSD + "boolean":
                return term.value in ("true", "1")
            if datatype == _XSD + "date":
                return datetime.date.fromisoformat(term.value)
        except ValueError:
            return term.value
        return term.value
    return str(term)


@dataclass(frozen=True)
class Answer:
    """A query's answer: its columns and rows of Python values."""

    variables: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Iterate over the rows, each as a mapping of column to value."""
        return (dict(zip(self.variables, row, strict=True)) for row in self.rows)

    def __len__(self) -> int:
        """Return the number of rows."""
        return len(self.rows)

    def column(self, name: str) -> list[Any]:
        """Return one column's values."""
        index = self.variables.index(name)
        return [row[index] for row in self.rows]

    def to_pandas(self) -> Any:
        """Return the answer as a pandas DataFrame (its columns in the query's order)."""
        import pandas as pd

        return pd.DataFrame(list(self.rows), columns=list(self.variables))


def _answer(result: Any) -> Answer:
    return Answer(tuple(result.variables),
                  tuple(tuple(python_value(t) for t in row) for row in result.terms))


class Release:
    """A published release (``dist/``), queried on the embedded store or an endpoint."""

    def __init__(self, dist: Path, project: Any, endpoint: str | None = None,
                 user: str | None = None, password: str | None = None,
                 timeout: float = 60.0) -> None:
        self.dist = dist
        self.project = project
        self.endpoint = endpoint
        self._credentials = (user, password)
        self.timeout = timeout
        self._store: Any = None

    def _local(self) -> Any:
        if self._store is None:
            from policing_kg.common.store import open_store

            self._store = open_store(self.dist)
        return self._store

    def queries(self) -> list[str]:
        """Return the names of the stored queries."""
        from policing_kg.curation.catalogue import load_catalogue

        return list(load_catalogue(self.project.queries))

    def query(self, name: str, **params: str) -> Answer:
        """Run a stored query with its parameters (``goal="gpg-2023/goal/3"``, ``lang="fr"``)."""
        from policing_kg.access.queries import run_query, run_query_remote
        from policing_kg.curation.catalogue import load_catalogue

        catalogue = load_catalogue(self.project.queries)
        if name not in catalogue:
            raise PolicingKGError(f"no stored query {name!r}",
                                  hint=f"the queries: {', '.join(catalogue) or 'none'}")
        given = {key: str(value) for key, value in params.items()}
        if self.endpoint:
            user, password = self._credentials
            return _answer(run_query_remote(catalogue[name], given, self.endpoint, user=user,
                                            password=password, timeout=self.timeout))
        return _answer(run_query(catalogue[name], given, self._local()))

    def sparql(self, text: str, timeout: float | None = None) -> Answer | bool:
        """Run your own read-only query, the project's prefixes declared.

        Run your own read-only query (the project's prefixes declared): a SELECT gives an
        :class:`Answer`, an ASK a ``bool``.
        """
        from policing_kg.access.adhoc import run_adhoc
        from policing_kg.access.queries import QueryResult

        user, password = self._credentials
        answer = run_adhoc(text, "sparql()", dist=self.dist, endpoint=self.endpoint, user=user,
                           password=password, timeout=timeout or self.timeout)
        if answer.kind == "ask":
            return bool(ox.parse_query_results(answer.data, format=ox.QueryResultsFormat.JSON))
        if answer.kind != "select":
            raise PolicingKGError("sparql() answers SELECT and ASK queries",
                                  hint="use the command line for CONSTRUCT and DESCRIBE")
        return _answer(QueryResult(answer.data))

    def crosswalk(self, lang: str = "en") -> Any:
        """Return the whole crosswalk as a pandas DataFrame.

        Return the whole crosswalk, every curated and inferred link, as a pandas DataFrame with
        names first (labels in ``lang`` and in both languages, kinds, property, asserted or
        inferred, confidence, author, justification, reason or routes), IRIs last.
        """
        import pandas as pd

        from policing_kg.crosswalk.links import read_crosswalk

        _check_lang(lang)
        rows = read_crosswalk(self._local()).records(lang)
        columns = list(rows[0]) if rows else []
        return pd.DataFrame(rows, columns=columns)

    def reaching(self, item: str, lang: str = "en") -> Answer:
        """Return what reaches an item (the stored query ``reaching``)."""
        return self.query("reaching", item=item, lang=lang)


def _check_lang(lang: str) -> None:
    from policing_kg.curation.catalogue import LABEL_LANGUAGES

    if lang not in LABEL_LANGUAGES:
        raise PolicingKGError(f"lang: {lang!r} is not a language of the labels",
                              hint=f"give {' or '.join(LABEL_LANGUAGES)}")


def open_release(dist: str | Path = "dist", *, project: str | Path | None = None,
                 endpoint: str | None = None, user: str | None = None,
                 password: str | None = None, timeout: float = 60.0) -> Release:
    """Open a release for queries.

    Open a release: ``dist`` (a folder built by ``make``), and the checkout whose stored queries
    to use (found from the current folder if not given); with ``endpoint``, queries go to that
    SPARQL endpoint instead of the embedded store.
    """
    from policing_kg.common.store import DUMP
    from policing_kg.project import locate_project

    folder = Path(dist)
    if not endpoint and not (folder / DUMP).is_file():
        raise PolicingKGError("no release to open", where=str(folder / DUMP),
                              hint="run `make` (or `policing-kg build`) first, or give the "
                              "folder of a release")
    return Release(folder, locate_project(Path(project) if project else None), endpoint,
                   user, password, timeout)

