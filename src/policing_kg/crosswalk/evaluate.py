"""How good ``crosswalk suggest`` is as a reviewer's assistant, measured on items it never saw.

The subjects that a curated set considered (those it maps, and those it rules not mappable) are
split in two by a hash of their IRI: the tuning half chooses the suggester's settings (the
least cosine, and how many candidates per subject), the held-out half measures precision and
recall with those settings. Reporting only the held-out figures keeps the numbers from
confirming themselves: the settings were not chosen on the items they are measured on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Evaluation", "Measure", "evaluate", "held_out", "THRESHOLDS", "CANDIDATES"]

#: The settings tried on the tuning half.
THRESHOLDS = tuple(round(0.05 * n, 2) for n in range(1, 13))
CANDIDATES = (1, 2, 3)


def held_out(iri: str) -> bool:
    """Whether a subject is in the held-out half (a stable hash of its IRI, not its order).

    >>> held_out("https://w3id.org/policing-kg/id/gpg-2023/goal/3/statement/1") in (True, False)
    True
    """
    return int(hashlib.sha256(iri.encode("utf-8")).hexdigest(), 16) % 2 == 1


@dataclass(frozen=True)
class Measure:
    """Suggestions against curated pairs, on some subjects."""

    subjects: int
    suggested: int
    curated: int
    agreed: int

    @property
    def precision(self) -> float:
        """The share of suggestions the curators also made."""
        return self.agreed / self.suggested if self.suggested else 0.0

    @property
    def recall(self) -> float:
        """The share of the curated mappings the suggestions find."""
        return self.agreed / self.curated if self.curated else 0.0

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def text(self) -> str:
        """Precision and recall with their counts."""
        return (f"precision {self.precision:.2f} ({self.agreed}/{self.suggested}), recall "
                f"{self.recall:.2f} ({self.agreed}/{self.curated}), F1 {self.f1:.2f}")


@dataclass(frozen=True)
class Evaluation:
    """The settings chosen on the tuning half, and the measures on both halves."""

    task: str
    threshold: float
    candidates: int
    tuning: Measure
    held_out: Measure

    def lines(self) -> list[str]:
        """For people: the settings, then the held-out figures (the ones to quote)."""
        return [f"{self.task}: settings chosen on {self.tuning.subjects} tuning subjects: "
                f"cosine >= {self.threshold:.2f}, up to {self.candidates} candidate(s) each "
                f"({self.tuning.text()})",
                f"{self.task}: held out, {self.held_out.subjects} subjects never seen when "
                f"tuning: {self.held_out.text()}"]


def _measure(ranked: dict[str, list[tuple[float, str]]], subjects: Iterable[str],
             curated: set[tuple[str, str]], threshold: float, candidates: int) -> Measure:
    chosen = set(subjects)
    proposed = {(s, o) for s in chosen for cosine, o in ranked.get(s, [])[:candidates]
                if cosine >= threshold and o}
    wanted = {(s, o) for s, o in curated if s in chosen}
    return Measure(len(chosen), len(proposed), len(wanted), len(proposed & wanted))


def evaluate(project: Any, dist: Path, task: str) -> Evaluation:
    """Tune the suggester on one half of a task's curated subjects, measure it on the other."""
    from policing_kg.common.store import open_store
    from policing_kg.crosswalk.suggest import TASKS, curated_rows, ranked, read_texts
    from policing_kg.errors import PolicingKGError

    if task not in TASKS:
        raise PolicingKGError(f"no task {task!r}", hint=f"one of {', '.join(TASKS)}")
    store = open_store(dist)
    predicate, subjects_query, objects_query = TASKS[task]
    subjects, objects = read_texts(store, subjects_query), read_texts(store, objects_query)
    rows = curated_rows(project, predicate, subjects)
    considered = sorted({m.subject for m in rows})
    if len(considered) < 4:
        raise PolicingKGError(f"task {task}: {len(considered)} curated subjects, too few to "
                              "split into a tuning and a held-out half")
    curated = {(m.subject, m.object) for m in rows if m.object in objects}
    scores = ranked({s: subjects[s] for s in considered}, objects)
    tuning = [s for s in considered if not held_out(s)]
    test = [s for s in considered if held_out(s)]
    best = max((_measure(scores, tuning, curated, t, k).f1, -t, -k) for t in THRESHOLDS
                for k in CANDIDATES)
    threshold, candidates = -best[1], -best[2]
    return Evaluation(task, threshold, candidates,
                      _measure(scores, tuning, curated, threshold, candidates),
                      _measure(scores, test, curated, threshold, candidates))
