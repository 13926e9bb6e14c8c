"""The crosswalks at the level of statements and outcomes (issue 14): every subject considered,
every row's quotations really in the two texts, the review logs and the published counts agree."""

from __future__ import annotations

import csv
import re
from collections import Counter
from typing import Any

import pytest

from policing_kg.assembly.assemble import Assembly
from policing_kg.curation.glossary import fold
from policing_kg.curation.mappings import NO_TERM_FOUND, MappingSet
from policing_kg.curation.sdg_table import SDG, load_sdg_table
from policing_kg.extraction.records import ItemKind

from ..conftest import ID, ROOT

MAPPINGS = ROOT / "data" / "mappings"
PKG = "https://w3id.org/policing-kg/ontology#"
#: set -> (predicate, the kinds of its subjects, every one of which it must consider)
REVIEWED = {
    "policing-goal-statements-to-sdg-targets": (
        PKG + "contributesToSDG", {ItemKind.GOAL_STATEMENT, ItemKind.THEME_STATEMENT}),
    "programme-work-to-policing-goal-statements": (
        PKG + "delivers", {ItemKind.PROGRAMME_OBJECTIVE, ItemKind.EXPECTED_OUTCOME}),
    "programme-outcomes-to-sdg-targets": (PKG + "contributesToSDG", set()),
}
CONFIDENCES = {0.6, 0.7, 0.8, 0.9}


def _log(name: str) -> list[dict[str, str]]:
    with (MAPPINGS / "reviews" / f"{name}.review.tsv").open(newline="", encoding="utf-8") as h:
        return list(csv.DictReader(h, delimiter="\t"))


def _set(assembly: Assembly, name: str) -> MappingSet:
    (found,) = [s for s in assembly.mapping_sets if s.path.endswith(f"{name}.sssom.tsv")]
    return found


def _curie_document(curie: str) -> str:
    """The document of a logged subject (``pkgid:ct-2022/outcome/4`` -> ``ct-2022``)."""
    return curie.removeprefix("pkgid:").split("/", 1)[0]


def _curie(iri: str) -> str:
    for prefix, base in (("pkgid:", ID), ("sdg:", SDG), ("sssom:", "https://w3id.org/sssom/")):
        if iri.startswith(base):
            return prefix + iri[len(base):]
    return iri


@pytest.fixture(scope="module")
def texts(assembly: Assembly) -> dict[str, str]:
    """Every item's and SDG's words a comment may quote: its own, and its parent's (heading)."""
    found: dict[str, list[str]] = {}
    items = {(i.document, i.path): i for c in assembly.conversions for i in c.items}
    for (document, path), item in items.items():
        words = [item.label or ""]
        if item.parent is not None and (document, item.parent) in items:
            words.append(items[(document, item.parent)].label or "")
        found[f"{ID}{document}/{'/'.join(path)}"] = words
    for label in assembly_labels(assembly):
        found.setdefault(label[0], []).append(label[1])
    for row in load_sdg_table(ROOT / "data" / "sdg" / "sdg-goals-targets.toml").rows:
        found[SDG + row.code] = [row.en, row.fr]
    return {iri: fold(" ".join(words)) for iri, words in found.items()}


def assembly_labels(assembly: Assembly) -> list[tuple[str, str]]:
    from rdflib.namespace import SKOS

    return [(str(s), str(o)) for s, _, o, _ in assembly.dataset.quads((None, SKOS.prefLabel, None, None))]


@pytest.mark.parametrize("name", sorted(REVIEWED))
def test_the_set_and_its_review_log_agree(assembly: Assembly, name: str) -> None:
    rows = _set(assembly, name).mappings
    log = _log(name)
    accepted = {(r["subject_id"], r["object_id"]) for r in log if r["decision"] == "accepted"}
    assert accepted == {(_curie(m.subject), _curie(m.object)) for m in rows}
    assert {r["decision"] for r in log} <= {"accepted", "rejected", "superseded", "no-row"}
    for r in log:  # a rejection has the confidence it would have had, below the floor
        if r["decision"] == "rejected":
            assert float(r["confidence"]) < 0.6, r
    assert len(log) == len({(r["subject_id"], r["object_id"]) for r in log})


