"""`load` is all or nothing, says what it did, and leaves the store holding exactly the release;
`query --endpoint` refuses a store whose default graph is not the union; refusals say what they
mean. Real Oxigraph servers on loopback (a proxy from tests/servers.py kills the connection
mid-load), and scripted servers for the refusals. Virtuoso: tests/access/test_virtuoso.py."""

from __future__ import annotations

import subprocess
import tarfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from policing_kg.access.loading import STAGING, read_release
from policing_kg.access.stores import GRAPHS
from policing_kg.cli import cli
from policing_kg.curation.catalogue import load_catalogue
from policing_kg.release.build import BuildResult

from .. import servers
from ..conftest import ROOT
from .test_oxigraph import OXIGRAPH, oxigraph_server

OLD = ROOT / "releases" / "policing-kg-0.1.0.tar.gz"


def old_release(tmp_path: Path) -> Path:
    """The release archived in releases/ (0.1.0), unpacked."""
    with tarfile.open(OLD) as archive:
        # The "data" filter (refuse links and paths out of the folder) exists from Python
        # 3.11.4 on; Debian's 3.11.2, CI's interpreter, has no filter argument.
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(tmp_path / "old", **safe)
    (folder,) = (tmp_path / "old").iterdir()
    return folder


def snapshot(query: str, **credentials: str) -> Counter[tuple[str, ...]]:
    """Every quad of the store's graphs in the project's namespace, as text (read as plain
    JSON: Virtuoso's blank nodes, ``nodeID://b1``, are not SPARQL JSON's)."""
    import json
    import urllib.parse

    from policing_kg.common.http import request

    text = ("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{GRAPHS}")) }}')
    response = request("POST", query, body=urllib.parse.urlencode({"query": text}).encode(),
                       headers={"Content-Type": "application/x-www-form-urlencoded",
                                "Accept": "application/sparql-results+json"}, timeout=60,
                       **credentials)  # type: ignore[arg-type]
    assert response.status == 200, response.body[:300]
    rows = json.loads(response.body)["results"]["bindings"]
    return Counter(tuple(json.dumps(row[v], sort_keys=True) for v in "gspo") for row in rows)


def project_graphs(quads: Counter[tuple[str, ...]]) -> Counter[str]:
    """Triples per graph of the project's namespace."""
    import json

    counts: Counter[str] = Counter()
    for quad, n in quads.items():
        graph = json.loads(quad[0])["value"]
        if graph.startswith(GRAPHS):
            counts[graph] += n
    return counts


def load(update: str, dist: Path, *extra: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["load", "--endpoint", update, "--dist", str(dist), *extra])
    return result.exit_code, result.stdout, result.stderr


def staging_insert(n: int, authorised: bool = False) -> Callable[[bytes], bool]:
    """True at the n-th request that stages triples (the probe is the first); with
    ``authorised``, counting only those that carry credentials (a digest login sends each
    request twice: the first is answered with a challenge)."""
    seen: list[bytes] = []

    def cut(request: bytes) -> bool:
        if authorised and b"\r\nauthorization:" not in request.lower():
            return False
        if b"INSERT+DATA" in request and b"staging%2F" in request:
            seen.append(request)
            return len(seen) == n
        return False
    return cut


# -- all or nothing ------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("for_good", [True, False], ids=["store-dies", "one-connection-drops"])
def test_a_load_cut_mid_way_leaves_the_store_as_it_was(
        tmp_path: Path, release: tuple[Path, BuildResult], for_good: bool) -> None:
    old = old_release(tmp_path)
    with oxigraph_server(tmp_path / "db") as base:
        code, _, err = load(f"{base}/update", old, "--query", f"{base}/query")
        assert code == 0, err
        before = snapshot(f"{base}/query")
        with servers.proxy(base, staging_insert(4), for_good=for_good) as (url, received):
            code, out, err = load(f"{url}/update", release[0], "--query", f"{url}/query")
        assert code == 2 and err.count("\n") == 1, err
        assert "load failed while staging" in err and "nothing was moved into place" in err, err
        assert out.count("staged ") >= 1 and "moved into place" not in out, out
        assert len(received) > 4
        after = snapshot(f"{base}/query")
        staging = {q for q in after if STAGING in q[0]}
        if for_good:  # the store died: its staging graphs stay, and the message says so
            assert "could not be dropped" in err and staging, err
        else:  # the store came back: the staging graphs were dropped
            assert "could not be dropped" not in err and not staging, err
        assert after - Counter({q: n for q, n in after.items() if q in staging}) == before
        # the next load drops what the killed one left
        code, out, err = load(f"{base}/update", release[0], "--query", f"{base}/query")
        assert code == 0, err
        assert not [q for q in snapshot(f"{base}/query") if STAGING in q[0]]


