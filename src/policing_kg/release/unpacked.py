"""A release archive (``policing-kg-VERSION.tar.gz``) as a release folder, for ``--dist``.

The archive is checked against the ``.sha256`` file beside it where there is one, else against
the SHA-256 that a ``releases.toml`` beside it records for it (a checkout's ``releases/``). It
is read with the archive reader's defences (one folder of regular files, no path leaving it, at
most 1 GB unpacked, every file matching the release's ``SHA256SUMS``:
:func:`.archive.read_archive`), and unpacked once into a cache folder named by its SHA-256:
``$POLICING_KG_CACHE``, else ``$XDG_CACHE_HOME/policing-kg``, else ``~/.cache/policing-kg``;
where none can be written, a temporary folder removed at exit.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from policing_kg.common.files import FILE_MODE, is_release
from policing_kg.errors import PolicingKGError
from policing_kg.release.archive import MAX_ARCHIVE_BYTES, read_archive

__all__ = ["Unpacked", "unpack_release", "cache_folder", "UNPACKED"]

#: The folders this process unpacked archives into (``serve`` writes their site there).
UNPACKED: set[Path] = set()


@dataclass(frozen=True)
class Unpacked:
    """Where an archive's release was unpacked, and whether a ``.sha256`` or a record checked it."""

    folder: Path
    sha256: str
    checked: bool


def cache_folder() -> Path:
    """Return the folder that keeps unpacked releases (see the module's docstring)."""
    given = os.environ.get("POLICING_KG_CACHE")
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "policing-kg"


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                size += len(block)
                if size > MAX_ARCHIVE_BYTES:
                    raise PolicingKGError("the archive is larger than 1 GB", where=str(path),
                                          hint="give a release archive")
                digest.update(block)
    except OSError as exc:
        raise PolicingKGError(f"cannot read the archive ({exc.strerror})",
                              where=str(path)) from None
    return digest.hexdigest()


class _Expected(NamedTuple):
    """The SHA-256 an archive must have, what says so, and what to do if it has not."""

    sha256: str
    source: str
    hint: str


def _expected(path: Path) -> _Expected | None:
    """Return what the archive must be; None where nothing says."""
    sidecar = path.with_name(path.name + ".sha256")
    if not sidecar.is_file():
        return _recorded(path)
    try:
        words = sidecar.read_text("utf-8").split()
    except (OSError, UnicodeDecodeError):
        words = []
    if not words or len(words[0]) != 64:
        raise PolicingKGError("the archive's .sha256 is damaged", where=str(sidecar),
                              hint="download it again with the archive")
    return _Expected(words[0].lower(), "its .sha256 file",
                     "download the archive (and its .sha256) again")


def _recorded(path: Path) -> _Expected | None:
    """Return the SHA-256 a ``releases.toml`` beside the archive records for it, if any."""
    record = path.with_name("releases.toml")
    if not record.is_file():
        return None
    from policing_kg.curation.releases import load_releases

    for release in load_releases(record).releases:
        if release.archive == path.name and release.sha256 is not None:
            return _Expected(release.sha256, f"its record in {record}",
                             f"restore the published archive: git checkout -- {path}")
    return None


def _write(files: dict[str, bytes], target: Path) -> None:
    """Write the files into a new folder beside ``target``, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.staging-"))
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
            (staging / name).chmod(FILE_MODE)
        staging.chmod(0o755)
        try:
            os.rename(staging, target)
        except OSError:
            if not is_release(target):  # another process unpacked it meanwhile, or not
                raise
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def unpack_release(path: Path) -> Unpacked:
    """Return the release folder of an archive, unpacked once (see the module's docstring)."""
    if not path.name.endswith(".tar.gz"):
        raise PolicingKGError("not a release folder, nor a release archive (.tar.gz)",
                              where=str(path), hint="give --dist a release folder (dist/) or "
                              "its archive, policing-kg-VERSION.tar.gz")
    digest = _digest(path)
    expected = _expected(path)
    if expected is not None and expected.sha256 != digest:
        raise PolicingKGError(f"the archive does not match the SHA-256 of {expected.source} (cut "
                              "short or changed)", where=str(path), hint=expected.hint)
    target = cache_folder() / "releases" / digest
    if is_release(target):
        UNPACKED.add(target)
        return Unpacked(target, digest, expected is not None)
    files = read_archive(path, digest)  # the files its SHA256SUMS lists, each checked
    files["SHA256SUMS"] = "".join(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n"
                                  for name in sorted(files)).encode()
    try:
        _write(files, target)
    except OSError:  # the cache cannot be written: a temporary folder, removed at exit
        temporary = Path(tempfile.mkdtemp(prefix="policing-kg-release-"))
        atexit.register(shutil.rmtree, temporary, True)
        target = temporary / digest
        try:
            _write(files, target)
        except OSError as exc:
            from policing_kg.common.files import os_error

            raise os_error(exc, temporary, "cannot unpack the archive") from None
    UNPACKED.add(target)
    return Unpacked(target, digest, expected is not None)
