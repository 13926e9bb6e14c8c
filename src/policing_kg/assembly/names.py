"""Names for people: every item's label, kind and short name, read from a store of the graph.

Tables and pages show labels first and IRIs last; the routes of inferred links are written in
words ("objective 2 of the Global Cybercrime Strategy includes its outcome 8, which contributes
to SDG target 16.4"). Both come from here, in English or French, so that every view names an
item the same way. Nothing here is stored: names are read from the graph each time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from policing_kg.common.iris import PKG, SDG, SDGO, short_id
from policing_kg.common.sorting import natural_key

__all__ = ["Names", "LANGUAGES", "KINDS", "read_names", "clip"]

#: The languages of the graph's labels.
LANGUAGES = ("en", "fr")
_SKOS = "http://www.w3.org/2004/02/skos/core#"
#: The kinds of node people ask about, most specific first: class -> (English, French) noun.
KINDS: dict[str, tuple[str, str]] = {
    str(PKG.StrategicGoal): ("strategic goal", "but stratégique"),
    str(PKG.GlobalPolicingGoal): ("goal", "objectif"),
    str(PKG.GoalStatement): ("statement", "énoncé"),
    str(PKG.CrossCuttingTheme): ("theme", "thème"),
    str(PKG.ThemeStatement): ("statement", "énoncé"),
    str(PKG.ProgrammeObjective): ("objective", "objectif"),
    str(PKG.ExpectedOutcome): ("outcome", "résultat"),
    str(PKG.Mandate): ("mandate", "mandat"),
    str(PKG.Mission): ("mission", "mission"),
    str(PKG.Vision): ("vision", "vision"),
    str(PKG.FormerGoal): ("2017 goal", "objectif de 2017"),
    str(PKG.ProgrammeStrategy): ("programme strategy", "stratégie de programme"),
    str(PKG.StrategicFramework): ("strategic framework", "cadre stratégique"),
    str(PKG.GlobalPolicingGoals): ("global policing goals", "objectifs de l'action policière"),
    str(SDGO.Goal): ("SDG", "ODD"),
    str(SDGO.Target): ("SDG target", "cible des ODD"),
}
#: Kinds named after their document ("objective 2 of the Global Cybercrime Strategy").
_IN_DOCUMENT = {str(PKG.ProgrammeObjective), str(PKG.ExpectedOutcome), str(PKG.Mandate)}
#: The labels of the kinds that are not classes of the ontology (the UN's).
_KIND_LABELS = {str(SDGO.Goal): ("SDG goal", "objectif de développement durable"),
                str(SDGO.Target): ("SDG target", "cible des ODD")}
_BY_2030 = re.compile(r"^(By 20\d\d|D[’']ici à 20\d\d), ", re.IGNORECASE)


def clip(text: str, width: int) -> str:
    """Cut ``text`` at a word boundary to at most ``width`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return (cut or text[: width - 1]) + "…"


@dataclass
class Names:
    """What the graph says to name its nodes: kinds, notations, labels, documents."""

    kinds: dict[str, str] = field(default_factory=dict)
    notations: dict[str, str] = field(default_factory=dict)
    labels: dict[tuple[str, str], str] = field(default_factory=dict)
    short_titles: dict[tuple[str, str], str] = field(default_factory=dict)
    documents: dict[str, str] = field(default_factory=dict)
    class_labels: dict[tuple[str, str], str] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)
    property_labels: dict[tuple[str, str], str] = field(default_factory=dict)

    def known(self, node: str) -> bool:
        """Whether the node has a kind people ask about."""
        return node in self.kinds

    def kind(self, node: str) -> str:
        """Return the node's class (the most specific of those people ask about), or ``""``."""
        return self.kinds.get(node, "")

    def kind_label(self, node_or_class: str, lang: str = "en") -> str:
        """Return the label of the node's kind (``programme objective``), in ``lang``."""
        cls = self.kinds.get(node_or_class, node_or_class)
        if cls in _KIND_LABELS:
            return _KIND_LABELS[cls][LANGUAGES.index(lang)]
        return (self.class_labels.get((cls, lang)) or self.class_labels.get((cls, "en"))
                or cls.rsplit("#", 1)[-1])

    def label(self, node: str, lang: str = "en") -> str:
        """Return the node's preferred label in ``lang`` (English, then French, if it has none)."""
        for language in (lang, "en", "fr"):
            if (node, language) in self.labels:
                return self.labels[(node, language)]
        return short_id(node)

    def notation(self, node: str) -> str:
        """Return the node's notation (``3``, ``3.4``, ``16.a``), or ``""``."""
        return self.notations.get(node, "")

    def name(self, node: str, lang: str = "en", *, within: str = "", article: bool = False
             ) -> str:
        """Return a short name to write in a sentence.

        A short name to write in a sentence: ``goal 3``, ``SDG target 16.4``, ``objective 2 of
        the Global Cybercrime Strategy`` (``objective 2`` ``within`` that strategy's items); a
        document's title. In French, ``article`` puts the article before it (``la cible 16.4 des
        ODD``).
        """
        kind = self.kinds.get(node, "")
        notation = self.notations.get(node, "")
        if kind not in KINDS or not notation and kind != str(PKG.Mandate):
            return self.label(node, lang)
        noun = KINDS[kind][LANGUAGES.index(lang)]
        text = f"{noun} {notation}".strip()
        document = self.documents.get(node, "")
        if kind in _IN_DOCUMENT and document and document != self.documents.get(within, within):
            title = self.label(document, lang)
            text = f"{text} ({title})" if lang == "fr" else f"{text} of the {title}"
        elif kind == str(SDGO.Target) and lang == "fr":
            text = f"cible {notation} des ODD"
        if lang == "fr" and article:
            feminine = kind in (str(SDGO.Target), str(PKG.Mission), str(PKG.Vision))
            text = ("l'" if text[:1] in "aeéiouAEÉIOU" else "la " if feminine else "le ") + text
        return text

    def sentence(self, text: str) -> str:
        """French contractions made (``à le`` → ``au``), the first letter a capital."""
        for loose, tight in ((" à le ", " au "), (" de le ", " du "), (" à les ", " aux "),
                             (" de les ", " des ")):
            text = text.replace(loose, tight)
        return text[:1].upper() + text[1:]

    def axis(self, node: str, lang: str = "en", width: int = 34) -> str:
        """Return a label for a chart's axis.

        A label for a chart's axis: the notation, then a short title (``3 Improve law…``, ``16.4
        Significantly reduce illicit…``, ``16 Peace, justice and strong…``).
        """
        notation = self.notations.get(node, "")
        title = self.short_titles.get((node, lang)) or self.short_titles.get((node, "en")) \
            or self.label(node, lang)
        if self.kinds.get(node) == str(SDGO.Target):
            title = _BY_2030.sub("", title)
            title = title[:1].upper() + title[1:]
        if self.kinds.get(node) in _IN_DOCUMENT and node in self.documents:
            notation = f"{self.name(self.documents[node], lang)} {notation}"
            return clip(f"{notation}: {title}", width)
        return clip(f"{notation} {title}".strip(), width)

    def sort_key(self, node: str) -> tuple[Any, ...]:
        """Order nodes as people expect: by document, then notation (5.2 before 10.7)."""
        if node.startswith(SDG):
            return (1, natural_key(node[len(SDG):]))
        return (0, natural_key(self.documents.get(node, node)),
                self.positions.get(node, 0), natural_key(node))


def read_names(store: Any) -> Names:
    """Read the names of every node of a pyoxigraph store holding the graph (union of graphs)."""
    names = Names()

    def select(query: str) -> Any:
        return store.query(query, use_default_graph_as_union=True)

    ranked = list(KINDS)
    values = " ".join(f"<{cls}>" for cls in ranked)
    for row in select(f"SELECT ?n ?c WHERE {{ VALUES ?c {{ {values} }} ?n a ?c }}"):
        node, cls = row["n"].value, row["c"].value
        if node not in names.kinds or ranked.index(cls) < ranked.index(names.kinds[node]):
            names.kinds[node] = cls
    compact = str(SDGO.SDGCodeCompact)
    for row in select(f"SELECT ?n ?x WHERE {{ ?n <{_SKOS}notation> ?x }}"):
        node, term = row["n"].value, row["x"]
        datatype = getattr(term, "datatype", None)
        if node.startswith(SDG) and (datatype is None or datatype.value != compact):
            continue
        names.notations[node] = term.value
    for row in select(f"SELECT ?n ?l WHERE {{ ?n <{_SKOS}prefLabel> ?l }}"):
        language = getattr(row["l"], "language", None) or ""
        if language in LANGUAGES:
            names.labels[(row["n"].value, language)] = row["l"].value
    for row in select("SELECT ?n ?l WHERE { ?n <http://xmlns.com/foaf/0.1/name> ?l }"):
        for language in LANGUAGES:
            names.labels.setdefault((row["n"].value, language), row["l"].value)
    for row in select(f"SELECT ?n ?l WHERE {{ ?n a <{SDGO.Goal}> ; <{_SKOS}altLabel> ?l }}"):
        language = getattr(row["l"], "language", None) or ""
        names.short_titles[(row["n"].value, language)] = row["l"].value
    for row in select(f"SELECT ?n ?d WHERE {{ ?d <{_SKOS}hasTopConcept>|^<{_SKOS}inScheme> ?n "
                      f"FILTER (?d != ?n) }}"):
        names.documents[row["n"].value] = row["d"].value
    for row in select("SELECT ?c ?l WHERE { ?c a <http://www.w3.org/2002/07/owl#Class> ; "
                      "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"):
        language = getattr(row["l"], "language", None) or ""
        names.class_labels[(row["c"].value, language)] = row["l"].value
    for row in select("SELECT ?c ?l WHERE { ?c a <http://www.w3.org/2002/07/owl#ObjectProperty> ; "
                      "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"):
        language = getattr(row["l"], "language", None) or ""
        names.property_labels[(row["c"].value, language)] = row["l"].value
    for row in select(f"SELECT ?n ?p WHERE {{ ?n <{PKG.position}> ?p }}"):
        try:
            names.positions[row["n"].value] = int(row["p"].value)
        except ValueError:
            continue
    return names
