"""Candidate mappings from the texts, by lexical similarity: never merged, only proposed.

Each programme objective and expected outcome is compared, in French, with each cross-cutting
theme (its name and its statements) and each 2026-2030 strategic goal (its name and its
explanatory paragraphs); each Global Policing Goal (its name and statements) with each SDG
target (its official French title): TF-IDF over accent-folded, lightly stemmed words without
stop words, cosine similarity. The best target above the threshold is proposed as SSSOM with
``semapv:LexicalMatching`` and the cosine as confidence; precision and recall are measured
against the curated sets.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policing_kg.common.iris import sparql_prefixes

__all__ = [
    "Suggestion", "Score", "TASKS", "tokens", "read_texts", "ranked", "suggest", "score",
    "to_sssom",
]

_STOP = frozenset("""
a au aux avec ce ces cet cette dans de des du elle en entre et il ils la le les leur leurs lui
mais meme ne ni nos notre nous on ou par pas plus pour qu que qui sa se ses son sont sur ta te
tes ton tous tout toute toutes un une vos votre vous afin ainsi aussi autre autres car celle
celles celui ceux comme dont donc elles etre fait faire ici lors mieux moins non peu selon
sans si sous tant tel telle tres via ont est sera seront ete the of and to in for by with on
interpol pays membres services charges application loi niveau niveaux mondial mondiale
""".split())
_WORD = re.compile(r"[a-z]{3,}")
_PREFIXES = sparql_prefixes("skos", "pkg", "dcterms", "sdgo")
#: task -> (predicate, subjects query, objects query); each query gives ?item and ?text (fr)
TASKS = {
    "themes": (
        "https://w3id.org/policing-kg/ontology#buildsOnTheme",
        """SELECT ?item ?text WHERE {
             { ?item a pkg:ProgrammeObjective } UNION { ?item a pkg:ExpectedOutcome }
             ?item skos:prefLabel ?text FILTER (LANG(?text) = "fr") }""",
        """SELECT ?item ?text WHERE { ?item a pkg:CrossCuttingTheme .
             { ?item skos:prefLabel ?text FILTER (LANG(?text) = "fr") }
             UNION { ?statement skos:broader ?item ; skos:prefLabel ?text
                     FILTER (LANG(?text) = "fr") } }""",
    ),
    "sdg-targets": (
        "https://w3id.org/policing-kg/ontology#contributesToSDG",
        """SELECT ?item ?text WHERE { ?item a pkg:GlobalPolicingGoal .
             { ?item skos:prefLabel ?text FILTER (LANG(?text) = "fr") }
             UNION { ?statement skos:broader ?item ; skos:prefLabel ?text
                     FILTER (LANG(?text) = "fr") } }""",
        """SELECT ?item ?text WHERE { ?item a sdgo:Target ;
             skos:prefLabel ?text FILTER (LANG(?text) = "fr") }""",
    ),
    "statement-targets": (
        "https://w3id.org/policing-kg/ontology#contributesToSDG",
        """SELECT ?item ?text WHERE { { ?item a pkg:GoalStatement } UNION
             { ?item a pkg:ThemeStatement } ?item skos:prefLabel ?text
             FILTER (LANG(?text) = "fr") }""",
        """SELECT ?item ?text WHERE { ?item a sdgo:Target ;
             skos:prefLabel ?text FILTER (LANG(?text) = "fr") }""",
    ),
    "programme-statements": (
        "https://w3id.org/policing-kg/ontology#delivers",
        """SELECT ?item ?text WHERE {
             { ?item a pkg:ProgrammeObjective } UNION { ?item a pkg:ExpectedOutcome }
             ?item skos:prefLabel ?text FILTER (LANG(?text) = "fr") }""",
        """SELECT ?item ?text WHERE { { ?item a pkg:GoalStatement } UNION
             { ?item a pkg:ThemeStatement } ?item skos:prefLabel ?text
             FILTER (LANG(?text) = "fr") }""",
    ),
    "strategic-goals": (
        "https://w3id.org/policing-kg/ontology#serves",
        """SELECT ?item ?text WHERE { ?item a pkg:ProgrammeObjective ;
             skos:prefLabel ?text FILTER (LANG(?text) = "fr") }""",
        """SELECT ?item ?text WHERE { ?item a pkg:StrategicGoal .
             { ?item skos:prefLabel ?text FILTER (LANG(?text) = "fr") }
             UNION { ?item dcterms:description ?text } }""",
    ),
}


def tokens(text: str) -> list[str]:
    """Fold accents and case, drop stop words, keep the first six letters of each word.

    >>> tokens("Échange accru d’informations de police")
    ['echang', 'accru', 'inform', 'police']
    """
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return [w[:6] for w in _WORD.findall(folded) if w not in _STOP]


@dataclass(frozen=True, order=True)
class Suggestion:
    """A proposed mapping with the similarity that proposes it."""

    subject: str
    predicate: str
    object: str
    confidence: float


@dataclass(frozen=True)
class Score:
    """Precision and recall of suggestions against a curated set."""

    task: str
    suggested: int
    curated: int
    agreed: int

    @property
    def precision(self) -> float:
        """The share of suggestions that the curated set also makes."""
        return self.agreed / self.suggested if self.suggested else 0.0

    @property
    def recall(self) -> float:
        """The share of curated mappings that the suggestions find."""
        return self.agreed / self.curated if self.curated else 0.0


def _vectors(documents: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    frequency = Counter(word for words in documents.values() for word in set(words))
    count = len(documents)
    vectors = {}
    for key, words in documents.items():
        weights = {w: n * math.log((1 + count) / (1 + frequency[w]))
                   for w, n in Counter(words).items()}
        norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
        vectors[key] = {w: v / norm for w, v in weights.items()}
    return vectors


def read_texts(store: object, query: str) -> dict[str, str]:
    """Run a task's query (``?item ?text``) on a release store; join each item's texts."""
    import pyoxigraph as ox

    assert isinstance(store, ox.Store)
    solutions = store.query(_PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    found: dict[str, list[str]] = {}
    for row in solutions:
        found.setdefault(row["item"].value, []).append(row["text"].value)
    return {item: " ".join(sorted(texts)) for item, texts in found.items()}


def ranked(subjects: dict[str, str], objects: dict[str, str]) -> dict[str, list[tuple[float, str]]]:
    """Return, for each subject, every object by cosine similarity, best first."""
    vectors = _vectors({**{f"s {k}": tokens(v) for k, v in subjects.items()},
                        **{f"o {k}": tokens(v) for k, v in objects.items()}})
    found = {}
    for subject in sorted(subjects):
        left = vectors[f"s {subject}"]
        scores = [(sum(w * vectors[f"o {obj}"].get(t, 0.0) for t, w in left.items()), obj)
                  for obj in sorted(objects)]
        found[subject] = sorted(scores, reverse=True)  # ties: the last object in name order
    return found


def suggest(subjects: dict[str, str], objects: dict[str, str], predicate: str,
            threshold: float = 0.05, best: int = 1) -> list[Suggestion]:
    """Propose, for each subject, its ``best`` most similar objects that reach ``threshold``."""
    suggestions = []
    for subject, scores in ranked(subjects, objects).items():
        for cosine, obj in scores[:best]:
            if cosine >= threshold and obj:
                suggestions.append(Suggestion(subject, predicate, obj, round(cosine, 3)))
    return suggestions


def score(task: str, suggestions: Iterable[Suggestion],
          curated: set[tuple[str, str]]) -> Score:
    """Compare suggestions with the curated (subject, object) pairs, on the curated subjects."""
    scope = {s for s, _ in curated}
    proposed = {(s.subject, s.object) for s in suggestions if s.subject in scope}
    return Score(task, len(proposed), len(curated), len(proposed & curated))


def to_sssom(suggestions: Iterable[Suggestion], task: str) -> str:
    """Write suggestions as an SSSOM TSV (to review by hand; never merged by the program)."""
    from policing_kg.curation.mappings import sssom_text

    metadata: dict[str, Any] = {
        "curie_map": {"pkg": "https://w3id.org/policing-kg/ontology#",
                      "pkgid": "https://w3id.org/policing-kg/id/",
                      "semapv": "https://w3id.org/semapv/vocab/",
                      "sdg": "http://metadata.un.org/sdg/"},
        "mapping_set_id": f"https://w3id.org/policing-kg/mappings/suggested-{task}",
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "mapping_set_description": "Candidates proposed by lexical similarity (TF-IDF cosine "
        "over folded French words). To review: not curated, never merged by the program.",
    }
    rows = [{"subject_id": s.subject, "predicate_id": s.predicate, "object_id": s.object,
             "mapping_justification": "https://w3id.org/semapv/vocab/LexicalMatching",
             "author_id": "https://w3id.org/policing-kg/id/agent/policing-kg",
             "confidence": str(s.confidence), "comment": "TF-IDF cosine of the French texts"}
            for s in suggestions]
    return sssom_text(metadata, rows)


@dataclass(frozen=True)
class Proposal:
    """A task's suggestions, scored against the curated mappings it could have proposed."""

    task: str
    suggestions: list[Suggestion]
    score: Score
    curated_subjects: int

    def sssom(self) -> str:
        """Return the suggestions as an SSSOM TSV file."""
        return to_sssom(self.suggestions, self.task)

    def summary(self) -> str:
        """One line: how many, precision and recall."""
        s = self.score
        return (f"{len(self.suggestions)} suggestions ({self.task}); against the curated set on "
                f"its {self.curated_subjects} subjects: precision {s.precision:.2f} "
                f"({s.agreed}/{s.suggested}), recall {s.recall:.2f} ({s.agreed}/{s.curated})")


