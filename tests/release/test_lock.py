"""The lock: requirements.lock pins, with hashes, every package of pyproject.toml's dependencies and
`test` extra, the venv that `make` installs is exactly it, and `make lock` refreshes it."""

from __future__ import annotations

import re
import sys
from importlib import metadata

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ..conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

LOCK = ROOT / "requirements.lock"
HASH = re.compile(r"--hash=(\S*)")
SHA256 = re.compile(r"sha256:[0-9a-f]{64}")
#: the interpreters the lock must serve (requires-python is >=3.10), on Linux x86_64
PYTHONS = ("3.10.12", "3.11.2", "3.12.3", "3.13.1", "3.14.0")


def environment(python: str) -> dict[str, str]:
    return {"python_version": python.rsplit(".", 1)[0], "python_full_version": python,
            "implementation_version": python, "sys_platform": "linux", "platform_system": "Linux",
            "platform_machine": "x86_64", "os_name": "posix", "implementation_name": "cpython",
            "platform_python_implementation": "CPython"}


def applies(marker: Marker | None, env: dict[str, str] | None = None) -> bool:
    return marker is None or marker.evaluate(env)


def lock_entries(text: str) -> list[tuple[Requirement, list[str]]]:
    """Each entry of a lock: its requirement and its hashes (continuation lines joined)."""
    entries = []
    for line in text.replace("\\\n", " ").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            spec = line.partition(" --hash=")[0]
            entries.append((Requirement(spec), HASH.findall(line)))
    return entries


def pyproject_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    return [Requirement(text) for text in
            project["dependencies"] + project["optional-dependencies"]["test"]]


def pins_for(entries: list[tuple[Requirement, list[str]]], name: str) -> list[Requirement]:
    return [req for req, _ in entries if canonicalize_name(req.name) == canonicalize_name(name)]


def test_every_requirement_of_pyproject_is_pinned_to_a_version_it_allows() -> None:
    entries = lock_entries(LOCK.read_text("utf-8"))
    for wanted in pyproject_requirements():
        pins = pins_for(entries, wanted.name)
        assert pins, f"{wanted.name} is not in requirements.lock: run `make lock`"
        for pin in pins:
            (version,) = [spec.version for spec in pin.specifier]
            assert wanted.specifier.contains(version, prereleases=True), (wanted, pin)
        if wanted.marker is not None:
            assert all(pin.marker is not None for pin in pins), (wanted, pins)
        for python in PYTHONS:
            env = environment(python)
            if applies(wanted.marker, env):
                chosen = [pin for pin in pins if applies(pin.marker, env)]
                assert len(chosen) == 1, (wanted, python, chosen)


def test_tomli_is_locked_for_python_3_10_only() -> None:
    tomli = pins_for(lock_entries(LOCK.read_text("utf-8")), "tomli")
    assert [pin for pin in tomli if applies(pin.marker, environment("3.10.12"))]
    assert not [pin for pin in tomli if applies(pin.marker, environment("3.11.2"))]


def test_every_pin_is_exact_and_hashed() -> None:
    entries = lock_entries(LOCK.read_text("utf-8"))
    assert len(entries) > 100
    for req, hashes in entries:
        assert req.url is None and not req.extras, req
        (spec,) = req.specifier
        assert spec.operator == "==" and "*" not in spec.version, req
        assert hashes and all(SHA256.fullmatch(digest) for digest in hashes), req


def test_the_lock_says_how_to_refresh_it() -> None:
    header = LOCK.read_text("utf-8").split("\n\n", 1)[0].splitlines()[:5]
    assert any("make lock" in line for line in header)
    assert any("uv pip compile pyproject.toml --extra test --generate-hashes" in line
               for line in header)


def dependency_tree() -> dict[str, str]:
    """The installed distributions that pyproject.toml's requirements pull in, with versions."""
    tree: dict[str, str] = {}
    extras_seen: dict[str, set[str]] = {}
    todo = [req for req in pyproject_requirements() if applies(req.marker)]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        extras = set(req.extras)
        if name in tree and extras <= extras_seen[name]:
            continue
        extras_seen.setdefault(name, set()).update(extras)
        distribution = metadata.distribution(name)
        tree[name] = distribution.version
        for text in distribution.requires or []:
            sub = Requirement(text)
            if sub.marker is None or any(sub.marker.evaluate({"extra": extra})
                                         for extra in extras | {""}):
                todo.append(sub)
    return tree


def test_the_lock_holds_the_dependency_tree_and_nothing_else() -> None:
    locked = {canonicalize_name(req.name) for req, _ in lock_entries(LOCK.read_text("utf-8"))
              if applies(req.marker)}
    tree = set(dependency_tree())
    assert tree - locked == set(), "installed but not locked: run `make lock`"
    assert locked - tree == set(), "locked but needed by nothing: run `make lock`"


def test_the_venv_has_the_locked_versions() -> None:
    locked = {canonicalize_name(req.name): next(iter(req.specifier)).version
              for req, _ in lock_entries(LOCK.read_text("utf-8")) if applies(req.marker)}
    tree = dependency_tree()
    differ = {name: (version, locked.get(name)) for name, version in tree.items()
              if locked.get(name) != version}
    assert differ == {}, "installed (first) is not the lock's (second): run `make`"


def stamp_rule(makefile: str) -> tuple[str, list[str]]:
    """The prerequisites and the recipe of the Makefile's rule for the venv's stamp."""
    match = re.search(r"^\$\(STAMP\):(.*)\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert match, "no $(STAMP) rule in the Makefile"
    return match.group(1), [line.strip() for line in match.group(2).splitlines()]


def test_make_installs_the_lock_with_its_hashes_and_nothing_unpinned() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    prerequisites, recipe = stamp_rule(makefile)
    assert {"pyproject.toml", "requirements.lock"} <= set(prerequisites.split())
    installs = [line for line in recipe if "pip install" in line]
    assert any("--require-hashes -r requirements.lock" in line for line in installs), installs
    for line in installs:
        assert "requirements.lock" in line or "--no-deps" in line, line
        assert "--upgrade" not in line, line


def test_make_lock_is_a_target() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert re.search(r"^lock:", makefile, re.MULTILINE)
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE)
    assert phony and "lock" in phony.group(1).split()
    recipe = makefile.split("\nlock:\n", 1)[1].split("\n\n", 1)[0]
    assert "uv pip compile $(LOCK_OPTIONS)" in recipe and "-o requirements.lock" in recipe
