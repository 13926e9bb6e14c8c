"""Where a checkout (or the copy installed with the package) keeps the project's inputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from policing_kg.errors import PolicingKGError

__all__ = ["Project", "locate_project"]


@dataclass(frozen=True)
class Project:
    """Where a checkout keeps its inputs."""

    root: Path

    @property
    def data(self) -> Path:
        """``data/``: sources, labels, curation."""
        return self.root / "data"

    @property
    def sources(self) -> Path:
        """``data/sources/``: the source texts and their manifest."""
        return self.data / "sources"

    @property
    def manifest(self) -> Path:
        """The manifest of documents."""
        return self.sources / "manifest.toml"

    @property
    def ontology(self) -> Path:
        """The OWL ontology."""
        return self.root / "ontology" / "policing-kg.ttl"

    @property
    def releases(self) -> Path:
        """The release record (``releases/releases.toml``; the published archives beside it)."""
        return self.root / "releases" / "releases.toml"

    @property
    def glossary(self) -> Path:
        """The translators' glossary: one term in each language for each recurring term."""
        return self.data / "labels" / "glossary.toml"

    @property
    def sdg_table(self) -> Path:
        """The project's table of SDG goals and targets."""
        return self.data / "sdg" / "sdg-goals-targets.toml"

    @property
    def shapes(self) -> Path:
        """The SHACL shapes folder."""
        return self.root / "shapes"

    @property
    def queries(self) -> Path:
        """The stored queries folder."""
        return self.root / "queries"

    def check(self) -> None:
        """Fail with one line when this is not a policing-kg checkout."""
        if not self.manifest.is_file():
            raise PolicingKGError("not a policing-kg project (no data/sources/manifest.toml)",
                                  where=str(self.root),
                                  hint="run from the checkout or pass --project DIR")


def _candidates() -> list[tuple[str, Path]]:
    """Where a project is looked for, in order, when none is given."""
    package = Path(__file__).resolve().parent
    return [("the current folder", Path.cwd()),
            ("the copy installed with the package", package / "_project"),
            ("the checkout the package runs from", package.parent.parent)]


def locate_project(given: Path | None = None) -> Project:
    """Return the project to work on.

    That is the one given; else the current directory if it is a checkout; else the copy of
    the project's files shipped inside an installed package (or, for an editable install, the
    checkout its code comes from). Where none is found, one line says where it looked: an
    empty list of stored queries would be a wrong answer.
    """
    if given is not None:
        project = Project(given)
        if not project.manifest.is_file():
            raise PolicingKGError("not a policing-kg project (no data/sources/manifest.toml)",
                                  where=str(given), hint="pass --project the checkout's "
                                  "folder, or leave it out to use the copy installed with "
                                  "the package")
        return project
    candidates = _candidates()
    for _, root in candidates:
        if Project(root).manifest.is_file():
            return Project(root)
    looked = "; ".join(f"{what} {root}" for what, root in candidates)
    raise PolicingKGError(f"no policing-kg project found (looked for data/sources/manifest.toml "
                          f"in {looked})", hint="run from the checkout, pass --project DIR, or "
                          "install the package from its wheel (it ships the queries, shapes "
                          "and ontology)")
