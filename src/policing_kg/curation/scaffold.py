"""The scaffold of a new document (``policing-kg new-document``).

It writes the files a contributor writes, as far as the converter can fill them in, and lists
what is left to do, in order.

It runs the document's converter (read-only) on the new text and writes:

- the source text into ``data/sources/`` (unless the same bytes are already there);
- the manifest record, with the lines the converter cannot place listed, commented out, for an
  ``ignore`` rule (with its reason) or a fix of the text;
- an outcome-grouping stub (``data/curation/ID-outcome-grouping.toml``) when the outcomes do not
  divide evenly into the objectives' columns, placed in reading order, reasoning left to write;
- translation stubs in ``data/labels/translations.toml``, ``from`` filled in, ``text`` empty;
- the expected items and counts (``tests/expected/items.toml``) and the text's SHA-256
  (``tests/expected/sources.toml``), to review against the text.

Nothing it writes passes the build before the contributor has filled in the blanks: the build
names each blank.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from policing_kg.errors import DataError, PolicingKGError
from policing_kg.extraction import CONVERTERS, convert_document
from policing_kg.extraction.records import Conversion, collapse
from policing_kg.extraction.sources import DocumentSpec, SourceText, load_manifest

__all__ = ["KINDS", "Scaffold", "new_document"]

#: The document kind each converter reads.
KINDS = {"strategic-framework": "StrategicFramework",
         "global-policing-goals": "GlobalPolicingGoals",
         "programme-strategy": "ProgrammeStrategy"}
_ID = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_PERIOD = re.compile(r"\b(20\d\d)\s*[-–à]\s*(20\d\d)\b")
_OBJECTIVE = re.compile(r"\bOBJECTI(?:F|VE)[^\S\n]*(\d+)[^\S\n]*:")
_COLUMNS = re.compile(r"^[^\S\n]*(?:OBJECTI(?:F|VE)[^\S\n]*\d+[^\S\n]*){2,}$", re.MULTILINE)
_COLUMN = re.compile(r"OBJECTI(?:F|VE)[^\S\n]*(\d+)")
_MARKER = re.compile(r"OBJECTI(?:F|VE)|MANDATE?|•|^But\s+stratégique|^-\s")
_LINE = re.compile(r":(\d+)\b")
TODO = "TODO"


@dataclass
class Scaffold:
    """What ``new_document`` wrote and found, and what is left to do."""

    document: str
    source: str
    written: list[str] = field(default_factory=list)
    unplaced: list[tuple[int, str]] = field(default_factory=list)
    grouping: str | None = None
    translations: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    unresolved: str | None = None
    todo: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Return the report: what was written, then what is left to do, numbered in order."""
        out = [f"new document {self.document} ({self.source})"]
        out += [f"  wrote {path}" for path in self.written]
        if self.counts:
            out.append("  items the converter read: " + ", ".join(
                f"{count} {kind}" for kind, count in self.counts.items()))
        out.append("left to do, in order:")
        out += [f"  {n}. {step}" for n, step in enumerate(self.todo, 1)]
        return out


def _q(text: str) -> str:
    """Return ``text`` as a TOML basic string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _record(spec: dict[str, object], unplaced: list[tuple[int, str]]) -> str:
    """Return the manifest record, in the manifest's style; unplaced lines commented out."""
    out = ["", "[[document]]"]
    for key, value in spec.items():
        if key == "title":
            title = value if isinstance(value, dict) else {}
            out.append("title = { " + ", ".join(f"{k} = {_q(str(v))}" for k, v in title.items())
                       + " }")
        elif isinstance(value, str):
            out.append(f"{key} = {_q(value)}")
        elif isinstance(value, (list, tuple)):
            out.append(f"{key} = [" + ", ".join(
                _q(v) if isinstance(v, str) else str(v) for v in value) + "]")
    if unplaced:
        out.append("# new-document: lines the converter cannot place. Give each an ignore rule "
                   "with its reason")
        out.append("# (uncomment it and replace TODO), or fix the text.")
        out.append("ignore = [")
        out += [f"#   {{ text = {_q(text)}, reason = {_q(TODO)} }},  # line {line}"
                for line, text in unplaced]
        out.append("]")
    return "\n".join(out) + "\n"


def _source_name(sources: Path, data: bytes) -> tuple[str, bool]:
    """Return the text's name in ``data/sources/``: the file with the same bytes, or a new one."""
    existing = sorted(p for p in sources.glob("[0-9][0-9][0-9]_*.txt"))
    for path in existing:
        if path.read_bytes() == data:
            return path.name, False
    number = max((int(p.name[:3]) for p in existing), default=-1) + 1
    return f"{number:03d}_{hashlib.sha256(data).hexdigest()[:16]}.txt", True


