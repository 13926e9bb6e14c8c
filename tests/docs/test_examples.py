"""Every example of the docs is run: README.md, CONTRIBUTING.md and docs/*.md (issue 18).

How an example is written, and how it is checked:

- A ```console block holds commands and what they print. A line that starts with ``$ `` is a
  command; the lines under it, up to the next command or the end of the block, are its output.
- A command that starts with ``.venv/bin/policing-kg`` or ``policing-kg`` runs as
  ``python -m policing_kg ...``, from the checkout's root. A ``# comment`` after it is not part
  of it. A pipeline (``policing-kg ... | grep ...``) runs through ``bash -o pipefail -c``.
- It runs on the session's release (the ``release`` fixture), never on the checkout's dist/:
  ``--dist PATH`` is added to a command that takes it, and an argument ``dist`` (or
  ``dist/...``) becomes that path. Commands that write do it elsewhere: ``build`` into a new
  temporary folder, ``site`` into a copy of the release, ``crosswalk matrix`` and ``crosswalk
  suggest --out`` into a temporary folder. In the output, the folder used in place of dist/ is
  written ``…/dist`` (as the docs write the path of dist/).
- The exit code expected is 0, unless the first line under the command is ``# exit N``.
- The output shown must be in what the command prints (standard output and error together, as
  printed; trailing spaces aside), as a run of consecutive lines, where:
  a shown line that ends in ``…`` matches any line that starts with the text before the ``…``;
  a line that is ``…`` alone matches any number of lines (none too).
  A command with nothing under it is checked for its exit code only.
- Commands that are not run are in NOT_RUN, each with why; a test requires the docs to hold
  exactly those, so that none is dropped silently. A command that is not policing-kg's is not
  run either, and is listed the same way.
- A ```python block runs in a subprocess (from the checkout's root) and must exit 0. In it a
  string literal ``"dist"`` (or ``"dist/..."``) becomes the release's path, which the
  environment variable POLICING_KG_DIST also holds. A block of ``>>>`` lines runs as a doctest
  (ELLIPSIS and NORMALIZE_WHITESPACE), so what it shows is checked too.
"""

from __future__ import annotations

import functools
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from policing_kg.release.build import BuildResult

from ..conftest import ROOT

PYTHON = (sys.executable, "-m", "policing_kg")
PREFIXES = (".venv/bin/policing-kg", "policing-kg")
ELLIPSIS = "…"
EXIT = re.compile(r"# exit (\d+)")
TIMEOUT = 600

#: The documented commands that no test runs: (file, command) -> why. Exactly these.
NOT_RUN: dict[tuple[str, str], str] = {
    ("CONTRIBUTING.md",
     ".venv/bin/policing-kg sdg import http://metadata.un.org/sdg     # or a file: Turtle or RDF/XML"):
        "fetches the UN's vocabulary over the network",
}


def why_not_run(command: str) -> str | None:
    """Why a documented command is not run (None: it is)."""
    args = policing_kg_args(split_pipeline(command)[0])
    if args is None:
        return "not a policing-kg command"
    path = command_path(tuple(args))
    if path == ("sdg", "import") and any(a.startswith(("http://", "https://")) for a in args):
        return "fetches the UN's vocabulary over the network"
    if path == ("sdg", "import"):
        return "writes imported/sdg/ into the checkout"
    if path == ("load",):
        return "needs a triple store (tests/access/ loads Virtuoso and the Oxigraph server)"
    if path == ("serve",):
        return "starts a server that runs until it is stopped (tests/web/test_server.py runs it)"
    if path == ("query",) and "--endpoint" in args:
        return "asks a SPARQL endpoint over the network (tests/access/ asks local stores)"
    if path == ("lint",) and "--fix" in args:
        return "rewrites the checkout's curated files"
    return None


# -- what the docs hold ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Example:
    file: str  # relative to ROOT
    line: int  # of the command, or of the block's first line
    text: str  # the command (after "$ "), or the Python code
    output: tuple[str, ...] = ()
    exit_code: int = 0

    @property
    def id(self) -> str:
        return f"{self.file}:{self.line}"


def doc_files() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]


