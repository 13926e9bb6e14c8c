"""Build hook: ship the project's data (ontology, shapes, queries, sources) inside the package.

An installed policing-kg (pre-commit, the GitHub Action, pip) can then validate and build
without a checkout; in a checkout, the checkout's own files are used.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PROJECT_FOLDERS = ("ontology", "shapes", "queries", "data", "releases")


class BuildWithProjectData(build_py):
    """Copy the project folders into ``policing_kg/_project`` of the build."""

    def run(self) -> None:
        super().run()
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "policing_kg" / "_project"
        shutil.rmtree(target, ignore_errors=True)  # no file left over from an earlier build
        for folder in PROJECT_FOLDERS:
            if (root / folder).is_dir():
                shutil.copytree(root / folder, target / folder,
                                ignore=shutil.ignore_patterns("__pycache__", ".*"))


setup(cmdclass={"build_py": BuildWithProjectData})
