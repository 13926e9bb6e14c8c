"""The release ``serve`` answers, and how it follows a new one built into the same folder.

A release is complete when its site was written from it: the site's ``SHA256SUMS`` lists the
copy of the release's own ``SHA256SUMS`` (``release/VERSION/SHA256SUMS``) with that file's
SHA-256. ``policing-kg build`` keeps the previous site until ``policing-kg site`` writes the
new one, so between the two the folder is not complete, and the server goes on answering the
release it has.

Each release served is a :class:`Generation`: a snapshot of the folder (hard links, so it
costs no space and outlives the folder's replacement), its query workers, and its in-memory
caches. The :class:`Follower` looks at the folder twice a second (two ``stat`` calls); when a
new complete release is there, it takes a snapshot, starts that release's workers, and only
then switches one reference: pages, files and ``/sparql`` change together, and no request
meets a missing file. The previous workers finish the queries they run, then stop; the
previous snapshot is removed.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policing_kg.common.files import SITE, link_tree, parse_sums
from policing_kg.errors import PolicingKGError
from policing_kg.web.sparql import Limits, QueryPool

__all__ = ["Generation", "Follower", "release_of", "POLL_SECONDS"]

#: How often the folder is looked at for a new release.
POLL_SECONDS = 0.5
#: How long the files of a release no longer served stay (answers being sent read them).
GRACE_SECONDS = 30.0


@dataclass(frozen=True)
class Identity:
    """A complete release: its version and the SHA-256 of its and its site's SHA256SUMS."""

    version: str
    sums: str
    site_sums: str

    def describe(self) -> str:
        """Name the release for the log: its version, the start of its checksums' SHA-256."""
        return f"release {self.version} (SHA256SUMS {self.sums[:12]})"


def release_of(dist: Path) -> Identity:
    """Return the complete release in a folder, or say in one line why it is not one."""
    site = dist / SITE
    try:
        sums = (dist / "SHA256SUMS").read_bytes()
    except OSError:
        raise PolicingKGError("no release here (no SHA256SUMS)", where=str(dist),
                              hint="run `policing-kg build` (or `make`) first") from None
    try:
        site_sums = (site / "SHA256SUMS").read_bytes()
        if not (site / "index.html").is_file():
            raise OSError
    except OSError:
        raise PolicingKGError("the release has no site", where=str(site),
                              hint="run `policing-kg site` (or `make`) first") from None
    digest = hashlib.sha256(sums).hexdigest()
    try:
        listed = parse_sums(site_sums)
    except ValueError:
        raise PolicingKGError("the site's SHA256SUMS is damaged", where=str(site),
                              hint="write the site again with `policing-kg site`") from None
    for name, value in listed.items():
        parts = name.split("/")
        if len(parts) == 3 and parts[0] == "release" and parts[2] == "SHA256SUMS" \
                and value == digest:
            return Identity(parts[1], digest, hashlib.sha256(site_sums).hexdigest())
    raise PolicingKGError("the site is of another build than the release beside it",
                          where=str(site), hint="run `policing-kg site` to write the "
                          "release's own site")


def marker(dist: Path) -> tuple[int, ...]:
    """Return what changes when a release or its site is swapped in (two ``stat`` calls)."""
    key: list[int] = []
    for path in (dist / "SHA256SUMS", dist / SITE / "SHA256SUMS"):
        try:
            found = path.stat()
            key += [found.st_ino, found.st_mtime_ns, found.st_size]
        except OSError:
            key += [-1, -1, -1]
    return tuple(key)


def snapshot(dist: Path) -> tuple[Path, Identity] | None:
    """Link a complete release into a folder of its own; None if it changed meanwhile."""
    before = marker(dist)
    identity = release_of(dist)
    folder = None
    for parent in (dist.parent, None):  # beside the release (links); else the temporary folder
        try:
            folder = Path(tempfile.mkdtemp(dir=parent,
                                           prefix=f".{dist.name}.serving-{os.getpid()}-")
                          ).resolve()
            break
        except OSError:
            continue
    if folder is None:
        raise PolicingKGError("cannot make a folder for the release served", where=str(dist),
                              hint="free some space in the temporary folder")
    try:
        link_tree(dist, folder)
        if marker(dist) != before or release_of(folder) != identity:
            shutil.rmtree(folder, ignore_errors=True)
            return None
    except (OSError, PolicingKGError):
        shutil.rmtree(folder, ignore_errors=True)
        if marker(dist) != before:
            return None
        raise
    return folder, identity


