"""The release record (``releases/releases.toml``): each version with its date and notes.

The newest record is the version a build publishes; its date is the release date, never the
clock, so the same inputs give the same bytes on any day. The older records name the archive
of their release (kept in ``releases/``) and its SHA-256, which the build compares against.

>>> parse_version("0.10.2") > parse_version("0.9.0")
True
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from policing_kg.common import datafiles as typed
from policing_kg.errors import DataError

__all__ = ["ReleaseRecord", "ReleaseHistory", "load_releases", "parse_version"]

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
    if records[0].archive is not None:
        raise DataError(f"the release to build, {records[0].version}, already has an archive",
                        where=records[0].where,
                        hint="add a new [[release]] above it for the next version")
    return ReleaseHistory(tuple(records), path)