@pytest.mark.slow
def test_an_older_release_over_a_newer_leaves_exactly_the_older(
        tmp_path: Path, release: tuple[Path, BuildResult]) -> None:
    old, new = read_release(old_release(tmp_path)), read_release(release[0])
    assert old.version != new.version
    gone = set(new.counts) - set(old.counts)
    with oxigraph_server(tmp_path / "db") as base:
        code, out, err = load(f"{base}/update", release[0], "--query", f"{base}/query",
                              "--gsp", f"{base}/store")
        assert code == 0, err
        assert project_graphs(snapshot(f"{base}/query")) == Counter(new.counts)
        code, out, err = load(f"{base}/update", old_release(tmp_path / "again"), "--query",
                              f"{base}/query")
        assert code == 0, err
        assert f"the store holds release {new.version}" in out
        assert project_graphs(snapshot(f"{base}/query")) == Counter(
            {g: n for g, n in old.counts.items() if n})
        for graph in old.counts:
            assert f"moved into place  {graph}" in out
        for graph in gone:
            assert f"dropped  {graph} (not in release {old.version})" in out
        assert f"release {old.version}, checked" in out
        # the stored queries are the checkout's: asked of the older release, they are refused
        result = CliRunner().invoke(cli, ["query", "documents", "--endpoint", f"{base}/query"])
        assert result.exit_code == 2 and result.stdout == "", result.stdout
        assert (f"the store holds release {old.version}, and the stored queries are release "
                f"{new.version}'s") in result.stderr and result.stderr.count("\n") == 1
        own = CliRunner().invoke(cli, ["query", "--file", "-", "--endpoint", f"{base}/query"],
                                 input="SELECT ?v WHERE { ?o owl:versionInfo ?v }")
        assert own.exit_code == 0 and old.version in own.stdout, own.stderr


@pytest.mark.slow
def test_other_graphs_are_kept_when_asked(tmp_path: Path,
                                          release: tuple[Path, BuildResult]) -> None:
    new = read_release(release[0])
    extra = f"{GRAPHS}notes"
    with oxigraph_server(tmp_path / "db") as base:
        CliRunner().invoke(cli, ["load", "--endpoint", f"{base}/update", "--query",
                                 f"{base}/query", "--dist", str(release[0])])
        from policing_kg.common.http import request

        request("POST", f"{base}/update", body=f"INSERT DATA {{ GRAPH <{extra}> {{ <{extra}> "
                f"<{extra}> 1 }} }}".encode(),
                headers={"Content-Type": "application/sparql-update"}, timeout=10)
        code, out, err = load(f"{base}/update", release[0], "--query", f"{base}/query",
                              "--keep-other-graphs")
        assert code == 0, err
        assert project_graphs(snapshot(f"{base}/query")) == Counter({**new.counts, extra: 1})
        code, out, err = load(f"{base}/update", release[0], "--query", f"{base}/query")
        assert code == 0 and f"dropped  {extra}" in out, err
        assert project_graphs(snapshot(f"{base}/query")) == Counter(new.counts)


# -- a store that would answer wrongly -----------------------------------------------------------

@pytest.mark.slow
def test_a_store_without_the_union_default_graph_is_named(
        tmp_path: Path, release: tuple[Path, BuildResult]) -> None:
    subprocess.run([OXIGRAPH, "load", "--location", str(tmp_path / "db"), "--file",
                    str(release[0] / "policing-kg.nq")], check=True, capture_output=True)
    catalogue = load_catalogue(ROOT / "queries")
    stored = next(q for q in catalogue.values() if q.examples)
    params = [f"--param={k}={v}" for k, v in stored.example_params(stored.examples[0]).items()]
    with oxigraph_server(tmp_path / "db", union=False) as base:
        before = snapshot(f"{base}/query")
        result = CliRunner().invoke(cli, ["query", stored.name, *params, "--endpoint",
                                          f"{base}/query", "--dist", str(release[0])])
        assert result.exit_code == 2 and result.stdout == "", result.stdout
        assert "not the union" in result.stderr and "--union-default-graph" in result.stderr
        assert result.stderr.count("\n") == 1
        code, out, err = load(f"{base}/update", release[0], "--query", f"{base}/query")
        assert code == 2 and "--union-default-graph" in err and "staged" not in out, err
        assert snapshot(f"{base}/query") == before  # the probe left nothing behind


# -- messages ------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode, credentials, words", [
    ("unauthorized", [], "the store asks for credentials (HTTP 401"),
    ("unauthorized", ["--user", "someone", "--password", "wrong"],
     "the store refused these credentials (HTTP 401"),
    ("forbidden", [], "this endpoint does not accept updates (HTTP 403"),
])
def test_a_refusal_says_what_it_means(mode: str, credentials: list[str], words: str,
                                      release: tuple[Path, BuildResult]) -> None:
    with servers.serve(mode) as (url, received):
        code, out, err = load(url, release[0], *credentials, "--timeout", "5")
    assert code == 2 and err.count("\n") == 1 and words in err, err
    assert "staged" not in out
    assert len(received) == (2 if credentials else 1)  # with credentials: the answer to 401


def test_an_html_refusal_is_reduced_to_its_text(release: tuple[Path, BuildResult]) -> None:
    with servers.serve("not-acceptable-html") as (url, _):
        result = CliRunner().invoke(cli, ["query", "--file", "-", "--endpoint", url, "--dist",
                                          str(release[0])], input="SELECT * WHERE { ?s ?p ?o }")
    assert result.exit_code == 2, result.stderr
    line = result.stderr
    assert line.count("\n") == 1 and "HTTP 406" in line
    assert "Not Acceptable An appropriate representation" in line, line
    assert "<" not in line.split("HTTP 406", 1)[1] and "color" not in line, line


def test_a_silent_store_is_given_up_on_at_the_probe(release: tuple[Path, BuildResult]) -> None:
    with servers.serve("hang") as (url, received):
        code, _, err = load(url, release[0], "--timeout", "2")
    assert code == 2 and "no answer to a one-triple update within 2 s" in err, err
    assert len(received) == 1
