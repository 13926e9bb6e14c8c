"""A second real triple store: the Oxigraph server (`oxigraph` from PyPI), started on loopback
with a union default graph and an on-disk database, loaded with `policing-kg load` (staged by
SPARQL Update, and by the Graph Store Protocol); every stored query must answer there with the
very terms it gives embedded (the same engine: no cell is compared by value).

It is a test dependency, so it is always there: the test never skips."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from policing_kg.cli import cli
from policing_kg.release.build import BuildResult

from .parity import assert_same_answers, free_port

pytestmark = pytest.mark.slow
OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))


@contextmanager
def oxigraph_server(location: Path, *, union: bool = True) -> Iterator[str]:
    """An Oxigraph server on loopback over ``location``; yield its base URL."""
    port = free_port()
    process = subprocess.Popen([OXIGRAPH, "serve", "--location", str(location),
                                "--bind", f"127.0.0.1:{port}",
                                *(["--union-default-graph"] if union else [])],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    probe = f"{base}/query?" + urllib.parse.urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(probe, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Oxigraph did not start: {process.stderr.read()!r}"  # type: ignore[union-attr]
                            if process.stderr else "Oxigraph did not start")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture()
def oxigraph(tmp_path: Path) -> Iterator[str]:
    with oxigraph_server(tmp_path / "db") as base:
        yield base


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_every_stored_query_answers_the_same_in_oxigraph(
        oxigraph: str, release: tuple[Path, BuildResult], method: str) -> None:
    args = ["load", "--endpoint", f"{oxigraph}/update", "--query", f"{oxigraph}/query",
            "--dist", str(release[0])]
    if method == "gsp":
        args += ["--gsp", f"{oxigraph}/store"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    published = release[1].release
    assert published is not None
    assert (f"loaded {published.quads} triples in {len(published.graph_triples)} named graphs"
            in result.stdout)
    assert "checked: each graph holds the triples void.ttl gives" in result.stdout
    assert assert_same_answers(f"{oxigraph}/query", release[0])
