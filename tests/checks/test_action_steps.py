"""The GitHub Action (action.yml) run as a runner runs it, on a contributor's repository made in
a temporary folder: its composite steps in order, ``${{ … }}`` replaced by the inputs and the
action's path, each ``run:`` script written to a file and run with ``bash --noprofile --norc
-eo pipefail`` (a runner's ``shell: bash``) in the repository, with the step's ``env``.

What cannot run here is replaced, and said so:

- ``actions/setup-python`` (a JavaScript action): the Python running the tests stands in;
- the installation step runs, but ``python -m pip install …`` would need the network (PyPI, for
  the locked versions): a ``python`` on PATH records the pip command instead of running it (the
  test checks that it installs requirements.lock with hashes, then the package without its
  dependencies), and ``policing-kg`` on PATH is the package already installed here, this
  checkout's code first, under the hook that refuses any network access (tests/no_network.py).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..conftest import ROOT

CONTRIBUTIONS = ROOT / "tests" / "contributions"
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
SYNTAX_ERROR = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

<https://w3id.org/policing-kg/id/gpg-2023/goal/1> skos:altLabel "x"@fr
"""


def substitute(text: str, context: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        assert match.group(1) in context, f"action.yml uses ${{{{ {match.group(1)} }}}}"
        return context[match.group(1)]

    return EXPRESSION.sub(value, text)


def shims(folder: Path, pip_log: Path) -> Path:
    """``python`` (pip recorded, not run) and ``policing-kg`` (this checkout, no network)."""
    folder.mkdir()
    python = shlex.quote(sys.executable)
    (folder / "python").write_text(
        "#!/bin/bash\n"
        'if [ "$1 $2 $3" = "-m pip install" ]; then\n'
        "  # installing would need the network (PyPI): record the command instead\n"
        f'  printf "%s\\n" "${{*:4}}" >> {shlex.quote(str(pip_log))}; exit 0\n'
        "fi\n"
        f'exec {python} "$@"\n')
    path = os.pathsep.join([str(ROOT / "src"), str(ROOT)])
    (folder / "policing-kg").write_text(
        "#!/bin/bash\n"
        "# the package installed here (this checkout's code first), under the no-network hook\n"
        f"PYTHONPATH={shlex.quote(path)} exec {python} -m tests.no_network \"$@\"\n")
    for shim in folder.iterdir():
        shim.chmod(0o755)
    return folder


def run_action(repository: Path, tmp_path: Path, **given: str) -> tuple[int, str, str, str]:
    """Run the action's steps as a runner would; return the exit code, stdout, stderr, pip log."""
    action: dict[str, Any] = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    assert action["runs"]["using"] == "composite"
    inputs = {name: given.get(name.replace("-", "_"), spec.get("default"))
              for name, spec in action["inputs"].items()}
    for name, spec in action["inputs"].items():
        assert not spec.get("required") or inputs[name] is not None, f"input {name} is required"
    context = {"github.action_path": str(ROOT), "github.workspace": str(repository),
               **{f"inputs.{name}": str(value) for name, value in inputs.items()}}
    pip_log = tmp_path / "pip.log"
    environment = {**os.environ, "GITHUB_ACTIONS": "true", "CI": "true",
                   "GITHUB_WORKSPACE": str(repository),
                   "PATH": str(shims(tmp_path / "bin", pip_log)) + os.pathsep
                   + os.environ.get("PATH", "")}
    environment.pop("PYTHONPATH", None)
    out = err = ""
    for index, step in enumerate(action["runs"]["steps"]):
        if "uses" in step:
            assert step["uses"].startswith("actions/setup-python@"), step  # Python is here
            continue
        assert step.get("shell") == "bash", step
        script = tmp_path / f"step-{index}.sh"
        script.write_text(substitute(step["run"], context), "utf-8")
        env = {**environment, **{key: substitute(str(value), context)
                                 for key, value in step.get("env", {}).items()}}
        process = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail",
                                  str(script)], cwd=repository, env=env, capture_output=True,
                                 text=True, timeout=300)
        out += process.stdout
        err += process.stderr
        if process.returncode != 0:  # the step fails, and the job with it
            return process.returncode, out, err, pip_log.read_text() if pip_log.exists() else ""
    return 0, out, err, pip_log.read_text() if pip_log.exists() else ""