@pytest.mark.parametrize("name", sorted(REVIEWED))
def test_every_row_is_the_projects_justified_reading(assembly: Assembly, name: str) -> None:
    predicate, kinds = REVIEWED[name]
    mapping_set = _set(assembly, name)
    for m in mapping_set.mappings:
        assert m.predicate == predicate and m.author == ID + "agent/policing-kg", m.line
        assert m.justification == "https://w3id.org/semapv/vocab/ManualMappingCuration"
        if m.object == NO_TERM_FOUND:
            assert m.confidence is None and m.comment, m.line
        else:
            assert m.confidence in CONFIDENCES, m.line
    if kinds:  # every subject of those kinds was considered, mapped or ruled not mappable ...
        covered = {_curie_document(r["subject_id"]) for r in _log(name)}
        # ... in each document the review log covers (CONTRIBUTING, "Add a document": a
        # document enters a reviewed set whole, or not at all)
        wanted = {f"{ID}{i.document}/{'/'.join(i.path)}" for c in assembly.conversions
                  for i in c.items if i.kind in kinds and i.document in covered}
        assert covered and {m.subject for m in mapping_set.mappings} == wanted


@pytest.mark.parametrize("name", sorted(REVIEWED))
def test_every_quotation_is_in_the_texts_it_quotes(assembly: Assembly, texts: dict[str, str],
                                                   name: str) -> None:
    """«…» quotes the French of the subject or object (or its heading), "…" an SDG target's
    official title or the FCAC objectives' English source; an ellipsis separates fragments."""
    checked = 0
    every_sdg = " ".join(text for iri, text in texts.items() if iri.startswith(SDG))
    for m in _set(assembly, name).mappings:
        pool = texts.get(m.subject, "") + " " + texts.get(m.object, "")
        if m.object == NO_TERM_FOUND:  # says which targets came nearest, and why not them
            pool += " " + every_sdg
        for quoted in re.findall(r"«\s*([^»]+?)\s*»", m.comment) + re.findall(r'"([^"]+)"',
                                                                             m.comment):
            for fragment in re.split(r"\s*(?:…|\.\.\.)\s*", quoted):
                fragment = fold(fragment).strip(" ,;.:")
                if len(fragment) >= 4:
                    assert fragment in pool, (m.line, fragment)
                    checked += 1
    assert checked >= len(_set(assembly, name).mappings)


def _readme_counts() -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for line in (MAPPINGS / "README.md").read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 8 and cells[0].strip("`") in REVIEWED:
            table[cells[0].strip("`")] = cells[1:]
    return table


@pytest.mark.parametrize("name", sorted(REVIEWED))
def test_the_published_counts_are_the_logs(assembly: Assembly, name: str) -> None:
    rows, subjects, none, reviewed, accepted, rejected, other = _readme_counts()[name]
    mappings = _set(assembly, name).mappings
    decisions = Counter(r["decision"] for r in _log(name))
    assert int(rows) == len(mappings) == int(accepted) == decisions["accepted"]
    assert int(subjects) == len({m.subject for m in mappings})
    assert int(none) == sum(m.object == NO_TERM_FOUND for m in mappings)
    assert int(reviewed) == sum(decisions.values())
    assert int(rejected) == decisions["rejected"]
    for kind in ("superseded", "no-row"):
        assert (f"{decisions[kind]} {kind}" in other) == bool(decisions[kind])


def test_a_quotation_not_in_the_text_is_caught(texts: dict[str, Any]) -> None:
    """The quotation check can fail: a made-up quote is in neither text."""
    pool = texts[ID + "gpg-2023/goal/3/statement/5"] + texts[SDG + "16.2"]
    assert fold("exploitation sexuelle des enfants") in pool
    assert fold("trafic d'organes") not in pool

