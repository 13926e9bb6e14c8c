"""The embedded store: a release's N-Quads dump in pyoxigraph, for queries and the crosswalks."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from policing_kg.common.reading import read_dump
from policing_kg.errors import PolicingKGError

__all__ = ["open_store", "DUMP"]

#: The dump the embedded store is loaded from (the one with the named graphs).
DUMP = "policing-kg.nq"


def open_store(dist: Path) -> ox.Store:
    """Load the release's N-Quads dump (checked against SHA256SUMS) into a new store."""
    dump = dist / DUMP
    if not dump.is_file():
        raise PolicingKGError("no release to query", where=str(dump),
                              hint="run `policing-kg build` (or `make`) first, or give the "
                              "release with --dist FOLDER|ARCHIVE")
    store = ox.Store()
    store.bulk_extend(read_dump(dump))
    return store
