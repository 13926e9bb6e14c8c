"""The published graph as pyoxigraph quads, for the checks that read it with a contribution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from policing_kg.project import Project

__all__ = ["published_quads"]


def published_quads(project: Project, dist: Path) -> list[Any]:
    """Return the published graph: ``dist/policing-kg.nq``, or built now from the project.

    The dump is read without importing the assembly (the common case, and the cheap one).
    """
    from policing_kg.common.reading import read_dump

    dump = dist / "policing-kg.nq"
    if dump.is_file():
        return read_dump(dump)
    import pyoxigraph as ox

    from policing_kg.assembly.assemble import assemble
    from policing_kg.common.terms import to_oxigraph

    return [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
            for s, p, o, _ in assemble(project).dataset.quads((None, None, None, None))]