@pytest.fixture()
def repository(tmp_path: Path) -> Path:
    """A contributor's repository: contributions/ with a marked translation, which conforms."""
    folder = tmp_path / "contributor-repo"
    (folder / "contributions").mkdir(parents=True)
    (folder / "contributions" / "translation.ttl").write_bytes(
        (CONTRIBUTIONS / "translation.ttl").read_bytes())
    return folder


def annotations(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("::")]


def test_the_install_step_installs_the_lock_then_the_package(repository: Path,
                                                              tmp_path: Path) -> None:
    code, out, err, pip = run_action(repository, tmp_path, files="contributions/*.ttl")
    assert code == 0, err
    assert pip.splitlines() == [
        f"--quiet --require-hashes -r {ROOT}/requirements.lock",
        f"--quiet --no-deps --no-build-isolation {ROOT}"]
    assert (ROOT / "requirements.lock").is_file()
    assert annotations(out) == [] and "in 1 file: conforms" in out


def test_a_syntax_error_is_an_annotation_at_its_line_and_column(repository: Path,
                                                                tmp_path: Path) -> None:
    (repository / "contributions" / "broken.ttl").write_text(SYNTAX_ERROR, "utf-8")
    code, out, err, _ = run_action(repository, tmp_path, files="contributions/*.ttl")
    assert code == 2 and "Traceback" not in err
    assert annotations(out) == ["::error file=contributions/broken.ttl,line=4,col=1,"
                                "title=policing-kg cannot validate::syntax error: Unexpected "
                                "end — fix the syntax"]
    assert err == "error: contributions/broken.ttl:4:1: syntax error: Unexpected end — fix the " \
                  "syntax\n"


def test_a_pattern_that_matches_nothing_is_an_annotation(repository: Path,
                                                         tmp_path: Path) -> None:
    code, out, err, _ = run_action(repository, tmp_path, files="contributions/*.jsonld")
    assert code == 2
    (annotation,) = annotations(out)
    assert annotation.startswith("::error file=contributions/*.jsonld,title=policing-kg "
                                 "cannot validate::no file matches this pattern")
    assert err.startswith("error: contributions/*.jsonld: no file matches this pattern")


def test_a_missing_file_is_an_annotation(repository: Path, tmp_path: Path) -> None:
    code, out, err, _ = run_action(repository, tmp_path,
                                   files="contributions/translation.ttl contributions/gone.ttl")
    assert code == 2 and err == "error: contributions/gone.ttl: no such file\n"
    assert annotations(out) == ["::error file=contributions/gone.ttl,title=policing-kg cannot "
                                "validate::no such file"]


def test_a_violation_is_an_annotation_at_its_line_and_fails_the_step(repository: Path,
                                                                     tmp_path: Path) -> None:
    (repository / "contributions" / "unmarked-translation.ttl").write_bytes(
        (CONTRIBUTIONS / "unmarked-translation.ttl").read_bytes())
    code, out, err, _ = run_action(repository, tmp_path, files="contributions/*.ttl")
    assert code == 1, err
    (annotation,) = annotations(out)
    assert annotation.startswith("::error file=contributions/unmarked-translation.ttl,line=4,"
                                 "title=policing-kg Violation::This label is not in the "
                                 "document's language")
    assert "does not conform (--fail-on violation)" in out


@pytest.mark.parametrize(("fail_on", "code"), [("violation", 0), ("warning", 1)])
def test_the_fail_on_input_decides_the_step(repository: Path, tmp_path: Path, fail_on: str,
                                            code: int) -> None:
    (repository / "contributions" / "new-document.ttl").write_bytes(
        (CONTRIBUTIONS / "new-document.ttl").read_bytes())
    exit_code, out, err, _ = run_action(repository, tmp_path, files="contributions/*.ttl",
                                        fail_on=fail_on)
    assert exit_code == code, err
    assert any(line.startswith("::warning file=contributions/new-document.ttl,line=22,")
               for line in annotations(out))
