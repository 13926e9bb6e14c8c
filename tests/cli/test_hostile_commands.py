"""Every command against bad input and a hostile world: misbehaving servers on loopback, a
damaged release, broken curated files, a full file-size limit, a kill in the middle of a
release. Each case runs as a subprocess under the no-network hook, with bounded time and
memory: one line on stderr, exit 2 (1 where a graph does not conform), never a traceback, and
nothing lost."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from policing_kg.release.build import BuildResult

from .. import servers
from ..conftest import ROOT, copy_project

pytestmark = pytest.mark.slow

MEMORY_LIMIT = 3 * 1024**3
TIME_LIMIT = 120


def run(*args: str, cwd: Path = ROOT, file_limit: int | None = None,
        env: dict[str, str] | None = None, memory: bool = True) -> tuple[int, str, str, float]:
    """Run `policing-kg ARGS` in a subprocess with the hook, limits, and a clean environment.

    (The Java of HermiT reserves more address space than the memory limit allows: a build
    with the reasoner runs with ``memory=False``.)
    """
    def limits() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        if file_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    start = time.monotonic()
    process = subprocess.run(
        [sys.executable, "-m", "tests.no_network", *args], cwd=cwd, capture_output=True,
        text=True, timeout=TIME_LIMIT, preexec_fn=limits,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    return process.returncode, process.stdout, process.stderr, time.monotonic() - start


def one_line(code: int, err: str, *words: str, exit_code: int = 2) -> None:
    assert code == exit_code, err
    assert "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    assert "\x1b" not in err
    for word in words:
        assert word in err, err


def digest(folder: Path) -> str:
    value = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            value.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return value.hexdigest()


# -- endpoints that misbehave --------------------------------------------------------------------

ENDPOINT_CASES = {
    "hang": "no complete answer within 3 s",
    "drip": "no complete answer within 3 s",
    "drip-headers": "no complete answer within 3 s",
    "endless": "over the limit of",
    "oversized": "would be 5368709120 bytes",
    "malformed": "did not answer with SPARQL JSON results",
    "no-head": "did not answer with SPARQL JSON results",
    "bad-bindings": "did not answer with SPARQL JSON results",
    "escapes": "HTTP 500",
    "redirect-loop": "more than 5 redirects",
}


@pytest.mark.parametrize("mode", sorted(ENDPOINT_CASES))
def test_query_against_a_misbehaving_endpoint(mode: str) -> None:
    with servers.serve(mode) as (url, _):
        code, out, err, elapsed = run("query", "documents", "--endpoint", url, "--timeout", "3",
                                      "--project", str(ROOT))
    one_line(code, err, ENDPOINT_CASES[mode])
    assert out == "" and elapsed < 30  # the deadline is total: a drip does not outlast it


@pytest.mark.parametrize("mode", ["hang", "drip", "endless", "oversized", "escapes"])
def test_load_against_a_misbehaving_store(mode: str, release: tuple[Path, BuildResult]) -> None:
    with servers.serve(mode) as (url, _):
        code, _, err, elapsed = run("load", "--endpoint", url, "--timeout", "3",
                                    "--dist", str(release[0]))
    one_line(code, err)
    assert elapsed < 30


@pytest.mark.parametrize("mode", ["hang", "drip", "endless", "oversized"])
def test_sdg_import_from_a_misbehaving_server(mode: str, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    with servers.serve(mode) as (url, _):
        code, _, err, elapsed = run("sdg", "import", url, "--timeout", "3", "--project",
                                    str(project))
    one_line(code, err)
    assert elapsed < 30 and not (project / "imported").exists()


def test_a_redirect_to_ftp_is_not_followed(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    with servers.listener() as (port, received), \
            servers.serve("redirect-ftp", str(port)) as (url, _):
        code, _, err, _ = run("sdg", "import", url, "--timeout", "5", "--project", str(project))
        time.sleep(0.3)
    one_line(code, err, "refused a redirect to 'ftp://")
    assert received == []  # nothing ever connected to the "FTP server"


def test_credentials_do_not_follow_a_redirect_elsewhere(tmp_path: Path) -> None:
    with servers.serve("ok-empty") as (other, arrived):
        port = other.split(":")[2].split("/")[0]
        with servers.serve("redirect-away", port) as (url, first):
            code, _, err, _ = run("query", "documents", "--endpoint", url, "--timeout", "5",
                                  "--user", "dba", "--password", "secret", "--project", str(ROOT))
    # the store answers with no rows at all: named as not holding the release (not 0 rows)
    one_line(code, err, "does not hold the release")
    assert arrived and b"authorization" not in arrived[0].lower()  # the other origin: none


@pytest.mark.parametrize("timeout", ["inf", "nan", "1e300", "-1", "0"])
def test_a_timeout_must_be_a_number_of_seconds(timeout: str) -> None:
    code, _, err, _ = run("query", "documents", "--endpoint", "http://127.0.0.1:9/sparql",
                          "--timeout", timeout, "--project", str(ROOT))
    assert code == 2 and "is not a number of seconds" in err and "Traceback" not in err


@pytest.mark.parametrize("url, words", [
    ("http://127.0.0.1:9/a sparql", "spaces or control characters"),
    ("http://127.0.0.1:99999/sparql", "Port out of range"),
    ("ftp://127.0.0.1/sparql", "not an http(s) URL"),
    ("http:///sparql", "has no host"),
])
def test_a_bad_url_is_one_line(url: str, words: str) -> None:
    code, _, err, _ = run("query", "documents", "--endpoint", url, "--project", str(ROOT))
    one_line(code, err, words)


# -- a damaged release ---------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["validate", "{file}", "--project", str(ROOT)],
                                     ["query", "documents", "--project", str(ROOT)],
                                     ["load", "--endpoint", "http://127.0.0.1:9/store"],
                                     ["crosswalk", "matrix", "--out", "{tmp}/m"]])
def test_a_release_cut_mid_line(command: list[str], tmp_path: Path,
                                release: tuple[Path, BuildResult]) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(release[0], dist)
    dump = dist / "policing-kg.nq"
    data = dump.read_bytes()
    dump.write_bytes(data[: len(data) // 2])  # cut in the middle of a line
    contribution = ROOT / "tests" / "contributions" / "translation.ttl"
    args = [a.replace("{file}", str(contribution)).replace("{tmp}", str(tmp_path))
            for a in command]
    code, _, err, _ = run(*args, "--dist", str(dist))
    one_line(code, err, "does not match its SHA-256", "rebuild")


def test_a_release_cut_with_no_checksums_is_still_one_line(
        tmp_path: Path, release: tuple[Path, BuildResult]) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(release[0], dist)
    (dist / "SHA256SUMS").unlink()
    dump = dist / "policing-kg.nq"
    data = dump.read_bytes()
    dump.write_bytes(data[: len(data) // 2])
    code, _, err, _ = run("query", "documents", "--dist", str(dist), "--project", str(ROOT))
    one_line(code, err, "the release file is damaged")


# -- broken curated files and stored queries -----------------------------------------------------

def _folder_query(project: Path) -> None:
    (project / "queries" / "broken.rq").mkdir()


def _latin1_query(project: Path) -> None:
    (project / "queries" / "broken.rq").write_bytes("# title: caf\xe9\n".encode("latin-1"))


def _dangling_query(project: Path) -> None:
    (project / "queries" / "broken.rq").symlink_to(project / "nowhere.rq")


@pytest.mark.parametrize("breaks, words", [
    (_folder_query, "not a file"), (_latin1_query, "not UTF-8"), (_dangling_query, "not a file"),
])
def test_a_broken_stored_query(breaks: Callable[[Path], None], words: str, tmp_path: Path,
                               release: tuple[Path, BuildResult]) -> None:
    project = copy_project(tmp_path / "project")
    breaks(project)
    for args in (["query", "--list"], ["query", "documents", "--dist", str(release[0])],
                 ["build", "--skip-reasoner", "--dist", str(tmp_path / "out")]):
        code, _, err, _ = run(*args, "--project", str(project))
        one_line(code, err, "broken.rq", words)


def _replace(path: Path, old: str, new: str) -> None:
    if not old:  # the whole file
        path.write_text(new, "utf-8")
        return
    text = path.read_text("utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), "utf-8")


BROKEN_DATA: dict[str, tuple[str, str, str, str]] = {
    # file, what is there, what is put instead, words of the error
    "title-not-a-table": ("data/sources/manifest.toml", "title = {", "title_x = {",
                          "title"),
    "id-an-integer": ("data/sources/manifest.toml", 'id = "sf-2026"', "id = 2026",
                      "`id` must be text, not an integer"),
    "lines-text": ("data/sources/manifest.toml", "lines = [", 'lines = "1-23" # [',
                   "`lines` must be two integers"),
    "translation-text-integer": ("data/labels/translations.toml",
                                 'text = "Connect and strengthen', 'text = 7 # "',
                                 "`text` must be text, not an integer"),
    "translation-not-a-table": ("data/labels/translations.toml", "", 'translation = "x"\n',
                                "must be an array of tables"),
    "grouping-objective-text": ("data/curation/ct-2022-outcome-grouping.toml", "objective = ",
                                'objective = "one" # ', "`objective` must be an integer"),
    "sdg-code-integer": ("data/sdg/sdg-goals-targets.toml", 'code = "1"\n', "code = 1\n",
                         "`code` must be text"),
    "mapping-curie-map-text": ("data/mappings/programme-objectives-to-themes.sssom.tsv",
                               "# curie_map:\n", "# curie_map: oops\n# x:\n",
                               "curie_map"),
}


@pytest.mark.parametrize("name", sorted(BROKEN_DATA))
def test_a_curated_file_with_values_of_the_wrong_type(name: str, tmp_path: Path) -> None:
    file, old, new, words = BROKEN_DATA[name]
    project = copy_project(tmp_path / "project")
    _replace(project / file, old, new)
    code, _, err, _ = run("build", "--skip-reasoner", "--project", str(project),
                          "--dist", str(tmp_path / "out"))
    one_line(code, err, words)
    assert not (tmp_path / "out").exists()


# -- the release folder and the file system -----------------------------------------------------

@pytest.mark.parametrize("dist", ["{project}", "{project}/data", "{project}/..", "{tmp}/other"])
def test_the_release_never_replaces_what_is_not_a_release(dist: str, tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    before = digest(tmp_path)
    target = dist.replace("{project}", str(project)).replace("{tmp}", str(tmp_path))
    code, _, err, _ = run("build", "--skip-reasoner", "--project", str(project),
                          "--dist", target)
    one_line(code, err, "--dist")
    assert digest(tmp_path) == before


def test_a_file_size_limit_is_one_line_and_the_release_stays(
        tmp_path: Path, release: tuple[Path, BuildResult]) -> None:
    dist = tmp_path / "dist"
    shutil.copytree(release[0], dist)
    before = digest(dist)
    code, _, err, _ = run("build", "--skip-reasoner", "--dist", str(dist), "--project",
                          str(ROOT), file_limit=100_000)
    one_line(code, err, "cannot write the release", "ulimit")
    assert digest(dist) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dist.")]


def test_a_read_only_file_system_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              release: tuple[Path, BuildResult]) -> None:
    """(root may write anywhere, so the file system's refusal is simulated here)"""
    import errno

    from policing_kg.common import files
    from policing_kg.errors import PolicingKGError
    from policing_kg.project import Project
    from policing_kg.release.build import build_release

    def refuse(*args: object, **kwargs: object) -> str:
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path))

    monkeypatch.setattr(files.tempfile, "mkdtemp", refuse)
    with pytest.raises(PolicingKGError, match="read-only"):
        build_release(Project(ROOT), tmp_path / "dist", reason=False)


