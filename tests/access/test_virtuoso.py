"""A real triple store: Virtuoso on loopback with a temporary database. The release is loaded
with `policing-kg load` (Graph Store Protocol, and SPARQL Update), then every stored query runs
there and embedded, and must give the same terms (order aside), but in two kinds of cells,
compared by value (tests/access/parity.py): a double, which Virtuoso keeps as its value and
writes back its own way (``"1"^^xsd:double`` is answered ``"1.0"``), and an integer of a type
derived from xsd:integer, which Virtuoso answers with the file's datatype and the embedded store
as an xsd:integer.

Locally without Virtuoso this skips, saying how to install it; with CI=true it must run."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from policing_kg.cli import cli
from policing_kg.release.build import BuildResult

from .parity import DERIVED_INTEGERS, DOUBLES, assert_same_answers, cells, free_port

VIRTUOSO = shutil.which("virtuoso-t")
if VIRTUOSO is None and os.environ.get("CI") == "true":
    pytest.fail("CI=true but virtuoso-t is missing: .ci/run must install virtuoso-opensource-7-bin",
                pytrace=False)
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    VIRTUOSO is None,
    reason="Virtuoso is not installed here (apt-get install virtuoso-opensource-7-bin); CI runs it")]

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
    endpoint = (f"{virtuoso}/sparql-graph-crud-auth" if method == "gsp"
                else f"{virtuoso}/sparql-auth")
    args = ["load", "--endpoint", endpoint, "--user", "dba", "--password", "dba",
            "--dist", str(release[0])]
    if method == "update":
        args.append("--update")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    published = release[1].release
    assert published is not None
    assert (f"loaded {published.quads} triples in {len(published.graph_triples)} named graphs"
            in result.stdout)

    assert assert_same_answers(f"{virtuoso}/sparql", release[0],
                               by_value=cells(DOUBLES, DERIVED_INTEGERS))


def test_load_without_credentials_is_one_line(virtuoso: str,
                                              release: tuple[Path, BuildResult]) -> None:
    result = CliRunner().invoke(cli, ["load", "--endpoint", f"{virtuoso}/sparql-graph-crud-auth",
                                      "--dist", str(release[0])])
    assert result.exit_code == 2
    assert "HTTP 401" in result.stderr and result.stderr.count("\n") == 1