def _outcomes_layout(text: str) -> tuple[int, int, list[int]]:
    """Outcome bullets, objectives, and the column order of a programme strategy's text."""
    objectives = {int(m.group(1)) for m in _OBJECTIVE.finditer(text)}
    columns: list[int] = []
    for match in _COLUMNS.finditer(text):
        columns = [int(c.group(1)) for c in _COLUMN.finditer(match.group(0))]
        break
    return text.count("•"), len(objectives | set(columns)), columns


def _provisional(bullets: int, objectives: int, order: list[int]) -> dict[int, int]:
    """Outcomes in reading order, runs as even as can be (the longer runs last)."""
    order = order or list(range(1, objectives + 1))
    size, extra = divmod(bullets, len(order))
    sizes = [size + (1 if i >= len(order) - extra else 0) for i in range(len(order))]
    parents: dict[int, int] = {}
    number = 1
    for objective, run in zip(order, sizes, strict=True):
        for _ in range(run):
            parents[number] = objective
            number += 1
    return parents


def _spec(record: dict[str, object], ignore: list[tuple[int, str]], folder: Path) -> DocumentSpec:
    path = folder / "manifest.toml"
    rules = "".join(f"{{ text = {_q(t)}, reason = \"scaffold\" }}, " for _, t in ignore)
    path.write_text(_record(record, []).rstrip("\n") + f"\nignore = [{rules}]\n", "utf-8")
    (spec,) = load_manifest(path)
    return spec


def _convert(record: dict[str, object], source: SourceText, parents: dict[int, int] | None,
             scaffold: Scaffold) -> Conversion | None:
    """Run the converter, setting aside each line it cannot place, until it reads the text."""
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(200):
            spec = _spec(record, scaffold.unplaced, Path(folder))
            try:
                return convert_document(spec, source, parents)
            except PolicingKGError as error:
                found = _LINE.search(error.where or "")
                line = int(found.group(1)) if found else 0
                text = collapse(source.text.splitlines()[line - 1]) if 0 < line <= len(
                    source.text.splitlines()) else ""
                if not text or _MARKER.search(text) or any(t == text for _, t in
                                                          scaffold.unplaced):
                    scaffold.unresolved = error.line()
                    return None
                scaffold.unplaced.append((line, text))
    return None


def _grouping_stub(document: str, conversion: Conversion, parents: dict[int, int]) -> str:
    out = [f"# EDITORIAL ASSIGNMENT — not extracted: the text of {document} does not say which "
           "outcome serves which",
           "# objective. Written by `policing-kg new-document` in reading order: review each",
           "# assignment, and write its reasoning (and the method) in place of TODO.", "",
           f"method = {_q(TODO + ': how the outcomes were placed')}",
           'author = "policing-kg editors"']
    labels = {i.path: i.label or "" for i in conversion.items}
    for outcome, objective in sorted(parents.items()):
        words = " ".join((labels.get(("outcome", str(outcome))) or "").split()[:4])
        out += ["", "[[assignment]]", f"outcome = {outcome}", f"objective = {objective}",
                f"begins = {_q(words)}", f"reasoning = {_q(TODO)}"]
    return "\n".join(out) + "\n"


def _append(path: Path, text: str) -> None:
    old = path.read_text("utf-8") if path.exists() else ""
    path.write_text(old + ("" if not old or old.endswith("\n") else "\n") + text, "utf-8")