def test_release_files_do_not_depend_on_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)  # the child inherits it
    try:
        code, _, err, _ = run("build", "--skip-reasoner", "--dist", str(tmp_path / "d2"),
                              "--project", str(ROOT))
    finally:
        os.umask(old)
    assert code == 0, err
    assert {oct(p.stat().st_mode & 0o777) for p in (tmp_path / "d2").iterdir()} == {"0o644"}
    assert oct((tmp_path / "d2").stat().st_mode & 0o777) == "0o755"


def test_a_build_run_from_the_root_folder(tmp_path: Path) -> None:
    from ..conftest import java_available

    if not java_available():
        pytest.skip("no Java here: HermiT cannot run (CI installs it)")
    code, out, err, _ = run("build", "--project", str(ROOT), "--dist", str(tmp_path / "dist"),
                            cwd=Path("/"), memory=False)
    assert code == 0, err
    assert "HermiT: consistent" in out


_PUBLISH_LOOP = """
import sys
from pathlib import Path
from policing_kg.assembly.assemble import assemble
from policing_kg.project import Project
from policing_kg.common.iris import graph_order
from policing_kg.release.publish import publish
assembly = assemble(Project(Path(sys.argv[1])))
order = graph_order([spec.id for spec in assembly.specs])
print("ready", flush=True)
while True:
    publish(assembly.dataset, Path(sys.argv[2]), version="0.1.0", graph_order=order,
            base_url="https://w3id.org/policing-kg/release/0.1.0/",
            archive=("policing-kg-0.1.0.tar.gz", 0))
"""