def fenced_blocks(path: Path, language: str) -> list[tuple[int, list[str]]]:
    """The blocks ```LANGUAGE of a Markdown file: (line of the first line inside, its lines)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] | None = None
    start = 0
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if current is None:
            if line.strip() == f"```{language}":
                current, start = [], number + 1
        elif line.strip().startswith("```"):
            blocks.append((start, current))
            current = None
        else:
            current.append(line)
    assert current is None, f"{path.name}: a ```{language} block is not closed"
    return blocks


def console_example(file: str, line: int, command: str, output: list[str]) -> Example:
    """One command and the lines under it: ``# exit N`` first, then what it prints."""
    shown = list(output)
    exit_code = 0
    if shown and (exit_match := EXIT.fullmatch(shown[0].strip())):
        exit_code = int(exit_match.group(1))
        shown = shown[1:]
    while shown and not shown[-1].strip():
        shown.pop()
    return Example(file, line, command, tuple(shown), exit_code)


def console_examples() -> list[Example]:
    examples: list[Example] = []
    for path in doc_files():
        name = path.relative_to(ROOT).as_posix()
        for start, lines in fenced_blocks(path, "console"):
            commands: list[tuple[int, str, list[str]]] = []
            for offset, line in enumerate(lines):
                if line.startswith("$ "):
                    commands.append((start + offset, line[2:].strip(), []))
                else:
                    assert commands, f"{name}:{start + offset}: output before any command"
                    commands[-1][2].append(line)
            examples += [console_example(name, *command) for command in commands]
    return examples


def python_examples() -> list[Example]:
    return [Example(path.relative_to(ROOT).as_posix(), start, "\n".join(lines) + "\n")
            for path in doc_files() for start, lines in fenced_blocks(path, "python")]


# -- the matching of shown output ------------------------------------------------------------------

def line_matches(shown: str, actual: str) -> bool:
    if shown.endswith(ELLIPSIS):
        return actual.startswith(shown[:-len(ELLIPSIS)])
    return shown == actual


def shown_in_output(shown: Sequence[str], actual: Sequence[str]) -> bool:
    """Whether the shown lines are a run of the actual lines (``…`` alone: any lines)."""
    want = [s.rstrip() for s in shown]
    have = [a.rstrip() for a in actual]

    @functools.cache
    def from_here(i: int, j: int) -> bool:  # want[i:] matches have[j:...]
        if i == len(want):
            return True
        if want[i] == ELLIPSIS:
            return from_here(i + 1, j) or (j < len(have) and from_here(i, j + 1))
        return j < len(have) and line_matches(want[i], have[j]) and from_here(i + 1, j + 1)

    return any(from_here(0, j) for j in range(len(have) + 1))


def test_shown_in_output() -> None:
    out = ["alpha", "beta gamma", "delta", "epsilon  "]
    assert shown_in_output([], out)
    assert shown_in_output(["beta gamma", "delta"], out)
    assert shown_in_output(["epsilon"], out)  # trailing spaces aside
    assert shown_in_output(["beta…", "delta"], out)
    assert shown_in_output(["alpha", "…", "epsilon"], out)
    assert shown_in_output(["alpha", "…", "beta gamma"], out)  # … may match no line
    assert shown_in_output(["…"], [])
    assert shown_in_output(["beta gamma…"], out)  # the text before … may be the whole line
    assert not shown_in_output(["delta", "beta gamma"], out)  # order
    assert not shown_in_output(["alpha", "delta"], out)  # a run: no gap without …
    assert not shown_in_output(["beta"], out)  # whole lines
    assert not shown_in_output(["gamma…"], out)  # … ends a prefix, not a suffix
    assert not shown_in_output(["epsilon", "zeta"], out)
    assert not shown_in_output(["alpha", "…", "zeta"], out)
    assert not shown_in_output(["x"], [])


# -- running a command ------------------------------------------------------------------------------

def split_pipeline(command: str) -> tuple[str, str]:
    """The command up to its first unquoted ``|``, and the rest of the pipeline (or "")."""
    quote = ""
    for index, char in enumerate(command):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "|":
            return command[:index].strip(), command[index:]
    return command.strip(), ""


def policing_kg_args(command: str) -> list[str] | None:
    """The arguments after the program's name, or None for another program."""
    words = shlex.split(command, comments=True)
    if not words or words[0] not in PREFIXES:
        return None
    return words[1:]