def new_document(root: Path, text_path: Path, document: str, converter: str,
                 language: str = "fr") -> Scaffold:
    """Scaffold a new document of ``root`` from ``text_path``; see the module's docstring."""
    if converter not in CONVERTERS:
        raise DataError(f"unknown converter {converter!r}", hint=f"one of {', '.join(CONVERTERS)}")
    if not _ID.match(document):
        raise DataError(f"document id {document!r} is not lower-case words joined by '-'",
                        hint="e.g. maritime-2026")
    if language not in ("fr", "en"):
        raise DataError(f"language {language!r}", hint="one of fr, en")
    manifest = root / "data" / "sources" / "manifest.toml"
    if document in {s.id for s in load_manifest(manifest)}:
        raise DataError(f"document {document} is already in the manifest", where=str(manifest))
    data = text_path.read_bytes()
    name, new_file = _source_name(manifest.parent, data)
    source = SourceText(name, data)
    scaffold = Scaffold(document, name)
    other = "en" if language == "fr" else "fr"
    found = _PERIOD.search(source.text)
    record: dict[str, object] = {
        "id": document, "kind": KINDS[converter],
        "title": {language: f"{TODO}: the title as the text gives it",
                  other: f"{TODO}: the title in {other}"},
        "title_translated": [other], "publisher": "INTERPOL",
        "period": [int(found.group(1)), int(found.group(2))] if found else [0, 0],
        "language": language, "file": name, "converter": converter}
    parents: dict[int, int] | None = None
    if converter == "programme-strategy":
        bullets, objectives, columns = _outcomes_layout(source.text)
        if columns:
            record["outcome_columns"] = columns
        if bullets and objectives and (not columns or bullets % len(columns)):
            parents = _provisional(bullets, objectives, columns)
            scaffold.grouping = f"data/curation/{document}-outcome-grouping.toml"
            record["outcome_grouping"] = scaffold.grouping
    conversion = _convert(record, source, parents, scaffold)

    if new_file:
        (manifest.parent / name).write_bytes(data)
        scaffold.written.append(f"data/sources/{name}")
    _append(manifest, _record(record, scaffold.unplaced))
    scaffold.written.append("data/sources/manifest.toml")
    if scaffold.grouping and conversion is not None and parents is not None:
        (root / scaffold.grouping).write_text(_grouping_stub(document, conversion, parents),
                                              "utf-8")
        scaffold.written.append(scaffold.grouping)
    unlabelled: list[str] = []
    if conversion is not None:
        scaffold.counts = dict(Counter(i.kind.value for i in conversion.items))
        stubs = []
        for item in conversion.items:
            key = "/".join((document, *item.path))
            if not item.label:
                unlabelled.append(key)
                continue
            stubs.append(f"\n[[translation]]\nitem = {_q(key)}\nlanguage = {_q(other)}\n"
                         f"from = {_q(collapse(item.label))}\ntext = \"\"\n")
        if stubs:
            _append(root / "data" / "labels" / "translations.toml", "".join(stubs))
            scaffold.translations = len(stubs)
            scaffold.written.append("data/labels/translations.toml")
        expected = root / "tests" / "expected"
        if expected.is_dir():
            _append(expected / "items.toml", _expected_items(document, conversion,
                                                             editorial=parents is not None))
            _append(expected / "sources.toml", f"{_q(name)} = "
                    f"{_q(hashlib.sha256(data).hexdigest())}\n")
            scaffold.written += ["tests/expected/items.toml", "tests/expected/sources.toml"]
    scaffold.todo = _todo(scaffold, manifest, unlabelled, other)
    return scaffold


def _expected_items(document: str, conversion: Conversion, *, editorial: bool) -> str:
    counts = Counter(i.kind.value for i in conversion.items)
    out = ["", f"# {document}: written by `policing-kg new-document` from the converter's reading;",
           "# check each text against the source (then they are your expectations, not its).",
           f"[counts.{document}]"]
    out += [f"{kind} = {count}" for kind, count in counts.items()]
    for item in conversion.items:
        out += ["", "[[item]]", f"key = {_q('/'.join((document, *item.path)))}"]
        if item.label:
            out.append(f"label = {_q(collapse(item.label))}")
        if item.parent and not editorial:
            out.append(f"parent = {_q('/'.join((document, *item.parent)))}")
    return "\n".join(out) + "\n"


def _todo(scaffold: Scaffold, manifest: Path, unlabelled: list[str], other: str) -> list[str]:
    steps = []
    if scaffold.unresolved:
        steps.append(f"the converter stopped: {scaffold.unresolved} (fix the text or the record;"
                     " then run new-document again on a clean checkout, or write the rest)")
    steps.append(f"data/sources/manifest.toml, record {scaffold.document}: replace the TODO "
                 "titles, check period (or give date) and, if a title is the source's in both "
                 "languages, drop title_translated")
    if scaffold.unplaced:
        listed = "; ".join(f"line {n} {t!r}" for n, t in scaffold.unplaced)
        steps.append(f"the same record: {len(scaffold.unplaced)} line(s) the converter cannot "
                     f"place ({listed}): uncomment each ignore rule and give its reason, or fix "
                     "the text")
    if scaffold.grouping:
        steps.append(f"{scaffold.grouping}: the outcomes do not divide evenly into the "
                     "objectives: check each assignment (placed in reading order) and write "
                     "the method and each reasoning in place of TODO")
    if scaffold.translations:
        steps.append(f"data/labels/translations.toml: write the {scaffold.translations} "
                     f"translation(s) into {other} (text = \"\"; every item needs an English "
                     "label, the build refuses a new document without one)")
    if unlabelled:
        steps.append(f"items with no wording in the text ({', '.join(unlabelled)}): an "
                     "editorial label in data/labels/editorial.toml, with its note")
    if scaffold.counts:
        steps.append("tests/expected/items.toml: check the counts and each item's text of "
                     f"{scaffold.document} against the source")
    steps.append("policing-kg lint --fix, then policing-kg build: it names every blank left")
    steps.append("make check (the corpus tests read the manifest and tests/expected/: no test "
                 "code to edit)")
    steps.append("mappings (optional): rows in data/mappings/; in a set with a review log, "
                 "log every decision, and consider every objective and outcome of the document")
    return steps
