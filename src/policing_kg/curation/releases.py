"""The release record (``releases/releases.toml``): each version with its date and notes.

The newest record is the version a build publishes; its date is the release date, never the
clock, so the same inputs give the same bytes on any day. The older records name the archive
of their release (kept in ``releases/``) and its SHA-256, which the build compares against.
The newest names them too once it is published (``policing-kg release publish``): a build of
it must then give those very bytes. The record is rewritten in one canonical form
(:func:`releases_text`); the version strings of the checkout (pyproject.toml, the package's
``__version__``, CITATION.cff) follow its newest record (:func:`version_problems`).

>>> parse_version("0.10.2") > parse_version("0.9.0")
True
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from policing_kg.common import datafiles as typed
from policing_kg.errors import DataError, PolicingKGError

__all__ = ["ReleaseRecord", "ReleaseHistory", "load_releases", "parse_version", "releases_text",
           "version_files", "version_problems", "check_versions", "set_versions", "VersionMismatch"]

_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def parse_version(text: str) -> tuple[int, int, int]:
    """Return a version ``MAJOR.MINOR.PATCH`` as numbers; ``ValueError`` when it is not one."""
    match = _VERSION.match(text)
    if match is None:
        raise ValueError(f"not a version MAJOR.MINOR.PATCH: {text!r}")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


@dataclass(frozen=True)
class ReleaseRecord:
    """One version: its number, date, notes, and (once published) its archive."""

    version: str
    date: datetime.date
    notes: str
    archive: str | None = None
    sha256: str | None = None
    where: str = ""


@dataclass(frozen=True)
class ReleaseHistory:
    """Every release, newest first."""

    releases: tuple[ReleaseRecord, ...]
    path: Path

    @property
    def current(self) -> ReleaseRecord:
        """The version a build publishes: the newest record."""
        return self.releases[0]

    @property
    def published(self) -> ReleaseRecord | None:
        """The newest published release (the one that names its archive), if any."""
        return next((record for record in self.releases if record.archive), None)

    @property
    def previous(self) -> ReleaseRecord | None:
        """The version before it, if any."""
        return self.releases[1] if len(self.releases) > 1 else None

    @property
    def first(self) -> ReleaseRecord:
        """The first release (its date is the dataset's ``dcterms:issued``)."""
        return self.releases[-1]

    def archive_path(self, record: ReleaseRecord) -> Path | None:
        """Where the checkout keeps a release's archive (relative to ``releases/``)."""
        return self.path.parent / record.archive if record.archive else None


def _date(record: dict[str, object], where: str) -> datetime.date:
    value = record.get("date")
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    raise DataError(f"`date` must be a date such as 2026-12-02 (no quotes), not "
                    f"{typed.kind_of(value) if value is not None else 'missing'}", where=where)


def load_releases(path: Path) -> ReleaseHistory:
    """Read and check the release record: versions rising, dates never going back."""
    data = typed.load_toml(path)
    records = []
    for n, record in enumerate(typed.records(data, "release", str(path)), 1):
        where = f"{path} (release {n})"
        version = typed.text(record, "version", where)
        try:
            parse_version(version)
        except ValueError as exc:
            raise DataError(str(exc), where=where, hint="write it as 1.2.3") from None
        archive = typed.optional_text(record, "archive", where)
        sha256 = typed.optional_text(record, "sha256", where)
        if (archive is None) != (sha256 is None):
            raise DataError("`archive` and `sha256` go together", where=where,
                            hint="name the release's archive and give its SHA-256")
        if sha256 is not None and not _SHA256.match(sha256):
            raise DataError("`sha256` must be 64 lower-case hexadecimal digits", where=where)
        if archive is not None and ("/" in archive or archive.startswith(".")):
            raise DataError("`archive` must be a file name in releases/", where=where)
        records.append(ReleaseRecord(version, _date(record, where),
                                     typed.text(record, "notes", where).strip(), archive, sha256,
                                     where))
    if not records:
        raise DataError("no [[release]]", where=str(path),
                        hint="describe the release to build: version, date, notes")
    for newer, older in zip(records, records[1:], strict=False):
        if parse_version(newer.version) <= parse_version(older.version):
            raise DataError(f"version {newer.version} is listed before {older.version}",
                            where=newer.where, hint="list releases newest first")
        if newer.date < older.date:
            raise DataError(f"{newer.version} is dated before {older.version}",
                            where=newer.where, hint="a newer release cannot be older")
        if older.archive is None:
            raise DataError(f"the published release {older.version} names no archive",
                            where=older.where,
                            hint="copy its .tar.gz into releases/ and set archive and sha256")
    return ReleaseHistory(tuple(records), path)


_PREAMBLE_END = re.compile(r"^\[\[release\]\]\s*$", re.MULTILINE)


def releases_text(history: ReleaseHistory, preamble: str | None = None) -> str:
    """Return the record in its canonical form: the file's opening comments, then each release.

    A release is ``version``, ``date``, ``archive`` and ``sha256`` once published, then its
    ``notes`` as a multi-line string; one blank line between releases. What the text says is
    checked to read back as ``history`` (comments inside a release are not kept).
    """
    if preamble is None:
        text = history.path.read_text("utf-8") if history.path.is_file() else ""
        match = _PREAMBLE_END.search(text)
        preamble = text[:match.start()] if match else ""
    parts = [preamble.strip("\n")] if preamble.strip() else []
    for record in history.releases:
        notes = record.notes.strip().replace("\\", "\\\\").replace('"""', '""\\"')
        lines = ["[[release]]", f'version = "{record.version}"',
                 f"date = {record.date.isoformat()}"]
        if record.archive is not None:
            lines += [f'archive = "{record.archive}"', f'sha256 = "{record.sha256}"']
        lines.append(f'notes = """\n{notes}\n"""')
        parts.append("\n".join(lines))
    canonical = "\n\n".join(parts) + "\n"
    again = [record.get("notes", "").strip() for record in
             typed.loads_toml(canonical, str(history.path)).get("release", [])]
    if again != [record.notes for record in history.releases]:
        raise DataError("the record would not read back as written (a bug)",
                        where=str(history.path))
    return canonical


class VersionMismatch(PolicingKGError):
    """The checkout's version strings do not all say the newest record's version (exit 2)."""


#: The files that carry the version besides the record, relative to the checkout, and how
#: each says it (the first match of the pattern; group 1 is the value).
VERSION_FILES: dict[str, tuple[re.Pattern[str], ...]] = {
    "pyproject.toml": (re.compile(r'^version = "([^"]*)"$', re.MULTILINE),),
    "src/policing_kg/__init__.py": (re.compile(r'^__version__ = "([^"]*)"$', re.MULTILINE),),
    "CITATION.cff": (re.compile(r'^version: "([^"]*)"$', re.MULTILINE),
                     re.compile(r"^date-released: (\S+)$", re.MULTILINE),
                     re.compile(r'^url: "[^"]*/release/([^/"]*)/"$', re.MULTILINE)),
}


def version_files(root: Path) -> dict[str, str]:
    """Return each version file the checkout has: its name -> its text."""
    return {name: (root / name).read_text("utf-8") for name in VERSION_FILES
            if (root / name).is_file()}


def version_problems(root: Path, record: ReleaseRecord,
                     running: str | None = None) -> list[str]:
    """Return ``file says X`` for each version string of the checkout that is not the record's.

    The files absent (a project folder that is not a checkout) are passed over; ``running``
    (the program's ``__version__``) stands for the package's file when it is not there.
    CITATION.cff's ``date-released`` must be the record's date, its ``url`` under its version.
    """
    wanted = {"version": record.version, "date-released": record.date.isoformat()}
    found = version_files(root)
    problems = []
    if running is not None and "src/policing_kg/__init__.py" not in found \
            and running != record.version:
        problems.append(f"the program (policing_kg.__version__) says {running}")
    for name, text in found.items():
        for pattern in VERSION_FILES[name]:
            match = pattern.search(text)
            what = "date-released" if "date-released" in pattern.pattern else "version"
            if match is None:
                problems.append(f"{name} gives no {what}")
            elif match.group(1) != wanted[what]:
                problems.append(f"{name} says {match.group(1)}")
    return problems


def check_versions(root: Path, history: ReleaseHistory, running: str | None = None) -> None:
    """Raise :class:`VersionMismatch` (one line) unless the checkout says the record's version."""
    current = history.current
    problems = version_problems(root, current, running)
    if problems:
        raise VersionMismatch(
            f"the versions disagree: the newest record of releases/releases.toml is "
            f"{current.version} ({current.date.isoformat()}), but " + "; ".join(problems),
            where=str(root), hint=f"write {current.version} and {current.date.isoformat()} "
            "there (`policing-kg release start VERSION` writes them all when it starts a "
            "version)")


def set_versions(root: Path, record: ReleaseRecord) -> list[str]:
    """Write the record's version (and date) into each version file; return those changed."""
    from policing_kg.common.files import write_atomically

    values = {"version": record.version, "date-released": record.date.isoformat()}
    changed = []
    for name, text in version_files(root).items():
        new = text
        for pattern in VERSION_FILES[name]:
            what = "date-released" if "date-released" in pattern.pattern else "version"
            match = pattern.search(new)
            if match is None:
                raise DataError(f"gives no {what} to change", where=str(root / name))
            new = new[:match.start(1)] + values[what] + new[match.end(1):]
        if new != text:
            def write(target: Path, content: str = new) -> None:
                target.write_text(content, "utf-8")

            write_atomically(root / name, write)
            changed.append(name)
    return changed
