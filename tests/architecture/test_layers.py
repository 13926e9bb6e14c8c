"""The package's folders are the steps of the flow, and imports run one way: a module imports
only from its own step and the steps below it (the README's "How it works")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "policing_kg"
#: The steps, bottom first; a module may import from its own step and those before it.
LAYERS = ["common", "extraction", "curation", "assembly", "checks", "crosswalk", "release",
          "access", "web", "cli"]
#: Modules of the package's top level, and the step each belongs to.
TOP_LEVEL = {"__init__": "common", "errors": "common", "project": "common",
             "cli": "cli", "cli_options": "cli", "cli_web": "cli", "cli_release": "cli",
             "__main__": "cli", "api": "cli", "cli_query": "cli",
             "cli_contrib": "cli"}
#: The one import that runs up the flow: the package's root hands out the analysts' API
#: (``from policing_kg import open_release``), imported only when first used.
FACADE = {("policing_kg", "policing_kg.api")}
MAX_LINES = 400


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def layer_of(module: str) -> str:
    """The step of a dotted module name inside the package (``policing_kg.checks.shacl``)."""
    parts = module.split(".")[1:]
    if not parts:
        return "common"
    return TOP_LEVEL.get(parts[0], parts[0]) if len(parts) == 1 and parts[0] in TOP_LEVEL \
        else parts[0]


def name_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "policing_kg":  # a module of the package, or a name of its root
                found += [(node.lineno, f"policing_kg.{a.name}" if (PACKAGE / a.name).exists()
                           or (PACKAGE / f"{a.name}.py").exists() else "policing_kg")
                          for a in node.names]
            elif node.module.startswith("policing_kg."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names
                      if a.name.startswith("policing_kg.")]
    return found


def test_every_module_is_in_a_step() -> None:
    for path in modules():
        assert layer_of(name_of(path)) in LAYERS, path


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_down_the_flow(path: Path) -> None:
    own = LAYERS.index(layer_of(name_of(path)))
    upward = [f"line {line}: {module} ({layer_of(module)})" for line, module in imports(path)
              if LAYERS.index(layer_of(module)) > own
              and (name_of(path), module) not in FACADE]
    assert upward == [], f"{name_of(path)} ({LAYERS[own]}) imports upwards: {upward}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_too_long(path: Path) -> None:
    lines = len(path.read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines: split it by concern"


def test_the_cli_is_thin() -> None:
    assert len((PACKAGE / "cli.py").read_text("utf-8").splitlines()) < 300
