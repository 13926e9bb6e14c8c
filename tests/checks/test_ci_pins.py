"""The files that other repositories use to run `policing-kg validate` (the GitHub Action, the
pre-commit hook, the workflow template) name the newest published release (its tag), as the
release record says, and the action installs the locked versions, as the Makefile does."""

from __future__ import annotations

import re

import pytest
import yaml

from policing_kg.curation.releases import load_releases

from ..conftest import ROOT

#: file -> how a pin of policing-kg is written in it
PINS = {
    "action.yml": re.compile(r"policing-kg/policing-kg@(\S+)"),
    ".pre-commit-hooks.yaml": re.compile(r"\brev:\s*(\S+)"),
    "docs/contributor-workflow.yml": re.compile(r"policing-kg/policing-kg@(\S+)"),
}


def current_tag() -> str:
    published = load_releases(ROOT / "releases" / "releases.toml").published
    assert published is not None
    return "v" + published.version


@pytest.mark.parametrize("name", sorted(PINS))
def test_every_pin_names_the_current_release(name: str) -> None:
    text = (ROOT / name).read_text("utf-8")
    pins = [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in PINS[name].finditer(text)]
    assert pins, f"{name} pins no release"
    for line, pin in pins:
        assert pin == current_tag(), (f"{name}:{line} pins {pin}, but the release record "
                                      f"(releases/releases.toml) is at {current_tag()}")


def test_the_action_installs_from_the_lock_as_the_makefile_does() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    (install,) = [step for step in action["runs"]["steps"] if "pip install" in step.get("run", "")]
    commands = [line.strip() for line in install["run"].splitlines() if "pip install" in line]
    assert len(commands) == 2, commands
    locked, package = commands
    assert "--require-hashes" in locked and '-r "$ACTION_PATH/requirements.lock"' in locked
    assert "--no-deps" in package and package.endswith('"$ACTION_PATH"')
    assert install["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert "--require-hashes -r requirements.lock" in makefile and "--no-deps" in makefile
    # what the package itself needs to build without isolation is in the lock
    lock = (ROOT / "requirements.lock").read_text("utf-8")
    assert re.search(r"^setuptools==", lock, re.MULTILINE)
