"""The whole flow, sources to release: ``build_release`` is what ``policing-kg build`` runs.

A build that fails lists every problem it found at the step that failed (undefined terms, SHACL
violations — a mapping row's at its ``file:line`` —, quality errors grouped by check, each with
what to do), up to :data:`~policing_kg.errors.PROBLEM_LIMIT` lines and how many more; it exits 1
(the graph does not conform), and 2 for bad input, as ``crosswalk check`` and ``lint`` do for the
same problem (:mod:`policing_kg.errors`).

Before any work it checks the version: pyproject.toml, the package's ``__version__`` and
CITATION.cff must say the newest record's (:func:`.curation.releases.check_versions`), and a
published version (its record names its archive, or ``releases/`` holds it) is built only to
give its very bytes: a build that would give other bytes under its number is refused, and
dist/ is left as it was (:func:`_publish_checked`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policing_kg.assembly.assemble import assemble
from policing_kg.assembly.graph import add_layer, union_graph
from policing_kg.assembly.versions import ontology_version_turtle
from policing_kg.checks.consistency import Consistency, check_consistency
from policing_kg.checks.quality import QualityReport, quality_report
from policing_kg.checks.shacl import ShapeReport, load_shapes, validate_graph
from policing_kg.common.iris import graph_iri, graph_order
from policing_kg.crosswalk.links import CROSSWALK_FILE, crosswalk_sssom, read_crosswalk
from policing_kg.curation.releases import ReleaseHistory, check_versions, load_releases
from policing_kg.errors import PROBLEM_LIMIT, DataError, NotConforming, PolicingKGError
from policing_kg.project import Project
from policing_kg.release.archive import release_time
from policing_kg.release.metadata import archive_name, check_base_url, metadata_triples
from policing_kg.release.publish import DUMPS, Release, canonical_quads, publish

__all__ = ["BuildFailed", "BuildResult", "build_release", "PublishedVersion"]


class PublishedVersion(PolicingKGError):
    """A build would give a published version other bytes (exit 2): nothing was written."""


class BuildFailed(NotConforming):
    """The built graph does not conform to its shapes or is inconsistent: nothing published."""

    def __init__(self, what: str, *, report: ShapeReport | None = None,
                 consistency: Consistency | None = None, problems: Sequence[str] = ()) -> None:
        self.problems = tuple(problems)
        super().__init__(what, hint="nothing was published; the previous dist/ is intact")
        self.report = report
        self.consistency = consistency

    def line(self) -> str:
        """Return the verdict, then each problem on a line of its own (up to the limit)."""
        head = super().line()
        shown = [f"  {problem}" for problem in self.problems[:PROBLEM_LIMIT]]
        rest = len(self.problems) - len(shown)
        if rest:
            shown.append(f"  … and {rest} more (fix these, then build again)")
        return "\n".join([head, *shown])


#: What to do about each quality check that fails a build.
_QUALITY_FIXES = {
    "missing-label-en": "give it an English label: a [[translation]] in "
    "data/labels/translations.toml (item, language = \"en\", `from` = the item's text, text), "
    "or its official name in data/labels/official.toml with its source",
}


def _quality_problems(errors: list[tuple[Any, Any]]) -> list[str]:
    """Group the quality errors by check: the check, what to do, then each item on a line."""
    from policing_kg.common.iris import short_id

    by_check: dict[str, list[Any]] = {}
    checks: dict[str, Any] = {}
    for check, finding in errors:
        by_check.setdefault(check.id, []).append(finding)
        checks[check.id] = check
    lines = []
    for check_id, findings in by_check.items():
        check = checks[check_id]
        fix = _QUALITY_FIXES.get(check_id, "see docs/publishers.md, the quality report")
        lines.append(f"{check_id} ({check.description}), {len(findings)} item(s) — {fix}:")
        lines += [f"  {short_id(f.item)}" + (f": {f.detail}" if f.detail else "")
                  for f in findings]
    return lines


@dataclass
class BuildResult:
    """What a build did: items per document and kind, lines set aside, checks, the release."""

    items: dict[str, Counter[str]] = field(default_factory=dict)
    ignored_lines: int = 0
    report: ShapeReport | None = None
    consistency: Consistency | None = None
    quality: QualityReport | None = None
    release: Release | None = None

    def lines(self) -> list[str]:
        """Do what the build did, for people: a line per document, the checks, the release."""
        lines = [f"{document}: {sum(counts.values())} items ("
                 + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) + ")"
                 for document, counts in self.items.items()]
        lines.append(f"{self.ignored_lines} source lines set aside by the manifest's ignore rules")
        if self.report is not None:
            verdict = "conforms" if self.report.conforms else "does not conform"
            lines.append(f"SHACL: {verdict} ({len(self.report.results)} result(s), "
                         f"{len(self.report.violations())} violation(s))")
        if self.quality is not None:
            lines.append("quality: " + ", ".join(f"{self.quality.count(level)} {level}(s)"
                                                 for level in ("error", "warning", "info")))
        lines.append(f"HermiT: consistent ({self.consistency.triples} triples reasoned over)"
                     if self.consistency is not None else "HermiT: skipped (--skip-reasoner)")
        if self.release is not None:
            lines.append(f"published {len(self.release.checksums)} files to "
                         f"{self.release.directory}: {self.release.triples} triples, "
                         f"{self.release.quads} quads in {len(self.release.graph_triples)} "
                         "named graphs")
        return lines


def build_release(project: Project, out_dir: Path, *, reason: bool = True,
                  base_url: str | None = None) -> BuildResult:
    """Build the graph, validate it, check it with the reasoner, and publish it to ``out_dir``.

    ``out_dir`` must be new, empty, or an earlier release: never the checkout, a folder that
    holds it, or one of its input folders (:func:`.rdf.files.check_release_target`).
    """
    from policing_kg import __version__
    from policing_kg.common.files import check_release_target

    project.check()
    out_dir = check_release_target(out_dir, project.root)
    if project.releases.is_file():  # else assemble says what is missing
        check_release_state(project, load_releases(project.releases), __version__)
    assembly = assemble(project)
    result = BuildResult()
    for spec, conversion in zip(assembly.specs, assembly.conversions, strict=True):
        result.items[spec.id] = Counter(item.kind.value for item in conversion.items)
        result.ignored_lines += len(conversion.ignored_lines)
    history = assembly.releases
    current = history.current
    base = check_base_url(base_url, current.version)
    order = graph_order([spec.id for spec in assembly.specs])
    titles = {spec.id: spec.title.get("en", spec.id) for spec in assembly.specs}
    names = [*DUMPS, "policing-kg-ontology.ttl", "context.jsonld", "void.ttl",
             "quality-report.json", "quality-report.md", CROSSWALK_FILE, "CHANGES.md",
             archive_name(current.version)]
    if history.previous is not None:
        names.append("changes.json")
    add_layer(assembly.dataset, "metadata", metadata_triples(
        history, base, names, [str(g) for g in order], titles, sorted(assembly.sources)))
    union = union_graph(assembly.dataset)
    result.report = validate_graph(union, load_shapes(project.shapes))
    from policing_kg.checks.vocabulary import Vocabulary, undefined_terms
    from policing_kg.common.terms import quads_of_graph

    union_quads = quads = quads_of_graph(union)
    undefined = undefined_terms(quads, Vocabulary(quads))
    if undefined:
        raise BuildFailed(f"{len(undefined)} term(s) of the pkg: namespace that the ontology "
                          "does not define", problems=[u.message for u in undefined])
    violations = result.report.violations()
    if violations:
        from policing_kg.crosswalk.coverage import place_violations

        placed, others = place_violations(assembly.mapping_sets, result.report)
        problems = [*placed, *(f"{v.focus} {v.path}: {v.message}"
                               + (f" ({v.value})" if v.value is not None else "")
                               for v in others)]
        raise BuildFailed(f"{len(violations)} SHACL violation(s)", report=result.report,
                          problems=problems)
    if reason:
        result.consistency = check_consistency(union)
        if not result.consistency.consistent:
            raise BuildFailed(f"the graph is inconsistent (HermiT): "
                              f"{result.consistency.explanation}",
                              consistency=result.consistency)
    store = _store(union_quads)
    result.quality = quality_report(store, current.version)
    errors = result.quality.errors()
    if errors:
        raise BuildFailed(f"{len(errors)} quality error(s)", problems=_quality_problems(errors))
    from policing_kg.release.diff import shacl_rows

    report = result.quality.to_json()
    shacl = shacl_rows(result.report.results)
    report["shacl"] = {"conforms": result.report.conforms, "results": shacl}
    quads = canonical_quads(assembly.dataset, order)  # once: for the diff and the dumps
    files = {
        "policing-kg-ontology.ttl": project.ontology.read_bytes()
        + ontology_version_turtle(history),
        "quality-report.json": (json.dumps(report, indent=1, ensure_ascii=False) + "\n").encode(),
        "quality-report.md": result.quality.markdown().encode(),
        CROSSWALK_FILE: crosswalk_sssom(read_crosswalk(store), current.version),
        **_changes(project, history, quads, shacl),
    }
    result.release = _publish_checked(history, out_dir, lambda target: publish(
        assembly.dataset, target, version=current.version, graph_order=order,
        base_url=base, metadata=graph_iri("metadata"), extra_files=files,
        archive=(archive_name(current.version), release_time(current.date)), quads=quads,
    ))
    return result


def check_release_state(project: Project, history: ReleaseHistory, running: str) -> None:
    """Refuse (one line, exit 2) a checkout whose versions disagree or that hides a release.

    A release is published when its archive is in ``releases/``: its record must say so.
    """
    check_versions(project.root, history, running)
    current = history.current
    kept = project.releases.parent / archive_name(current.version)
    if current.archive is None and kept.exists():
        raise PublishedVersion(
            f"{current.version} is published ({kept.name} is in releases/), but its record "
            "names no archive", where=current.where, hint="set its `archive` and `sha256` "
            f"(sha256sum releases/{kept.name}), then `policing-kg release start NEXT`")


def _publish_checked(history: ReleaseHistory, out_dir: Path,
                     write: Callable[[Path], Release]) -> Release:
    """Publish with ``write``; for a published version, only if it gives the recorded bytes.

    The release of a published version is written to a folder beside ``out_dir`` first, its
    archive compared with the record's SHA-256, and only then swapped in.
    """
    import dataclasses
    import hashlib
    import shutil
    import tempfile

    from policing_kg.common.files import swap_in

    current = history.current
    if current.sha256 is None:
        return write(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.verify-"))
    try:
        release = write(folder / "dist")
        name = archive_name(current.version)
        digest = hashlib.sha256((folder / "dist" / name).read_bytes()).hexdigest()
        if digest != current.sha256:
            raise PublishedVersion(
                f"{current.version} is published (sha256 {current.sha256[:12]}…), and this "
                f"build gives it other bytes ({digest[:12]}…): nothing was written",
                where=current.where, hint="a published version never changes: start the next "
                "one (`policing-kg release start NEXT`), or build the commit its tag names")
        swap_in(folder / "dist", out_dir)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return dataclasses.replace(release, directory=out_dir)


def _store(quads: list[Any]) -> Any:
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return store


def _changes(project: Project, history: ReleaseHistory, quads: list[Any],
             shacl: list[dict[str, str]]) -> dict[str, bytes]:
    """CHANGES.md and changes.json: the differences from the previous release's archive."""
    from policing_kg.release.diff import diff_releases, read_snapshot, snapshot_of
    current, previous = history.current, history.previous
    notes = f"# policing-kg {current.version} ({current.date.isoformat()})\n\n{current.notes}\n"
    if previous is None:
        return {"CHANGES.md": (notes + "\nThe first release.\n").encode()}
    archive = history.archive_path(previous)
    assert archive is not None and previous.sha256 is not None
    if not archive.is_file():
        raise DataError(f"the archive of {previous.version} is not in releases/",
                        where=str(archive), hint="copy it there from that release's dist/, "
                        "as its record's `archive` names it")
    old = read_snapshot(archive, previous.sha256)  # the record's checksum, then SHA256SUMS
    if old.version != previous.version:
        raise DataError(f"the archive named for {previous.version} holds release {old.version}",
                        where=previous.where, hint="name that version's own archive")
    if old.shacl is None:
        from policing_kg.release.diff import compute_shacl

        compute_shacl(old, load_shapes(project.shapes))
    new = snapshot_of(current.version, quads, shacl)
    changes = diff_releases(old, new)
    return {"CHANGES.md": changes.markdown(current.notes, current.date.isoformat()).encode(),
            "changes.json": changes.json_bytes()}
