"""The release as one reproducible archive (``policing-kg-VERSION.tar.gz``) and its checksum.

The same release gives the same bytes: members sorted, under one folder, owned by 0:0 with
mode 0644, dated the release's day (not the clock); USTAR headers; a gzip header without a
name or time. The archive's SHA-256 is in ``policing-kg-VERSION.tar.gz.sha256`` beside it
(``sha256sum -c`` reads it); it cannot be in ``SHA256SUMS``, which the archive holds.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import io
import tarfile
from pathlib import Path

from policing_kg.common.files import FILE_MODE, SITE, is_archive_name, parse_sums
from policing_kg.errors import PolicingKGError

__all__ = ["write_archive", "read_archive", "checked_files", "release_time"]


def release_time(date: datetime.date) -> int:
    """Return the archive's member time: midnight UTC of the release date, as a Unix time."""
    return int(datetime.datetime(date.year, date.month, date.day,
                                 tzinfo=datetime.timezone.utc).timestamp())


def write_archive(folder: Path, target: Path, prefix: str, mtime: int) -> str:
    """Write every file of the release folder (not the site) into ``target``; return its SHA-256."""
    members = sorted(p for p in folder.iterdir()
                     if p.is_file() and p.name != SITE and not is_archive_name(p.name))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path in members:
            data = path.read_bytes()
            info = tarfile.TarInfo(prefix + path.name)
            info.size, info.mtime, info.mode = len(data), mtime, FILE_MODE
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    compressed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, mtime=0,
                       compresslevel=9) as handle:
        handle.write(buffer.getvalue())
    data = compressed.getvalue()
    target.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    sidecar = target.with_name(target.name + ".sha256")
    sidecar.write_text(f"{digest}  {target.name}\n", encoding="utf-8")
    target.chmod(FILE_MODE)
    sidecar.chmod(FILE_MODE)
    return digest


#: The most an archive may hold when read back (the release is a few megabytes).
MAX_ARCHIVE_BYTES = 1 << 30


def read_archive(path: Path, sha256: str | None = None) -> dict[str, bytes]:
    """Read a release archive into memory: file name -> bytes, checked (:func:`checked_files`).

    ``sha256`` (the release record's) is compared first. Members other than regular files, or
    outside the archive's one folder, are refused; every file must match its SHA256SUMS.
    """
    hint = "download the release's archive again, or rebuild it"
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicingKGError(f"cannot read the archive ({exc.strerror})", where=str(path)) \
            from None
    if sha256 is not None and hashlib.sha256(raw).hexdigest() != sha256:
        raise PolicingKGError("the archive does not match the SHA-256 its release record gives",
                              where=str(path), hint="check the record's `sha256` (sha256sum of "
                              "the archive), or copy the archive again from its release")
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as tar:
            total, folders = 0, set()
            for member in tar:
                parts = member.name.rstrip("/").split("/")
                if member.isdir() and len(parts) == 1 and parts[0] not in ("", ".", ".."):
                    folders.add(parts[0])  # the archive's one folder, as tar(1) writes it
                    continue
                folders.add(parts[0])
                if not member.isfile() or len(parts) != 2 or len(folders) != 1 \
                        or {parts[0], parts[1]} & {"", ".", ".."}:
                    raise PolicingKGError(f"unexpected member {member.name!r}", where=str(path),
                                          hint="a release archive holds one folder of files")
                total += member.size
                if total > MAX_ARCHIVE_BYTES:
                    raise PolicingKGError("the archive unpacks to more than 1 GB",
                                          where=str(path))
                handle = tar.extractfile(member)
                assert handle is not None
                files[parts[1]] = handle.read()
    except (tarfile.TarError, EOFError, OSError, gzip.BadGzipFile) as exc:
        raise PolicingKGError(f"not a readable .tar.gz ({exc})", where=str(path), hint=hint) \
            from None
    return checked_files(files, path)


def checked_files(files: dict[str, bytes], where: Path) -> dict[str, bytes]:
    """Return the files a release's SHA256SUMS lists, each checked against it.

    The release is refused when its SHA256SUMS is missing or damaged, does not list the
    N-Quads dump, or does not match a file.
    """
    hint = "download the release again, or rebuild it (`policing-kg build`)"
    sums = files.get("SHA256SUMS")
    if sums is None:
        raise PolicingKGError("not a release: no SHA256SUMS", where=str(where), hint=hint)
    try:
        listed = parse_sums(sums)
    except ValueError:
        raise PolicingKGError("SHA256SUMS is damaged", where=str(where), hint=hint) from None
    if "policing-kg.nq" not in listed:
        raise PolicingKGError("SHA256SUMS does not list policing-kg.nq", where=str(where),
                              hint=hint)
    for name, digest in listed.items():
        if name not in files or hashlib.sha256(files[name]).hexdigest() != digest:
            raise PolicingKGError(f"{name} does not match its SHA-256 in SHA256SUMS (cut short "
                                  "or changed)", where=str(where), hint=hint)
    return {name: files[name] for name in listed}