def test_a_kill_at_any_moment_leaves_a_complete_release(tmp_path: Path) -> None:
    """A process publishing over and over is killed (-9) at twenty moments: each time a
    complete release is there (every file matches SHA256SUMS), and the next one cleans up."""
    import random

    dist = tmp_path / "dist"
    script = tmp_path / "loop.py"
    script.write_text(_PUBLISH_LOOP)
    chance = random.Random(20261202)
    for _ in range(20):
        process = subprocess.Popen([sys.executable, str(script), str(ROOT), str(dist)],
                                   stdout=subprocess.PIPE, text=True, cwd=ROOT,
                                   env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
        deadline = time.monotonic() + 300
        while not dist.exists() and time.monotonic() < deadline:  # let the first release land
            time.sleep(0.2)  # (however busy the machine is)
        time.sleep(chance.uniform(0.0, 0.6))
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert dist.is_dir(), "no release at all after a kill"
        sums = (dist / "SHA256SUMS").read_text("utf-8").splitlines()
        for line in sums:
            expected, name = line.split(None, 1)
            assert hashlib.sha256((dist / name.strip()).read_bytes()).hexdigest() == expected
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".dist.")]
    code, _, err, _ = run("build", "--skip-reasoner", "--dist", str(dist), "--project",
                          str(ROOT))
    assert code == 0, err
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dist.")], leftovers


