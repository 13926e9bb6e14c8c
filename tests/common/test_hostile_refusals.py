"""Two hostile inputs that once ended in a traceback (issue 19), each now one line and exit 2:
RDF/XML that declares an encoding other than UTF-8 (expat raised ``multi-byte encodings are not
supported`` on UTF-7), and an ``sdg import`` URL that is not a valid IRI (a double quote: rdflib
warned, then pyoxigraph raised ``Invalid IRI code point``). Each runs in a subprocess under the
no-network hook, as ``policing-kg`` would, with the worktree's code first."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import URIRef

from policing_kg.common.reading import InputError, check_structure
from policing_kg.common.terms import to_oxigraph
from policing_kg.errors import PolicingKGError

from .. import servers
from ..conftest import ROOT, copy_project

HOSTILE = ROOT / "tests" / "hostile"


def run(*args: str) -> tuple[int, str, str]:
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), str(ROOT),
                                         os.environ.get("PYTHONPATH", "")]))
    process = subprocess.run([sys.executable, "-m", "tests.no_network", *args], cwd=ROOT,
                             capture_output=True, text=True, timeout=120,
                             env={**os.environ, "PYTHONPATH": path})
    return process.returncode, process.stdout, process.stderr


def one_line(code: int, out: str, err: str, *words: str) -> None:
    assert "Traceback" not in out + err and "Warning" not in err, err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    for word in words:
        assert word in err, err


def test_rdf_xml_declaring_utf_7_is_one_line(tmp_path: Path) -> None:
    code, out, err = run("validate", str(HOSTILE / "utf7-declared.rdf"), "--project", str(ROOT),
                         "--dist", str(tmp_path / "no-dist"))
    one_line(code, out, err, "utf7-declared.rdf:1:31:", 'declares encoding="UTF-7"',
             "only UTF-8 is read", "save the file as UTF-8")
    assert out == ""


@pytest.mark.parametrize("declaration", [
    '<?xml version="1.0" encoding="UTF-16"?>', "<?xml version='1.0' encoding='utf-32'?>",
    '<?xml version="1.0" encoding = "ISO-8859-1" standalone="yes"?>',
    '<?xml version="1.0" encoding="x-\x1b[31mred"?>',
])
def test_any_encoding_but_utf_8_is_refused(declaration: str) -> None:
    text = (HOSTILE / "utf7-declared.rdf").read_text("utf-8").replace(
        '<?xml version="1.0" encoding="UTF-7"?>', declaration)
    with pytest.raises(InputError, match="is refused \\(only UTF-8 is read\\)") as refused:
        check_structure("f.rdf", text, "RDF_XML")
    assert "\x1b" not in refused.value.line()


@pytest.mark.parametrize("declaration", ['<?xml version="1.0" encoding="UTF-8"?>',
                                         "<?xml version='1.0' encoding='utf8'?>",
                                         '<?xml version="1.0"?>', ""])
def test_utf_8_or_no_encoding_is_read(declaration: str) -> None:
    text = (HOSTILE / "utf7-declared.rdf").read_text("utf-8").replace(
        '<?xml version="1.0" encoding="UTF-7"?>\n', declaration + "\n" if declaration else "")
    check_structure("f.rdf", text, "RDF_XML")


@pytest.mark.parametrize(("url", "says"), [
    ('a"b', "holds '\"'"),
    ("a{b}", "holds '{'"),
    ("a%zz", "not a valid IRI (Invalid IRI percent encoding '%zz')"),
])
def test_sdg_import_of_a_url_that_is_no_iri_is_one_line(url: str, says: str,
                                                        tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    with servers.listener() as (port, received):
        code, out, err = run("sdg", "import", f"http://127.0.0.1:{port}/{url}", "--timeout", "5",
                             "--project", str(project))
        time.sleep(0.3)
    one_line(code, out, err, says, "percent-encode")
    assert received == []  # refused before any request
    assert not (project / "imported").exists()


def test_the_term_converter_refuses_an_invalid_iri_in_one_line() -> None:
    with pytest.raises(PolicingKGError, match="is not a valid IRI") as refused:
        to_oxigraph(URIRef('http://example.org/a"b'))
    assert "%22" in refused.value.line()
