"""The analyst's questions (issue 18): one call each, names first, and errors, not empty tables.

Corpus facts come from the release itself (its union graph), never from this file: the checks
compare one view with another, or a view with the graph.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from policing_kg.access.queries import _table, run_query
from policing_kg.cli import cli
from policing_kg.common.sorting import natural_key
from policing_kg.common.store import open_store
from policing_kg.curation.catalogue import load_catalogue
from policing_kg.errors import PolicingKGError
from policing_kg.release.build import BuildResult

from ..conftest import ID, PKG, ROOT

CATALOGUE = load_catalogue(ROOT / "queries")
SDG = "http://metadata.un.org/sdg/"
Release = tuple[Path, BuildResult]


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def query_csv(release: Release, name: str, *params: str) -> list[dict[str, str]]:
    args = ["query", name, "--format", "csv", "--project", str(ROOT), "--dist", str(release[0])]
    for param in params:
        args += ["--param", param]
    code, out, err = run(*args)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


def union(release: Release, query: str) -> list[dict[str, str]]:
    store = open_store(release[0])
    solutions = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def test_objective_to_sdg_follows_every_chain(release: Release) -> None:
    rows = query_csv(release, "objective-to-sdg", "objective=cyber-2022/objective/2")
    codes = [row["code"] for row in rows]
    assert "16.4" in codes  # through its outcome 8 (skos:narrower o pkg:contributesToSDG)
    graph = {r["code"] for r in union(release, f"""
        SELECT ?code WHERE {{ <{ID}cyber-2022/objective/2> <{PKG}contributesToSDG> ?sdg .
        ?sdg <http://www.w3.org/2004/02/skos/core#notation> ?code .
        FILTER (DATATYPE(?code) = <http://metadata.un.org/sdg/ontology#SDGCodeCompact>) }}""")}
    assert set(codes) == graph
    assert codes == sorted(codes, key=natural_key)  # 5.2 before 10.7 before 16.a


def test_why_linked_gives_the_route_of_an_inferred_link(release: Release) -> None:
    rows = query_csv(release, "why-linked", "subject=fcac-2022", "object=sdg/16.5")
    assert len(rows) == 1 and rows[0]["link"] == "inferred"
    reason = rows[0]["reason"]
    assert "serves goal 5 (" in reason and "which contributes to SDG target 16.5 (" in reason
    assert rows[0]["justification"] == "semapv:MappingChaining"
    french = query_csv(release, "why-linked", "subject=sdg/16.5", "object=fcac-2022", "lang=fr")
    assert "qui contribue à la cible 16.5 des ODD" in french[0]["reason"]


def test_reaching_is_exactly_what_the_graph_links(release: Release) -> None:
    rows = query_csv(release, "reaching", "item=sdg/16.4")
    graph = {r["s"] for r in union(release, f"SELECT ?s WHERE {{ ?s <{PKG}contributesToSDG> "
                                            f"<{SDG}16.4> }}")}
    assert {row["subject"] for row in rows} == graph and graph
    for row in rows:  # names first: the label before the IRI, a count per kind
        assert row["label"] and row["kind"] and int(row["of_kind"]) >= 1
    kinds: dict[str, set[str]] = {}
    for row in rows:
        kinds.setdefault(row["kind"], set()).add(row["subject"])
    assert {k: len(v) for k, v in kinds.items()} == {row["kind"]: int(row["of_kind"])
                                                      for row in rows}


@pytest.mark.parametrize("params, message", [
    (("item=gpg-2023/goal/99",), "gpg-2023/goal/99 is not in the release"),
    (("item=3",), "3 is not in the release"),
    (("item=sf-2026/vision",), "sf-2026/vision is a vision"),
    (("item=sdg/16.4", "lang=de"), "'de' is not a language of the labels"),
])
def test_a_wrong_question_is_an_error_never_an_empty_answer(
        release: Release, params: tuple[str, ...], message: str) -> None:
    args = ["query", "reaching", "--project", str(ROOT), "--dist", str(release[0])]
    for param in params:
        args += ["--param", param]
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_the_nearest_items_are_named(release: Release) -> None:
    code, _, err = run("query", "goal-to-sdg", "--param", "goal=3", "--project", str(ROOT),
                       "--dist", str(release[0]))
    assert code == 2 and "gpg-2023/goal/3" in err
    code, _, err = run("query", "goal-to-sdg", "--param", "goal=sf-2026/goal/2",
                       "--project", str(ROOT), "--dist", str(release[0]))
    assert code == 2 and "takes a Global Policing Goal" in err and "gpg-2023/goal/" in err


def test_an_empty_answer_to_a_valid_question_exits_0(release: Release) -> None:
    code, out, err = run("query", "reaching", "--param", "item=gpg-2023/goal/3/statement/4",
                         "--project", str(ROOT), "--dist", str(release[0]))
    assert code == 0, err
    assert out.rstrip().endswith("(0 rows)")


def test_every_one_item_query_answers_for_all_items(release: Release) -> None:
    store = open_store(release[0])
    for query in CATALOGUE.values():
        items = [p for p in query.parameters if p.type == "iri"]
        if len(items) != 1 or query.name == "label-search":
            continue
        assert items[0].optional, f"{query.name}: its item parameter is not optional"
        every = run_query(query, {}, store)
        assert every.rows, query.name
        example = query.example_params(query.examples[0])
        if items[0].name in example:
            one = run_query(query, example, store)
            assert set(one.rows) <= set(every.rows) or len(one.rows) <= len(every.rows)


def test_lang_is_the_one_name_and_defaults_to_english() -> None:
    for query in CATALOGUE.values():
        languages = [p for p in query.parameters if p.type == "language"]
        assert all(p.name == "lang" and p.optional for p in languages), query.name
        if "LANG(" in query.text and "?lang" in query.text:
            assert languages, f"{query.name} shows labels but has no lang parameter"


def test_answers_hold_names_first_and_iris_last(release: Release) -> None:
    store = open_store(release[0])
    for name in ("reaching", "why-linked", "goal-to-sdg", "objective-to-sdg",
                 "programme-sdg-targets", "goal-delivery", "sdg-coverage"):
        query = CATALOGUE[name]
        result = run_query(query, query.example_params(query.examples[0]), store)
        first = result.terms[0]
        kinds = [isinstance(t, ox.NamedNode) for t in first]
        assert not kinds[0], f"{name}: an IRI first"
        assert kinds == sorted(kinds), f"{name}: an IRI before a name: {result.variables}"


def test_sdg_codes_in_their_natural_order(release: Release) -> None:
    for name, column in (("goal-to-sdg", "code"), ("sdg-coverage", "code")):
        codes = [row[column] for row in query_csv(release, name)
                 if name != "goal-to-sdg" or row["goal_notation"] == "3"]
        if name == "goal-to-sdg":
            codes = [c for c in codes if "." in c]
        assert codes == sorted(codes, key=natural_key), (name, codes)


def test_programme_sdg_targets_ranks_programmes(release: Release) -> None:
    rows = query_csv(release, "programme-sdg-targets")
    counts = [int(row["targets_reached"]) for row in rows]
    assert counts == sorted(counts, reverse=True)
    for programme in {row["programme"] for row in rows}:
        mine = [row for row in rows if row["programme"] == programme]
        assert len({row["target"] for row in mine}) == int(mine[0]["targets_reached"])


def test_goal_delivery_counts_add_up(release: Release) -> None:
    rows = query_csv(release, "goal-delivery")
    undelivered = {r["s"] for r in union(release, f"""
        SELECT ?s WHERE {{ {{ ?s a <{PKG}GoalStatement> }} UNION {{ ?s a <{PKG}ThemeStatement> }}
        FILTER NOT EXISTS {{ ?w <{PKG}delivers> ?s }} }}""")}
    assert sum(int(r["undelivered"]) for r in rows) == len(undelivered)
    for row in rows:
        assert int(row["delivered"]) + int(row["undelivered"]) == int(row["statements"])
        assert int(row["share_delivered"]) == round(100 * int(row["delivered"])
                                                    / int(row["statements"]))


def test_query_file_answers_a_select_and_refuses_an_insert(release: Release,
                                                          tmp_path: Path) -> None:
    select = "SELECT ?g WHERE { ?g a pkg:GlobalPolicingGoal } ORDER BY ?g"
    code, out, err = run("query", "--file", "-", "--format", "json", "--dist", str(release[0]),
                         stdin=select)
    assert code == 0, err
    rows = json.loads(out)["results"]["bindings"]
    assert [r["g"]["value"] for r in rows] == sorted(
        r["g"] for r in union(release, f"SELECT ?g WHERE {{ ?g a <{PKG}GlobalPolicingGoal> }}"))
    insert = tmp_path / "insert.rq"
    insert.write_text("PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }\n")
    code, out, err = run("query", "--file", str(insert), "--dist", str(release[0]))
    assert code == 2 and out == "" and "SPARQL Update" in err and err.count("\n") == 1
    for fmt in ("table", "markdown", "csv", "tsv", "json"):
        code, out, err = run("query", "--file", "-", "--format", fmt,
                             "--dist", str(release[0]), stdin=select)
        assert code == 0 and "gpg-2023/goal/1" in out, (fmt, err)
    code, out, _ = run("query", "--file", "-", "--dist", str(release[0]),
                       stdin="ASK { ?g a pkg:GlobalPolicingGoal }")
    assert out == "true\n"


def test_query_file_reports_a_syntax_error_at_its_line(release: Release) -> None:
    code, _, err = run("query", "--file", "-", "--dist", str(release[0]),
                       stdin="SELECT ?s\nWHERE { ?s ?p }")
    assert code == 2 and "standard input:2:" in err


def test_query_file_stops_at_its_time_limit(release: Release) -> None:
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    code, _, err = run("query", "--file", "-", "--timeout", "1", "--dist", str(release[0]),
                       stdin=heavy)
    assert code == 2 and "time limit (1 s)" in err


def test_the_table_wraps_and_never_cuts() -> None:
    long = "word " * 40 + "\nsecond line"
    text = _table(["a"], [[long.strip()]])
    assert " ".join(text.split()[2:-2]) == " ".join(long.split())  # every word, in order
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= 44
    iri = "https://w3id.org/policing-kg/id/x/" + "y" * 80
    assert iri in _table(["iri"], [[iri]])  # a word (an IRI) is never cut


def test_the_python_api(release: Release) -> None:
    from policing_kg import open_release

    r = open_release(release[0], project=ROOT)
    answer = r.query("goal-to-sdg", goal="gpg-2023/goal/3")
    frame = answer.to_pandas()
    assert list(frame.columns) == list(answer.variables) and len(frame) == len(answer)
    confidences = [c for c in answer.column("confidence") if c is not None]
    assert confidences and all(isinstance(c, float) for c in confidences)
    crosswalk = r.crosswalk()
    links = {(r["s"], r["p"], r["o"]) for r in union(release, f"""
        SELECT ?s ?p ?o WHERE {{ ?p <http://www.w3.org/2000/01/rdf-schema#subPropertyOf>*
        <{PKG}crosswalkRelation> . ?s ?p ?o . FILTER (isIRI(?o)) }}""")}
    held = set(zip(crosswalk["subject"], crosswalk["predicate"], crosswalk["object"], strict=True))
    assert held == links  # every asserted and inferred link, nothing else
    assert set(crosswalk["link"]) == {"asserted", "inferred"}
    assert list(crosswalk.columns)[0] == "subject_label" and crosswalk.columns[-1] == "record"
    ask = r.sparql("ASK { ?g a pkg:GlobalPolicingGoal }")
    assert ask is True
    with pytest.raises(PolicingKGError, match="not in the release"):
        r.query("goal-to-sdg", goal="gpg-2023/goal/99")
    with pytest.raises(PolicingKGError, match="not a language"):
        r.crosswalk(lang="de")


def test_the_api_from_a_plain_python_process(release: Release) -> None:
    program = ("from policing_kg import open_release\n"
               f"r = open_release({str(release[0])!r}, project={str(ROOT)!r})\n"
               "print(len(r.query('reaching', item='sdg/16.4')))\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 0