# -- inputs that only look extreme, and outputs that must stay one thing ------------------------

def test_ten_thousand_nodes_on_one_line_are_read_once(tmp_path: Path,
                                                      release: tuple[Path, BuildResult]) -> None:
    path = tmp_path / "one-line.ttl"
    path.write_text(" ".join(f"<http://example.org/n{i}> <http://example.org/p> \"v{i}\" ."
                             for i in range(10_000)) + "\n", "utf-8")
    code, out, err, elapsed = run("validate", str(path), "--dist", str(release[0]),
                                  "--project", str(ROOT))
    # read, and every node placed at its line within the time: each is refused as unrelated to
    # the graph (nothing of the project links to it), none is a reading error
    assert code == 1, err
    assert out.count("unrelated to the graph") == 10_000
    assert elapsed < TIME_LIMIT


def test_a_ten_megabyte_ill_typed_literal_gives_a_short_line(
        tmp_path: Path, release: tuple[Path, BuildResult]) -> None:
    path = tmp_path / "ill.nt"
    path.write_text('<http://example.org/a> <http://example.org/p> "'
                    + "x" * 10_000_000
                    + '"^^<http://www.w3.org/2001/XMLSchema#integer> .\n', "utf-8")
    code, _, err, _ = run("validate", str(path), "--dist", str(release[0]),
                          "--project", str(ROOT))
    one_line(code, err, "ill-typed literal")
    assert len(err) < 400


