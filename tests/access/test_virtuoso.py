"""A real triple store: Virtuoso on loopback with a temporary database. The release is loaded
with `policing-kg load` (staged by SPARQL Update, and by the Graph Store Protocol), then every
stored query runs there and embedded, and must give the same terms (order aside), but in two
kinds of cells, compared by value (tests/access/parity.py): a double, which Virtuoso keeps as its
value and writes back its own way (``"1"^^xsd:double`` is answered ``"1.0"``), and an integer of a
type derived from xsd:integer, which Virtuoso answers with the file's datatype and the embedded
store as an xsd:integer. The same store shows that a load cut mid-way leaves it as it was, that
an older release replaces a newer one exactly, and what its refusals say.

Locally without Virtuoso this skips, saying how to install it; with CI=true it must run."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from policing_kg.access.loading import STAGING, read_release
from policing_kg.cli import cli
from policing_kg.release.build import BuildResult

from .. import servers
from .parity import DERIVED_INTEGERS, DOUBLES, assert_same_answers, cells, free_port
from .test_load import load, old_release, project_graphs, snapshot, staging_insert

VIRTUOSO = shutil.which("virtuoso-t")
if VIRTUOSO is None and os.environ.get("CI") == "true":
    pytest.fail("CI=true but virtuoso-t is missing: .ci/run must install virtuoso-opensource-7-bin",
                pytrace=False)
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    VIRTUOSO is None,
    reason="Virtuoso is not installed here (apt-get install virtuoso-opensource-7-bin); CI runs it")]

DBA = ("--user", "dba", "--password", "dba")
INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
ServerThreads = 10
CheckpointInterval = 0
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxClientConnections = 10

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("virtuoso")
    http_port = free_port()
    (directory / "virtuoso.ini").write_text(INI.format(dir=directory, sql_port=free_port(),
                                                       http_port=http_port))
    assert VIRTUOSO is not None
    process = subprocess.Popen([VIRTUOSO, "-f", "-c", str(directory / "virtuoso.ini")],
                               cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    probe = f"{base}/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + 90
    try:
        while True:
            try:
                with urllib.request.urlopen(probe, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log = (directory / "virtuoso.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"Virtuoso did not start: {log}")
            time.sleep(0.5)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_every_stored_query_answers_the_same_in_virtuoso(
        virtuoso: str, release: tuple[Path, BuildResult], method: str) -> None:
    args = ["load", "--endpoint", f"{virtuoso}/sparql-auth", "--user", "dba", "--password", "dba",
            "--dist", str(release[0])]
    if method == "gsp":
        args += ["--gsp", f"{virtuoso}/sparql-graph-crud-auth"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    published = release[1].release
    assert published is not None
    assert (f"loaded {published.quads} triples in {len(published.graph_triples)} named graphs"
            in result.stdout)
    assert "checked: each graph holds the triples void.ttl gives" in result.stdout
    assert assert_same_answers(f"{virtuoso}/sparql", release[0],
                               by_value=cells(DOUBLES, DERIVED_INTEGERS))


def test_an_older_release_over_a_newer_leaves_exactly_the_older(
        virtuoso: str, release: tuple[Path, BuildResult], tmp_path: Path) -> None:
    old, new = read_release(old_release(tmp_path)), read_release(release[0])
    for dist in (release[0], old_release(tmp_path / "again")):
        code, out, err = load(f"{virtuoso}/sparql-auth", dist, *DBA)
        assert code == 0, err
    assert f"the store holds release {new.version}" in out
    assert project_graphs(snapshot(f"{virtuoso}/sparql")) == Counter(
        {g: n for g, n in old.counts.items() if n})
    for graph in set(new.counts) - set(old.counts):
        assert f"dropped  {graph} (not in release {old.version})" in out


@pytest.mark.parametrize("for_good", [True, False], ids=["store-dies", "one-connection-drops"])
def test_a_load_cut_mid_way_leaves_the_store_as_it_was(
        virtuoso: str, release: tuple[Path, BuildResult], tmp_path: Path, for_good: bool) -> None:
    code, _, err = load(f"{virtuoso}/sparql-auth", old_release(tmp_path), *DBA)
    assert code == 0, err
    before = snapshot(f"{virtuoso}/sparql")
    with servers.proxy(virtuoso, staging_insert(4, authorised=True),
                       for_good=for_good) as (url, received):
        code, out, err = load(f"{url}/sparql-auth", release[0], *DBA)
    assert code == 2 and "load failed while staging" in err and "moved into place" not in out, err
    assert out.count("staged ") >= 1, out
    assert len(received) > 4
    after = snapshot(f"{virtuoso}/sparql")
    staging = {q for q in after if STAGING in q[0]}
    assert bool(staging) == for_good and ("could not be dropped" in err) == for_good, err
    assert after - Counter({q: n for q, n in after.items() if q in staging}) == before
    code, _, err = load(f"{virtuoso}/sparql-auth", release[0], *DBA)
    assert code == 0, err
    assert not [q for q in snapshot(f"{virtuoso}/sparql") if STAGING in q[0]]


def test_a_virtuoso_request_is_not_rolled_back_when_it_fails_midway(virtuoso: str) -> None:
    """What docs/operators.md says of Virtuoso's switch: measured, not assumed."""
    from policing_kg.common.http import request

    graph = f"{STAGING}rollback-test"
    body = urllib.parse.urlencode({"update": f"INSERT DATA {{ GRAPH <{graph}> {{ <{graph}> "
                                   f"<{graph}> 1 }} }} ; LOAD <http://127.0.0.1:9/none.ttl>"})
    response = request("POST", f"{virtuoso}/sparql-auth", body=body.encode(), user="dba",
                       password="dba", headers={"Content-Type":
                                                "application/x-www-form-urlencoded"}, timeout=30)
    assert response.status >= 400  # the request failed ...
    kept = snapshot(f"{virtuoso}/sparql")
    assert any(graph in q[0] for q in kept)  # ... and its first operation stayed
    request("POST", f"{virtuoso}/sparql-auth", body=urllib.parse.urlencode(
        {"update": f"DROP SILENT GRAPH <{graph}>"}).encode(), user="dba", password="dba",
        headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=30)


@pytest.mark.parametrize("url, credentials, words", [
    ("/sparql-auth", (), "the store asks for credentials (HTTP 401"),
    ("/sparql-auth", ("--user", "dba", "--password", "wrong"),
     "the store refused these credentials (HTTP 401"),
    ("/sparql", (), "this endpoint does not accept updates"),
    ("/sparql-graph-crud-auth", DBA, "answers no query"),
])
def test_a_wrong_url_or_login_is_one_line_at_once(
        virtuoso: str, release: tuple[Path, BuildResult], url: str,
        credentials: tuple[str, ...], words: str) -> None:
    code, out, err = load(f"{virtuoso}{url}", release[0], *credentials)
    assert code == 2 and err.count("\n") == 1 and words in err, err
    assert "staged" not in out


def test_a_query_url_given_for_the_graph_store_is_given_up_on_at_the_probe(
        virtuoso: str, release: tuple[Path, BuildResult]) -> None:
    """Virtuoso never answers a PUT to /sparql: the probe is bounded (--timeout 5 here)."""
    code, out, err = load(f"{virtuoso}/sparql-auth", release[0], *DBA, "--gsp",
                          f"{virtuoso}/sparql", "--timeout", "5")
    assert code == 2 and "Graph Store Protocol URL failed a one-triple PUT" in err, err
    assert "staged" not in out
