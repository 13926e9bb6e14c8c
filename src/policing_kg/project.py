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


def locate_project(given: Path | None = None) -> Project:
    """Return the project to work on.

    That is the one given; else the current directory if it is a checkout; else the copy of
    the project's files shipped inside an installed package.
    """
    if given is not None:
        return Project(given)
    here = Project(Path.cwd())
    if here.manifest.is_file():
        return here
    bundled = Project(Path(__file__).resolve().parent / "_project")
    return bundled if bundled.manifest.is_file() else here
