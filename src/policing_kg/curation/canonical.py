"""Curated data in canonical form: what ``policing-kg lint`` checks and ``lint --fix`` writes.

Curated data is code: a file in canonical form changes only where its content changes, so a
review sees the edit and nothing else.

- **SSSOM TSV** (``data/mappings/``): the YAML header written by ``yaml.safe_dump`` in a fixed key
  order, the columns in SSSOM's order, the rows sorted by subject, predicate and object
  (numbers in IRIs by value), every field quoted as TSV readers expect (sssom-py reads them).
- **TOML** (``data/``): the comments kept where they are; one blank line between records, none
  at the ends of lines, one newline at the end of the file; ``key = value`` with one space on
  each side; the records of the label files sorted by item and language, the SDG table's by
  code, a grouping's assignments by outcome. The data read back is the same, order aside
  (checked before anything is written).

``lint`` reports every file's problem at once (:class:`~policing_kg.errors.Problems`): a file
not in canonical form (exit 1), and whatever its loader refuses, with the exit code that the
build and ``crosswalk check`` give the same problem (a bad mapping row: 1; a file that does not
read: 2).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from policing_kg.common.datafiles import load_toml, loads_toml
from policing_kg.common.files import write_atomically
from policing_kg.common.sorting import natural_key
from policing_kg.errors import NotConforming, PolicingKGError, Problems

__all__ = ["canonical_sssom", "canonical_toml", "curated_files", "lint_project"]

_TABLE = re.compile(r"^\[\[?([A-Za-z0-9_.-]+)\]\]?\s*$")
_KEY = re.compile(r"^([A-Za-z0-9_-]+)\s*=\s*")


def canonical_sssom(path: Path) -> str:
    """Return the canonical text of an SSSOM TSV file."""
    import csv
    import io

    import yaml

    from policing_kg.curation.mappings import load_mapping_set, sssom_text

    load_mapping_set(path)  # the checks of the loader first: a broken file is one line
    lines = path.read_text("utf-8").splitlines()
    header = [line[1:] for line in lines if line.startswith("#")]
    start = len(header)
    metadata = yaml.safe_load("\n".join(header)) or {}
    rows = [{k: (v or "") for k, v in row.items() if k is not None}
            for row in csv.DictReader(io.StringIO("\n".join(lines[start:])), delimiter="\t")]
    rows.sort(key=lambda r: (natural_key(r.get("subject_id", "")), r.get("predicate_id", ""),
                             natural_key(r.get("object_id", ""))))
    return sssom_text(metadata, rows)


def _blocks(text: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Split TOML text into its preamble and its table blocks.

    The comment lines right above a table header (no blank line between) go with that table.
    """
    preamble: list[str] = []
    blocks: list[tuple[str, list[str]]] = []
    for line in (line.rstrip() for line in text.split("\n")):
        current = blocks[-1][1] if blocks else preamble
        match = _TABLE.match(line)
        if not match:
            current.append(line)
            continue
        attached: list[str] = []
        while current and current[-1].startswith("#"):
            attached.insert(0, current.pop())
        blocks.append((match.group(1), [*attached, line]))
    return preamble, blocks


