"""Writing files and folders so that nothing is lost or half-written.

- :func:`write_atomically` writes a file through a temporary sibling renamed into place;
- :func:`swap_in` replaces a folder by a fresh one in one step (Linux's ``renameat2`` with
  ``RENAME_EXCHANGE``: there is no moment without a complete folder), and removes the old one;
- :func:`clean_stale` removes the staging folders of builds that were killed;
- :func:`check_release_target` refuses a release folder that would replace anything else:
  the checkout, a folder that holds it, one of its input folders, or a folder that is not a
  release the program wrote;
- every OS error (a full disk, a read-only file system, ``ulimit -f``) is one line.

File modes do not depend on the umask: release files are 0644, folders 0755.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from policing_kg.errors import PolicingKGError

__all__ = ["write_atomically", "swap_in", "clean_stale", "check_release_target",
           "os_error", "staging_folder", "FILE_MODE", "FOLDER_MODE"]

FILE_MODE = 0o644
FOLDER_MODE = 0o755
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
#: A checkout's folders that a release may never be written into (or replace).
INPUT_FOLDERS = ("data", "ontology", "shapes", "queries", "releases", "src", "tests", "bench",
                 "docs", ".git", ".ci")


def os_error(exc: OSError, where: Path | str, what: str = "cannot write") -> PolicingKGError:
    """One line for an OS error, with what to do about the usual ones."""
    hints = {errno.ENOSPC: "free some space", errno.EDQUOT: "free some space (quota)",
             errno.EROFS: "the file system is read-only: write elsewhere (--dist)",
             errno.EACCES: "check the folder's permissions, or write elsewhere (--dist)",
             errno.EPERM: "check the folder's permissions, or write elsewhere (--dist)",
             errno.EFBIG: "the file size limit (ulimit -f) is too small"}
    code = exc.errno
    reason = exc.strerror
    if code is None:  # pyoxigraph's errors carry the number in their text only
        found = re.search(r"\(os error (\d+)\)", str(exc))
        code = int(found.group(1)) if found else None
        reason = os.strerror(code) if code else (" ".join(str(exc).split())[:120]
                                                 or type(exc).__name__)
    return PolicingKGError(f"{what} ({reason})", where=str(getattr(exc, "filename", None) or where),
                           hint=hints.get(code or 0, "check the disk and the folder"))


def write_atomically(path: Path, write: Callable[[Path], None], mode: int = FILE_MODE) -> None:
    """Write a file through a temporary sibling and rename it into place (or leave it as it was)."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                             suffix=".tmp")
        os.close(handle)
    except OSError as exc:
        raise os_error(exc, path) from None
    try:
        write(Path(temporary))
        os.chmod(temporary, mode)  # mkstemp makes it private; the umask plays no part
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise os_error(exc, path) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def staging_folder(target: Path) -> Path:
    """Make a new, empty sibling of ``target`` to write a release into (named with our pid)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=target.parent,
                                       prefix=f".{target.name}.staging-{os.getpid()}-"))
        folder.chmod(FOLDER_MODE)
    except OSError as exc:
        raise os_error(exc, target.parent) from None
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(target: Path) -> list[Path]:
    """Remove the staging and old folders that killed builds (or servers) left beside ``target``."""
    removed: list[Path] = []
    if not target.parent.is_dir():
        return removed
    for kind in ("staging", "old", "serving"):
        for folder in target.parent.glob(f".{target.name}.{kind}-*"):
            pid_text = folder.name.removeprefix(f".{target.name}.{kind}-").split("-", 1)[0]
            if pid_text.isdigit() and _alive(int(pid_text)) and int(pid_text) != os.getpid():
                continue  # a build that is running now
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False where the system cannot (then rename twice)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(staging: Path, target: Path) -> None:
    """Put ``staging`` in the place of ``target`` (a folder), the old one removed after."""
    try:
        if not target.exists():
            os.rename(staging, target)
            return
        if _exchange(staging, target):
            shutil.rmtree(staging, ignore_errors=True)  # it holds the old release now
            return
        old = Path(f"{staging}".replace(".staging-", ".old-"))
        os.rename(target, old)
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise os_error(exc, target) from None


def link_tree(source: Path, target: Path) -> int:
    """Copy a folder's tree (its hidden folders left out: builds' staging) by hard links.

    The links cost no space and keep the files' bytes whatever later replaces the folder:
    a release's files are never changed in place, only swapped in as a whole folder.
    Where a link cannot be made (another file system), the file is copied. Returns the
    number of files.
    """
    count = 0
    for folder, names, files in os.walk(source):
        names[:] = [name for name in names if not name.startswith(".")]
        into = target / Path(folder).relative_to(source)
        into.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        for name in files:
            try:
                os.link(Path(folder) / name, into / name)
            except OSError:  # another file system, or links refused: a copy
                shutil.copy2(Path(folder) / name, into / name)
            count += 1
    return count


def is_release(folder: Path) -> bool:
    """Whether a folder is a release this program wrote: SHA256SUMS lists exactly its files.

    A ``site/`` it may hold is a site this program wrote, with its own SHA256SUMS; the
    release's archive and its checksum file sit beside the files they hold.
    """
    sums = folder / "SHA256SUMS"
    try:
        listed = {line.split(None, 1)[1].strip() for line in
                  sums.read_text("utf-8").splitlines() if line.strip()}
        present = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
    except (OSError, IndexError, UnicodeDecodeError):
        return False
    if SITE in present and (folder / SITE / "SHA256SUMS").is_file():
        present.discard(SITE)
    present = {name for name in present if not is_archive_name(name)}
    return present == listed | {"SHA256SUMS"}


def parse_sums(data: bytes) -> dict[str, str]:
    r"""Read a ``SHA256SUMS`` file (``sha256sum`` format): file name -> digest.

    ``ValueError`` when a line is not a lower-case SHA-256, two spaces and a name.

    >>> parse_sums(b"%s  void.ttl\n" % (b"0" * 64))
    {'void.ttl': '0000000000000000000000000000000000000000000000000000000000000000'}
    """
    listed: dict[str, str] = {}
    for line in data.decode("utf-8", "replace").splitlines():
        match = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line)
        if match is None:
            raise ValueError(f"not a SHA256SUMS line: {line[:80]!r}")
        listed[match.group(2)] = match.group(1)
    return listed


def is_archive_name(name: str) -> bool:
    """Whether a release file is its archive or the archive's checksum (not in SHA256SUMS)."""
    return name.startswith("policing-kg-") and (name.endswith(".tar.gz")
                                                or name.endswith(".tar.gz.sha256"))


