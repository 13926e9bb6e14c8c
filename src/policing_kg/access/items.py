"""Items named by query parameters: in the release, of the kind the parameter takes.

A wrong question gets an error, never an empty answer: an item that is not in the release, or
not of a kind the parameter takes, is refused (exit 2) with the nearest items that are. The
index is read from the store the query runs on (embedded or an endpoint), with one query.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from policing_kg.common.iris import ID, PKG, SDG, SDGO, short_id
from policing_kg.curation.catalogue import LABEL_LANGUAGES, QueryParameter, StoredQuery
from policing_kg.errors import PolicingKGError

__all__ = ["ItemIndex", "KIND_CLASSES", "check_items", "check_language", "INDEX_QUERY"]

#: The kind names of the catalogue (``iri(GlobalPolicingGoal)``) and their classes.
KIND_CLASSES = {name: str(PKG[name]) for name in (
    "StrategicGoal", "GlobalPolicingGoal", "GoalStatement", "CrossCuttingTheme",
    "ThemeStatement", "ProgrammeObjective", "ExpectedOutcome", "ProgrammeStrategy", "Mandate",
    "Mission", "Vision", "FormerGoal", "StrategicFramework", "GlobalPolicingGoals")}
KIND_CLASSES.update({"SDGGoal": str(SDGO.Goal), "SDGTarget": str(SDGO.Target)})
_WORDS = {"StrategicGoal": "strategic goal", "GlobalPolicingGoal": "Global Policing Goal",
          "GoalStatement": "goal statement", "CrossCuttingTheme": "cross-cutting theme",
          "ThemeStatement": "theme statement", "ProgrammeObjective": "programme objective",
          "ExpectedOutcome": "expected outcome", "ProgrammeStrategy": "programme strategy",
          "Mandate": "mandate", "Mission": "mission", "Vision": "vision",
          "FormerGoal": "2017 goal", "StrategicFramework": "strategic framework",
          "GlobalPolicingGoals": "Global Policing Goals document", "SDGGoal": "SDG goal",
          "SDGTarget": "SDG target"}
#: One query for the whole index: every node of a kind, with its English label.
INDEX_QUERY = ("SELECT ?node ?class ?label WHERE { VALUES ?class { "
               + " ".join(f"<{c}>" for c in sorted(set(KIND_CLASSES.values())))
               + " } ?node a ?class . OPTIONAL { ?node "
               "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label . "
               "FILTER (LANG(?label) = \"en\") } }")


@dataclass(frozen=True)
class ItemIndex:
    """The release's items: their kinds (catalogue names) and English labels."""

    kinds: Mapping[str, frozenset[str]]
    labels: Mapping[str, str]

    @classmethod
    def read(cls, select: Callable[[str], list[dict[str, str]]]) -> ItemIndex:
        """Build the index with one SELECT (``select`` runs it on the store in use)."""
        by_class = {iri: name for name, iri in KIND_CLASSES.items()}
        kinds: dict[str, set[str]] = {}
        labels: dict[str, str] = {}
        for row in select(INDEX_QUERY):
            node = row.get("node", "")
            kinds.setdefault(node, set()).add(by_class.get(row.get("class", ""), ""))
            if row.get("label"):
                labels[node] = row["label"]
        return cls({n: frozenset(k) for n, k in kinds.items()}, labels)

    def nearest(self, iri: str, kinds: tuple[str, ...] = (), limit: int = 5) -> list[str]:
        """Return the items closest to ``iri`` by path (of ``kinds`` where given), nearest first."""
        wanted = [n for n in self.kinds if not kinds or self.kinds[n] & set(kinds)]
        paths = {short_id(n): n for n in wanted}
        asked = short_id(iri)
        close = difflib.get_close_matches(asked, list(paths), n=limit, cutoff=0.4)
        tail = asked.rsplit("/", 1)[-1]
        same_number = [p for p in sorted(paths) if p.rsplit("/", 1)[-1] == tail
                       or p.rsplit("/", 1)[-1].split(".")[-1] == tail]
        ordered = list(dict.fromkeys([*close, *same_number]))
        if not ordered:
            ordered = sorted(paths)[:limit]
        return ordered[:limit]

    def describe(self, path: str) -> str:
        """``gpg-2023/goal/3 (Improve law enforcement action…)`` for a suggestion."""
        iri = str(ID) + path if not path.startswith("sdg/") else SDG + path[4:]
        label = self.labels.get(iri, "")
        if len(label) > 50:
            label = label[:49] + "…"
        return f"{path} ({label})" if label else path


def kinds_text(kinds: tuple[str, ...] | frozenset[str]) -> str:
    """Name kinds with their articles: ``a Global Policing Goal or a cross-cutting theme``."""
    words = [_WORDS.get(k, k) for k in sorted(kinds, key=list(KIND_CLASSES).index)]
    return " or ".join(article(w) + " " + w for w in words) if words else "an item"


def article(word: str) -> str:
    """Return ``a`` or ``an`` as the word is spoken: an objective, an SDG target, a goal.

    >>> [article(w) for w in ("objective", "SDG target", "Global Policing Goal", "UN body")]
    ['an', 'an', 'a', 'a']
    """
    head = word.split()[0] if word.split() else word
    if head.isupper() and len(head) > 1:  # an acronym, read letter by letter
        return "an" if head[0] in "AEFHILMNORSX" else "a"
    return "an" if head[:1].lower() in "aeiou" else "a"


def check_language(parameter: QueryParameter, value: str) -> None:
    """Refuse a label language other than ``en`` or ``fr``."""
    if value not in LABEL_LANGUAGES:
        raise PolicingKGError(f"parameter {parameter.name}: {value!r} is not a language of the "
                              "labels", hint=f"give {' or '.join(LABEL_LANGUAGES)} (the graph's "
                              "labels are in English and French; en if left out)")


def check_items(query: StoredQuery, bound: Mapping[str, str], index: ItemIndex) -> None:
    """Refuse an ``iri`` parameter naming nothing in the release, or an item of the wrong kind.

    ``bound`` maps each given ``iri`` parameter to the IRI it was resolved to.
    """
    for parameter in query.parameters:
        if parameter.type != "iri" or parameter.name not in bound:
            continue
        iri = bound[parameter.name]
        held = index.kinds.get(iri)
        if held is None:
            near = ", ".join(index.describe(p) for p in index.nearest(iri, parameter.kinds))
            raise PolicingKGError(
                f"parameter {parameter.name}: {short_id(iri)} is not in the release",
                hint=f"it takes {kinds_text(parameter.kinds)}; the nearest: {near}"
                if parameter.kinds else f"the nearest items: {near}")
        if parameter.kinds and not held & set(parameter.kinds):
            near = ", ".join(index.describe(p) for p in index.nearest(iri, parameter.kinds))
            raise PolicingKGError(
                f"parameter {parameter.name}: {short_id(iri)} is {kinds_text(held)}, "
                f"and {query.name} takes {kinds_text(parameter.kinds)}",
                hint=f"for example: {near}")