def _tidy(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(_KEY.sub(lambda m: f"{m.group(1)} = ", line) if not line.startswith(
            (" ", "#")) else line)
    while out and not out[-1]:
        out.pop()
    return out


def _value(block: list[str], key: str) -> str:
    for line in block:
        match = re.match(rf'^{key}\s*=\s*"?(.*?)"?\s*$', line)
        if match:
            return match.group(1)
    return ""


#: file name -> the order of its records of one kind (others keep theirs)
_ORDERS: dict[str, Callable[[str, list[str]], Any]] = {
    "translations.toml": lambda name, b: (natural_key(_value(b, "item")), _value(b, "language")),
    "editorial.toml": lambda name, b: (natural_key(_value(b, "item")), _value(b, "language")),
    "sdg-goals-targets.toml": lambda name, b: (
        natural_key(_value(b, "code").split(".")[0]), name != "goal",
        natural_key(_value(b, "code"))),
}


def canonical_toml(path: Path) -> str:
    """Return the canonical text of a curated TOML file (its data unchanged, order aside)."""
    text = path.read_text("utf-8")
    if "'''" in text or '"""' in text:
        raise PolicingKGError("multi-line strings are not used in curated TOML", where=str(path),
                              hint="write the value on one line")
    preamble, blocks = _blocks(text)
    order = _ORDERS.get(path.name)
    if path.name.endswith("-outcome-grouping.toml"):
        def by_outcome(name: str, block: list[str]) -> Any:
            return (name != "assignment", int(_value(block, "outcome") or 0))
        order = by_outcome
    if order is not None:
        # records of one kind stay together, where the kind first appears (the SDG table's
        # goals and targets are one list: goal 1, its targets, goal 2...)
        first = {name: index for index, (name, _) in reversed(list(enumerate(blocks)))}
        if path.name == "sdg-goals-targets.toml":
            first = dict.fromkeys(first, 0)
        blocks.sort(key=lambda nb: (first[nb[0]], order(nb[0], nb[1])))
    parts = ["\n".join(_tidy(preamble))] if _tidy(preamble) else []
    parts += ["\n".join(_tidy(block)) for _, block in blocks]
    canonical = "\n\n".join(parts) + "\n"
    if _normalised(load_toml(path)) != _normalised(loads_toml(canonical, str(path))):
        raise PolicingKGError("the canonical form would change the data (a bug of lint)",
                              where=str(path))
    return canonical


def _normalised(data: Any) -> Any:
    """Return the data with its arrays of tables sorted (their order is not content here)."""
    if isinstance(data, dict):
        return {k: _normalised(v) for k, v in data.items()}
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        return sorted((_normalised(v) for v in data), key=repr)
    return data


def curated_files(project: Any) -> list[Path]:
    """Every curated data file of the project, in a stable order."""
    data = project.data
    files = sorted((data / "mappings").glob("*.sssom.tsv"))
    files += sorted((data / "labels").glob("*.toml")) + sorted((data / "curation").glob("*.toml"))
    files += [p for p in (data / "sdg" / "sdg-goals-targets.toml", project.manifest)
              if p.is_file()]
    return files


def lint_project(project: Any, *, fix: bool = False) -> list[str]:
    """Check (or, with ``fix``, rewrite) every curated file; raise if one is not canonical."""
    project.check()
    lines = []
    problems: list[PolicingKGError] = []  # every file's, each at its file (and line)
    for path in curated_files(project):
        shown = path.relative_to(project.root) if path.is_relative_to(project.root) else path
        try:
            canonical = canonical_sssom(path) if path.name.endswith(".sssom.tsv") \
                else canonical_toml(path)
        except Problems as exc:
            problems += exc.problems
            continue
        except PolicingKGError as exc:
            problems.append(exc)
            continue
        if canonical == path.read_text("utf-8"):
            continue
        if fix:
            def write(target: Path, content: str = canonical) -> None:
                target.write_text(content, "utf-8")

            write_atomically(path, write)
            lines.append(f"rewrote {shown} in canonical form")
        else:
            problems.append(NotConforming("not in canonical form", where=str(shown),
                                          hint=f"run `policing-kg lint --fix` (then review "
                                          f"the diff){_first_difference(path, canonical)}"))
    Problems.raise_if_any(problems, what="curated file problem(s)")
    return lines or [f"{len(curated_files(project))} curated files in canonical form"]


def _first_difference(path: Path, canonical: str) -> str:
    """Return where the file first differs from its canonical form, as ``; first at line N``."""
    for number, (have, want) in enumerate(zip(path.read_text("utf-8").split("\n"),
                                              canonical.split("\n"), strict=False), 1):
        if have != want:
            return f"; it first differs at line {number}"
    return ""