#: The folder of a release that holds its static site (``policing-kg site``).
SITE = "site"


def check_release_target(target: Path, checkout: Path | None) -> Path:
    """Refuse a release folder that would replace or write into anything but a release."""
    target = target.resolve()
    if checkout is not None:
        root = checkout.resolve()
        if target == root or root.is_relative_to(target):
            raise PolicingKGError("the release would replace the checkout (or a folder that "
                                  "holds it)", where=str(target),
                                  hint="give --dist a folder of its own, e.g. dist/")
        for name in INPUT_FOLDERS:
            if target.is_relative_to(root / name):
                raise PolicingKGError(f"the release would be written into the checkout's "
                                      f"{name}/", where=str(target),
                                      hint="give --dist a folder of its own, e.g. dist/")
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise PolicingKGError("not a folder", where=str(target),
                              hint="give --dist a new or empty folder, or an earlier release")
    if target.is_dir():
        try:
            entries = [p.name for p in target.iterdir()]
        except OSError as exc:
            raise os_error(exc, target, "cannot read it") from None
        if entries and not is_release(target):
            shown = ", ".join(sorted(entries)[:3]) + ("…" if len(entries) > 3 else "")
            raise PolicingKGError(f"the folder holds files that are not a release ({shown}); "
                                  "it would be replaced", where=str(target),
                                  hint="give --dist a new or empty folder, or an earlier release")
    return target


__all__ += ["link_tree", "is_release", "is_archive_name", "parse_sums", "INPUT_FOLDERS", "SITE"]