def curated_rows(project: Any, predicate: str, subjects: Iterable[str]) -> list[Any]:
    """Return the curated mappings with ``predicate`` whose subject is one of ``subjects``."""
    from policing_kg.curation.mappings import load_mapping_sets

    wanted = set(subjects)
    return [m for s in load_mapping_sets(project.data / "mappings", project.root)
            for m in s.mappings if m.predicate == predicate and m.subject in wanted]


def propose(project: Any, dist: Path, task: str, threshold: float = 0.05,
            out: Path | None = None) -> Proposal:
    """Do what ``crosswalk suggest`` does: read the release, propose, score; write ``out``."""
    import math

    from policing_kg.common.files import write_atomically
    from policing_kg.common.store import open_store
    from policing_kg.errors import PolicingKGError

    if task not in TASKS:
        raise PolicingKGError(f"no task {task!r}", hint=f"one of {', '.join(TASKS)}")
    if math.isnan(threshold) or not 0.0 <= threshold <= 1.0:
        raise PolicingKGError(f"threshold {threshold!r} is not between 0 and 1")
    store = open_store(dist)
    predicate, subjects_query, objects_query = TASKS[task]
    objects = read_texts(store, objects_query)
    subjects = read_texts(store, subjects_query)
    suggestions = suggest(subjects, objects, predicate, threshold)
    # scored against the curated mappings that the task could have proposed
    curated = {(m.subject, m.object) for m in curated_rows(project, predicate, subjects)
               if m.object in objects}
    proposal = Proposal(task, suggestions, score(task, suggestions, curated),
                        len({s for s, _ in curated}))
    if out is not None:
        text = proposal.sssom()

        def write(path: Path) -> None:
            path.write_text(text, "utf-8")

        write_atomically(out, write)
    return proposal


__all__ += ["Proposal", "propose", "curated_rows"]