def test_junit_stays_well_formed_xml(tmp_path: Path, release: tuple[Path, BuildResult]) -> None:
    import xml.etree.ElementTree as ET

    path = tmp_path / "control.ttl"
    path.write_text('<https://w3id.org/policing-kg/id/gpg-2023/goal/1/statement/1> '
                    '<http://www.w3.org/2004/02/skos/core#prefLabel> "Bell\\u0007 and '
                    'escape\\u001b[31m"@en .\n', "utf-8")
    code, out, err, _ = run("validate", str(path), "--format", "junit", "--dist",
                            str(release[0]), "--project", str(ROOT))
    assert code == 1, err
    suite = ET.fromstring(out.split("?>", 1)[1])  # parses: no raw control character
    assert suite.get("failures") != "0"
    assert "\x1b" not in out and "\x07" not in out


def test_a_proc_file_is_read_with_the_cap(tmp_path: Path,
                                          release: tuple[Path, BuildResult]) -> None:
    """/proc says its files are empty; they are read with the cap all the same."""
    link = tmp_path / "status.nt"
    link.symlink_to("/proc/self/smaps")
    code, _, err, _ = run("validate", str(link), "--max-bytes", "1000", "--dist",
                          str(release[0]), "--project", str(ROOT))
    one_line(code, err, "over the limit of 1000 bytes")


def test_sdg_import_refuses_entities_and_keeps_only_safe_iris(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    code, _, err, _ = run("sdg", "import", str(ROOT / "tests" / "hostile" / "billion-laughs.rdf"),
                          "--project", str(project))
    one_line(code, err, "DOCTYPE or entity declaration is refused")
    hostile = tmp_path / "kos.ttl"
    text = (ROOT / "tests" / "fixtures" / "sdg" / "mini-kos.ttl").read_text("utf-8")
    hostile.write_text(text + """
<http://metadata.un.org/sdg/16> <http://www.w3.org/2004/02/skos/core#exactMatch>
    <javascript:alert(1)> , <file:///etc/passwd> .
<http://metadata.un.org/sdg/C160401> <http://www.w3.org/2004/02/skos/core#notation> "16.4.1\\nINJECTED" .
""", "utf-8")
    code, out, err, _ = run("sdg", "import", str(hostile), "--project", str(project))
    assert code in (0, 1), err
    assert "left out, not safe to publish (3)" in out
    kept = (project / "imported" / "sdg" / "un-sdg-kos.nt").read_text("utf-8")
    assert "javascript:" not in kept and "file:" not in kept and "INJECTED" not in kept
    code, _, err, _ = run("build", "--skip-reasoner", "--project", str(project), "--dist",
                          str(tmp_path / "out"))
    assert code == 0, err  # the next build is not broken by what was imported



def test_a_fifty_megabyte_iri_is_one_line(tmp_path: Path,
                                          release: tuple[Path, BuildResult]) -> None:
    path = tmp_path / "iri.nt"
    path.write_text("<http://example.org/" + "a" * 50_000_000
                    + '> <http://example.org/p> "x" .\n', "utf-8")
    code, _, err, _ = run("validate", str(path), "--max-bytes", str(100_000_000), "--dist",
                          str(release[0]), "--project", str(ROOT))
    one_line(code, err)


def test_an_objective_the_text_cannot_place_is_reported_at_its_line(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    source = project / "data" / "sources" / "000_9be6c647ac29f33b.txt"
    _replace(source, "OBJECTIF 2:", "OBJECTIF 9:")
    code, _, err, _ = run("build", "--skip-reasoner", "--project", str(project),
                          "--dist", str(tmp_path / "out"))
    one_line(code, err, "000_9be6c647ac29f33b.txt:20 (document oec-2022): objective 9")
