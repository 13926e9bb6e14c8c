"""Synthetic graphs of the project's own shape, for the benchmark.

The real release is the template: each of its six documents (items, statements, outcomes,
fr/en labels, provenance spans), their translations, editorial decisions and mappings (to
goals, themes and SDG targets, with their SSSOM records) is copied ``k`` times under new
document ids (``oec-2022`` -> ``oec-c7-2022``). The ontology, the SDG table and the stored
queries stay single. One copy in ten gets three known violations:

* an objective loses its ``pkg:position`` (a core count constraint),
* an objective ``pkg:serves`` a theme (a core class constraint),
* an objective and one of its outcomes form a ``skos:broader`` cycle (a SHACL-SPARQL
  constraint; the objective, now under an item, also breaks a core constraint).

The output is N-Quads with the layers as named graphs, deterministic for given inputs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

DOCUMENTS = ("sf-2026", "gpg-2023", "oec-2022", "fcac-2022", "ct-2022", "cyber-2022")
_DOC = re.compile(r"(?<=/)(" + "|".join(re.escape(d) for d in DOCUMENTS) + r")(?=[/>#])")
_GRAPH = "https://w3id.org/policing-kg/graph/"
_ID = "https://w3id.org/policing-kg/id/"
_PKG = "https://w3id.org/policing-kg/ontology#"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
#: graphs kept once (not copied); the benchmark leaves ``inferred`` out when it infers again
_SINGLE = ("ontology", "queries")
_SKIP: tuple[str, ...] = ()
#: one copy in this many carries the injected violations
INJECT_EVERY = 10


@dataclass(frozen=True)
class Synthetic:
    """A generated graph: where it is, its size, and what was injected."""

    path: Path
    quads: int
    copies: int
    injected_copies: int


def _split(template: Path) -> tuple[list[str], list[str]]:
    """Return (lines kept once, lines to copy) of the release's N-Quads."""
    single, copied = [], []
    for line in template.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        graph = line.rsplit(" ", 2)[-2] if line.endswith(" .") else ""
        name = graph.strip("<>").removeprefix(_GRAPH)
        if name in _SKIP:
            continue
        if name in _SINGLE or not _DOC.search(line):
            single.append(line)
        else:
            copied.append(line)
    return single, copied


def copies_for(target: int, template: Path) -> int:
    """How many copies make a graph of about ``target`` quads."""
    single, copied = _split(template)
    return max(1, math.ceil((target - len(single)) / max(1, len(copied))))


def _copy(document: str, k: int) -> str:
    """Return the id of copy ``k`` of a document, still a valid document id: ``oec-c7-2022``."""
    name, year = document.rsplit("-", 1)
    return document if k == 0 else f"{name}-c{k}-{year}"


def _injected(k: int) -> list[str]:
    def iri(path: str) -> str:
        return f"<{_ID}{path}>"

    oec, gpg = _copy("oec-2022", k), _copy("gpg-2023", k)
    graph = f"<{_GRAPH}document/{oec}>"
    return [
        f"{iri(oec + '/objective/1')} <{_PKG}serves> {iri(gpg + '/theme/1')} <{_GRAPH}mappings> .",
        # oec-2022's outcome 1 is under objective 4: close the loop
        f"{iri(oec + '/objective/4')} <{_SKOS}broader> {iri(oec + '/outcome/1')} {graph} .",
    ]


def generate(template: Path, out: Path, target: int, *, faults: bool = True,
             contribution: bool = False) -> Synthetic:
    """Write a synthetic graph of about ``target`` quads to ``out`` (N-Quads).

    Without ``faults``, no violation is injected (the reasoner needs a consistent graph). As a
    ``contribution``, only the copies are written, under new ids (the published graph holds the
    ontology, the SDG table and the queries): what a contributor's whole collection would be.
    """
    single, copied = _split(template)
    copies = copies_for(target, template)
    position = re.compile(r"^<" + re.escape(_ID) + r"oec-2022/objective/2> <" + re.escape(_PKG)
                          + r"position> ")
    count, injected = 0, 0
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        for line in [] if contribution else single:
            handle.write(line + "\n")
            count += 1
        for k in range(1, copies + 1) if contribution else range(copies):
            inject = faults and k % INJECT_EVERY == (1 if contribution else 0)
            for line in copied:
                if inject and position.match(line):
                    continue  # the injected missing position
                handle.write(_DOC.sub(lambda m: _copy(m.group(1), k), line) + "\n")  # noqa: B023
                count += 1
            if inject:
                injected += 1
                for line in _injected(k):
                    handle.write(line + "\n")
                    count += 1
    temporary.replace(out)
    return Synthetic(out, count, copies, injected)
