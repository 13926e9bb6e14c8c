"""The source texts are the shared ones, byte for byte; the manifest describes each document."""

from __future__ import annotations

import hashlib

import pytest

from policing_kg.errors import DataError
from policing_kg.extraction.sources import load_manifest

from ..conftest import ROOT, SHARED

SOURCES = ROOT / "data" / "sources"
# SHA-256 of the five texts as received (../shared/sources), so that a copy that drifts fails
# even where the shared folder is absent.
CHECKSUMS = {
    "000_9be6c647ac29f33b.txt": "4f93877913d40ba3865decf38c7a5cd64ec2746c2081359ebe1f805da8551c78",
    "001_3f3c6640f887d4bb.txt": "f5d98fcb6a0bde233e55ffa174745d2882c993716231f2925c4b1191c9cc9a6a",
    "002_68c0d7c7c8e935b1.txt": "a233b9fbf9c2d1a6c12de70e860d3cab65c5cd832426a820b35ca1b8db1f9576",
    "003_e490ac93ed8121c2.txt": "1b2637fe6725f00f15618027bbb6747263c04412dd6d799cdba712a7523ab17f",
    "004_da3c5f2f6630bbbe.txt": "e4a463733b28350dc7a06f440ec6bdc11dd73b80fc959169ceef7918d131188b",
}


@pytest.mark.parametrize("name", sorted(CHECKSUMS))
def test_source_texts_are_unchanged(name: str) -> None:
    data = (SOURCES / name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == CHECKSUMS[name]
    shared = SHARED / "sources" / name
    if shared.exists():
        assert shared.read_bytes() == data


def test_the_manifest_has_one_record_per_document() -> None:
    specs = load_manifest(SOURCES / "manifest.toml")
    assert [s.id for s in specs] == ["sf-2026", "gpg-2023", "oec-2022", "fcac-2022", "ct-2022",
                                     "cyber-2022"]
    assert {s.file for s in specs} == set(CHECKSUMS)
    glued = [s for s in specs if s.file == "002_68c0d7c7c8e935b1.txt"]
    assert [(s.id, s.lines, s.language) for s in glued] == [
        ("fcac-2022", (1, 23), "en"), ("ct-2022", (24, 189), "fr")]
    for spec in specs:
        assert spec.title["fr"] and spec.title["en"] and spec.publisher == "INTERPOL"
        assert spec.period or spec.date
        assert all(rule.reason for rule in spec.ignore)


def test_a_manifest_with_an_unknown_key_is_refused(tmp_path: object) -> None:
    path = tmp_path / "manifest.toml"  # type: ignore[operator]
    text = (SOURCES / "manifest.toml").read_text("utf-8").replace(
        'id = "sf-2026"', 'id = "sf-2026"\nconverterr = "x"', 1)
    path.write_text(text, "utf-8")
    with pytest.raises(DataError, match="unknown key\\(s\\) converterr"):
        load_manifest(path)