@dataclass
class Generation:
    """One release being served: its snapshot, its query workers, its caches."""

    folder: Path
    identity: Identity
    pool: QueryPool
    #: path -> (bytes, media type, ETag): the files already read
    files: dict[Path, tuple[bytes, str, str]] = field(default_factory=dict)
    #: URL path -> (body, headers): the answers sent straight from memory
    raw: dict[str, tuple[bytes, list[tuple[bytes, bytes]]]] = field(default_factory=dict)
    cache_size: int = 0
    #: the search index, read at the first search
    index: list[list[dict[str, Any]]] = field(default_factory=list)

    @property
    def site(self) -> Path:
        """The site's folder in the snapshot."""
        return self.folder / SITE


class Follower:
    """The release served now, and the switch to a new one (see the module's docstring)."""

    def __init__(self, dist: Path, *, workers: int, limits: Limits | None,
                 log: Callable[[str], None] = print) -> None:
        self.dist = dist
        self.workers = workers
        self.limits = limits
        self.log = log
        self._current: Generation | None = None
        self._seen: tuple[int, ...] | None = None
        self._waiting: Identity | str | None = None
        self._task: asyncio.Task[None] | None = None
        self._retiring: dict[asyncio.Task[None], Generation] = {}

    @property
    def current(self) -> Generation:
        """The release answered now."""
        assert self._current is not None, "start() first"
        return self._current

    async def _load(self) -> Generation | None:
        loop = asyncio.get_running_loop()
        taken = await loop.run_in_executor(None, snapshot, self.dist)
        if taken is None:
            return None
        folder, identity = taken
        from policing_kg.common.store import DUMP

        pool = QueryPool(folder / DUMP, workers=self.workers, limits=self.limits)
        try:
            await pool.start()
        except BaseException:
            pool.stop()
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return Generation(folder, identity, pool)

    async def start(self) -> None:
        """Load the release there is now (it must be complete), then follow the folder."""
        from policing_kg.common.files import clean_stale

        clean_stale(self.dist)  # the snapshots of servers that were killed
        while self._current is None:  # None: a build swapped a folder in meanwhile
            self._seen = marker(self.dist)
            self._current = await self._load()
            if self._current is None:
                await asyncio.sleep(POLL_SECONDS)
        self.log(f"serving {self.current.identity.describe()}; a new build into "
                 f"{self.dist} is served once `policing-kg site` has written its site")
        self._task = asyncio.ensure_future(self._watch())

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            key = marker(self.dist)
            if key == self._seen:
                continue
            try:
                await self._follow(key)
            except Exception as exc:  # noqa: BLE001 - the server goes on with what it has
                line = exc.line() if isinstance(exc, PolicingKGError) else repr(exc)
                self.log(f"still serving {self.current.identity.describe()}: the new build "
                         f"cannot be served ({line})")
                self._seen = key

    async def _follow(self, key: tuple[int, ...]) -> None:
        try:
            identity = release_of(self.dist)
        except PolicingKGError as exc:  # a build whose site is not written yet, most often
            self._seen = key
            if self._waiting != exc.what:
                self._waiting = exc.what
                self.log(f"still serving {self.current.identity.describe()}: {exc.line()}")
            return
        if identity == self.current.identity:  # the same bytes written again
            self._seen = key
            return
        generation = await self._load()
        if generation is None:  # the folder changed while it was linked: look again
            return
        self._seen = key
        self._waiting = None
        previous, self._current = self._current, generation
        self.log(f"now serving {generation.identity.describe()}: pages, files and /sparql")
        assert previous is not None
        task = asyncio.ensure_future(self._retire(previous, GRACE_SECONDS))
        self._retiring[task] = previous
        task.add_done_callback(lambda done: self._retiring.pop(done, None))

    @staticmethod
    async def _retire(generation: Generation, grace: float) -> None:
        await generation.pool.retire()
        await asyncio.sleep(grace)
        # thousands of links: removed beside the server, not in its way
        await asyncio.get_running_loop().run_in_executor(None, shutil.rmtree, generation.folder,
                                                         True)

    async def stop(self) -> None:
        """Stop following; stop every worker; remove the snapshots."""
        generations = list(self._retiring.values())
        for task in (self._task, *self._retiring):
            if task is not None:
                task.cancel()
        if self._current is not None:
            generations.append(self._current)
        for generation in generations:
            generation.pool.stop()
            shutil.rmtree(generation.folder, ignore_errors=True)
