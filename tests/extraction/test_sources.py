"""The source texts are the shared ones, byte for byte; the manifest describes each document."""

from __future__ import annotations

import hashlib

import pytest

from policing_kg.common.datafiles import load_toml
from policing_kg.errors import DataError
from policing_kg.extraction.sources import load_manifest

from ..conftest import ROOT, SHARED
from ..corpus import check_sources

SOURCES = ROOT / "data" / "sources"
#: SHA-256 of the texts as received (../shared/sources), so that a copy that drifts fails even
#: where the shared folder is absent: tests/expected/sources.toml (new-document adds a line).
CHECKSUMS = load_toml(ROOT / "tests" / "expected" / "sources.toml")


@pytest.mark.parametrize("name", sorted(CHECKSUMS))
def test_source_texts_are_unchanged(name: str) -> None:
    data = (SOURCES / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == CHECKSUMS[name]
    shared = SHARED / "sources" / name
    if shared.exists():
        assert shared.read_bytes() == data


def test_the_manifest_has_one_record_per_document() -> None:
    check_sources(ROOT)


def test_a_file_may_hold_several_documents() -> None:
    """002 holds two, each its own lines and language (the layout of the real corpus)."""
    glued = [s for s in load_manifest(SOURCES / "manifest.toml") if s.lines]
    assert glued and all(s.lines[0] <= s.lines[1] for s in glued if s.lines)
    for name in {s.file for s in glued}:
        parts = sorted(s.lines for s in glued if s.file == name and s.lines)
        assert all(a[1] < b[0] for a, b in zip(parts, parts[1:], strict=False)), name


def test_a_manifest_with_an_unknown_key_is_refused(tmp_path: object) -> None:
    path = tmp_path / "manifest.toml"  # type: ignore[operator]
    text = (SOURCES / "manifest.toml").read_text("utf-8").replace(
        'id = "sf-2026"', 'id = "sf-2026"\nconverterr = "x"', 1)
    path.write_text(text, "utf-8")
    with pytest.raises(DataError, match="unknown key\\(s\\) converterr"):
        load_manifest(path)