@functools.cache
def help_text(words: tuple[str, ...]) -> str:
    done = subprocess.run([*PYTHON, *words, "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=TIMEOUT, env=environment())
    return done.stdout


def command_path(args: tuple[str, ...]) -> tuple[str, ...]:
    """The command and subcommand that ``args`` call: ``("query",)``, ``("sdg", "import")``."""
    words: list[str] = []
    for arg in args:
        if arg.startswith("-"):
            break
        words.append(arg)
    if not words:
        return ()
    if len(words) > 1 and "Commands:" in help_text((words[0],)):
        return (words[0], words[1])
    return (words[0],)


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "80"}


def set_option(args: list[str], option: str, value: str) -> list[str]:
    if option in args:
        index = args.index(option)
        return [*args[:index + 1], value, *args[index + 2:]]
    return [*args, option, value]


def prepare(args: list[str], release: Path, tmp: Path) -> tuple[list[str], Path]:
    """The arguments to run, and the folder they use in place of dist/."""
    path = command_path(tuple(args))
    dist = release
    if path == ("build",):
        dist = tmp / "dist"
    elif path == ("site",):
        dist = tmp / "dist"
        shutil.copytree(release, dist)
    args = [str(dist) if a == "dist" else str(dist / a[5:]) if a.startswith("dist/") else a
            for a in args]
    if path and "--help" not in args and "-h" not in args:
        if "--dist" in help_text(path):
            args = set_option(args, "--dist", str(dist))
        if path == ("crosswalk", "matrix"):
            args = set_option(args, "--out", str(tmp / "matrices"))
        if path == ("crosswalk", "suggest") and "--out" in args:
            args = set_option(args, "--out", str(tmp / "suggested.sssom.tsv"))
    return args, dist


CONSOLE = console_examples()
RUN = [e for e in CONSOLE if why_not_run(e.text) is None]
PYTHON_BLOCKS = python_examples()


def test_every_unrun_command_is_known() -> None:
    unrun = {(e.file, e.text): why_not_run(e.text) for e in CONSOLE if why_not_run(e.text)}
    assert unrun == NOT_RUN


def test_the_docs_have_examples() -> None:
    assert len(RUN) >= 10
    assert {e.file for e in RUN} >= {"README.md", "CONTRIBUTING.md"}


@pytest.mark.parametrize("example", RUN, ids=[e.id for e in RUN])
def test_console_example(example: Example, release: tuple[Path, BuildResult],
                         tmp_path: Path) -> None:
    head, pipeline = split_pipeline(example.text)
    args = policing_kg_args(head)
    assert args is not None
    args, dist = prepare(args, release[0], tmp_path)
    command = [*PYTHON, *args]
    if pipeline:
        command = ["bash", "-o", "pipefail", "-c", f"{shlex.join(command)} {pipeline}"]
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=TIMEOUT, env=environment())
    output = done.stdout.replace(str(dist), "…/dist")
    assert done.returncode == example.exit_code, (
        f"{example.id}: exit {done.returncode}, the docs say {example.exit_code}\n{output}")
    assert shown_in_output(example.output, output.splitlines()), (
        f"{example.id}: the docs show\n" + "\n".join(example.output)
        + "\n\nbut the command prints\n" + output)


# -- Python blocks ----------------------------------------------------------------------------------

DIST_LITERAL = re.compile(r"""(?P<q>["'])dist(?P<rest>/[^"'\n]*)?(?P=q)""")

def with_release(line: str, dist: Path, doctest: bool) -> str:
    """The line with "dist" literals made the release's path (in a doctest: in code only)."""
    if doctest and not line.lstrip().startswith((">>> ", "... ")):
        return line
    return DIST_LITERAL.sub(lambda m: repr(str(dist) + (m.group("rest") or "")), line)


DOCTEST = """\
import doctest, sys
failed, _ = doctest.testfile(sys.argv[1], module_relative=False,
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
sys.exit(1 if failed else 0)
"""


@pytest.mark.parametrize("example", [pytest.param(e, id=e.id) for e in PYTHON_BLOCKS] or [
    pytest.param(None, marks=pytest.mark.skip(reason="the docs hold no ```python block yet"))])
def test_python_example(example: Example, release: tuple[Path, BuildResult],
                        tmp_path: Path) -> None:
    dist = release[0]
    doctest = any(line.lstrip().startswith(">>> ") for line in example.text.splitlines())
    code = "".join(with_release(line, dist, doctest)
                   for line in example.text.splitlines(keepends=True))
    script = tmp_path / "example.py"
    script.write_text(code, "utf-8")
    if doctest:
        command = [sys.executable, "-c", DOCTEST, str(script)]
    else:
        command = [sys.executable, str(script)]
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=TIMEOUT,
                          env={**environment(), "POLICING_KG_DIST": str(dist)})
    assert done.returncode == 0, f"{example.id}:\n{code}\n{done.stdout}"
