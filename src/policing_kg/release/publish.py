"""Release files: the dumps, their checksums and a VoID/DCAT description, written atomically.

Every dump is written from one canonical order of the quads (graph layer, then subject,
predicate and object in natural order), so the same dataset gives byte-identical files
whatever the process or ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, Dataset, URIRef

from policing_kg.common.files import (
    FILE_MODE,
    SITE,
    clean_stale,
    link_tree,
    os_error,
    staging_folder,
    swap_in,
)
from policing_kg.common.iris import ID, PREFIXES
from policing_kg.common.sorting import natural_key
from policing_kg.common.terms import to_oxigraph

__all__ = ["DUMPS", "Release", "canonical_quads", "publish"]

#: Dump file name -> (pyoxigraph format, whether it keeps named graphs).
DUMPS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "policing-kg.ttl": (ox.RdfFormat.TURTLE, False),
    "policing-kg.nt": (ox.RdfFormat.N_TRIPLES, False),
    "policing-kg.trig": (ox.RdfFormat.TRIG, True),
    "policing-kg.nq": (ox.RdfFormat.N_QUADS, True),
    "policing-kg.jsonld": (ox.RdfFormat.JSON_LD, False),  # compacted: see release.jsonld
}
_RDF_TYPE = str(RDF.type)


@dataclass(frozen=True)
class Release:
    """What a publish wrote: each file's SHA-256, and the triple counts."""

    directory: Path
    checksums: dict[str, str]
    triples: int
    quads: int
    graph_triples: dict[str, int]


def canonical_quads(dataset: Dataset, graph_order: Sequence[URIRef]) -> list[ox.Quad]:
    """Return the dataset's quads in canonical order: graphs in ``graph_order``, then by term."""
    canonical = ox.Dataset()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        graph = URIRef(str(g if isinstance(g, URIRef) else getattr(g, "identifier", g)))
        canonical.add(ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o),  # type: ignore[arg-type]
                              ox.NamedNode(str(graph))))
    # blank nodes get the labels of W3C RDF Dataset Canonicalization (RDFC-1.0): the same
    # dataset gives the same labels, however it was built
    canonical.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return order_quads(canonical, graph_order)


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def order_quads(quads: Iterable[ox.Quad], graph_order: Sequence[URIRef]) -> list[ox.Quad]:
    """Sort quads canonically: graphs in ``graph_order``, then subject, predicate, object.

    Terms sort by kind (IRI, blank node, literal), then by text with numbers by value, then by
    language and datatype. The keys of repeated terms are computed once (a million quads sort
    in seconds).
    """
    rank = {str(graph): index for index, graph in enumerate(graph_order)}
    memo: dict[object, tuple[object, ...]] = {}

    def key(term: object) -> tuple[object, ...]:
        found = memo.get(term)
        if found is None:
            kind = type(term).__name__
            value = getattr(term, "value", "")
            if kind == "NamedNode":
                found = (0, natural_key(value), "")
            elif kind == "BlankNode":
                found = (1, natural_key(value), "")
            else:
                datatype = term.datatype.value  # type: ignore[attr-defined]
                datatype = "" if datatype in (_XSD_STRING, _LANG_STRING) else datatype
                found = (2, natural_key(value), f"{term.language or ''}|{datatype}")  # type: ignore[attr-defined]
            memo[term] = found
        return found

    def predicate_key(term: ox.NamedNode) -> tuple[object, ...]:
        return (0,) if term.value == _RDF_TYPE else (1, key(term)[1])

    rows = []
    for quad in quads:
        graph = getattr(quad.graph_name, "value", "")
        if graph not in rank:
            raise ValueError(f"a triple in an unexpected graph: {graph or 'the default graph'}")
        rows.append(((rank[graph], key(quad.subject), predicate_key(quad.predicate),
                      key(quad.object)), quad))
    rows.sort(key=lambda row: row[0])
    return [quad for _, quad in rows]


def _triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """Return the union of the graphs: each triple once, in canonical subject order."""
    seen: dict[tuple[str, str, str], ox.Triple] = {}
    for quad in quads:
        key = (str(quad.subject), str(quad.predicate), str(quad.object))
        seen.setdefault(key, quad.triple)
    memo: dict[str, tuple[str | int, ...]] = {}

    def natural(text: str) -> tuple[str | int, ...]:
        found = memo.get(text)
        if found is None:
            found = memo[text] = natural_key(text)
        return found

    def value(term: object) -> str:
        return str(getattr(term, "value", term))

    def sort_key(t: ox.Triple) -> tuple[object, ...]:
        p = t.predicate.value
        return (natural(value(t.subject)), (0,) if p == _RDF_TYPE else (1, natural(p)),
                natural(value(t.object)), str(t.object))
    return sorted(seen.values(), key=sort_key)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _void(metadata: Iterable[ox.Triple], base_url: str, checksums: dict[str, str],
          sizes: dict[str, int], triples: int, graph_triples: dict[str, int]) -> bytes:
    """Describe the release: the dataset description, and each file's size and SHA-256.

    Deterministic: no clock; the description's subjects in their first order, sorted within.
    """
    v, dcat, spdx, xsd = PREFIXES["void"], PREFIXES["dcat"], PREFIXES["spdx"], PREFIXES["xsd"]
    node = ox.NamedNode

    def count(value: int, datatype: str = "integer") -> ox.Literal:
        return ox.Literal(str(value), datatype=node(xsd + datatype))

    d = node(str(ID) + "dataset")
    triples_out: list[ox.Triple] = [*metadata, ox.Triple(d, node(v + "triples"), count(triples))]
    for name, n in sorted(graph_triples.items(), key=lambda kv: natural_key(kv[0])):
        triples_out.append(ox.Triple(node(name), node(v + "triples"), count(n)))
    for name in sorted(checksums):
        url, digest = node(base_url + name), node(f"{base_url}{name}#sha256")
        triples_out += [
            ox.Triple(url, node(dcat + "byteSize"), count(sizes[name], "nonNegativeInteger")),
            ox.Triple(url, node(spdx + "checksum"), digest),
            ox.Triple(digest, node(spdx + "algorithm"), node(spdx + "checksumAlgorithm_sha256")),
            ox.Triple(digest, node(spdx + "checksumValue"),
                      ox.Literal(checksums[name], datatype=node(xsd + "hexBinary"))),
        ]
    subject_rank: dict[str, int] = {}
    for triple in triples_out:
        subject_rank.setdefault(str(triple.subject), len(subject_rank))
    ordered = sorted(set(triples_out), key=lambda t: (subject_rank[str(t.subject)],
                                                      natural_key(t.predicate.value),
                                                      natural_key(str(t.object))))
    data = ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    assert data is not None
    return data


def publish(dataset: Dataset, out_dir: Path, *, version: str, graph_order: Sequence[URIRef],
            base_url: str, metadata: URIRef | None = None,
            extra_files: dict[str, bytes] | None = None,
            archive: tuple[str, int] | None = None,
            quads: Sequence[ox.Quad] | None = None) -> Release:
    """Write every release file into a fresh directory, then swap it in for ``out_dir``.

    A failure at any point (a full disk included) leaves the previous ``out_dir`` as it was,
    and there is no moment without a complete ``out_dir`` (:func:`.rdf.files.swap_in`). The
    previous release's site is kept (by hard links) until ``policing-kg site`` replaces it.
    ``quads`` are the dataset's in canonical order, where the caller has them already.
    """
    out_dir = out_dir.resolve()
    clean_stale(out_dir)
    staging = staging_folder(out_dir)
    try:
        if quads is None:
            quads = canonical_quads(dataset, graph_order)
        triples = write_dumps(quads, staging)
        from policing_kg.release.jsonld import context_document

        for name, content in {"context.jsonld": context_document(), **(extra_files or {})}.items():
            (staging / name).write_bytes(content)
        checksums = {path.name: _sha256(path) for path in sorted(staging.iterdir())}
        sizes = {path.name: path.stat().st_size for path in staging.iterdir()}
        graph_triples: dict[str, int] = {}
        for quad in quads:
            key = quad.graph_name.value  # type: ignore[union-attr]
            graph_triples[key] = graph_triples.get(key, 0) + 1
        described = [quad.triple for quad in quads
                     if metadata is not None and quad.graph_name == ox.NamedNode(str(metadata))]
        void = _void(described, base_url, checksums, sizes, len(triples), graph_triples)
        (staging / "void.ttl").write_bytes(void)
        checksums["void.ttl"] = _sha256(staging / "void.ttl")
        lines = "".join(f"{checksums[name]}  {name}\n" for name in sorted(checksums))
        (staging / "SHA256SUMS").write_text(lines, encoding="utf-8")
        for path in staging.iterdir():  # the umask plays no part: a release is for reading
            path.chmod(FILE_MODE)
        if archive is not None:
            from policing_kg.release.archive import write_archive

            name, mtime = archive
            write_archive(staging, staging / name, f"{name.removesuffix('.tar.gz')}/", mtime)
        if (out_dir / SITE / "SHA256SUMS").is_file():
            # the site stays until `policing-kg site` swaps in the new release's: there is no
            # moment without one (`serve` goes on serving the release it belongs to)
            link_tree(out_dir / SITE, staging / SITE)
        swap_in(staging, out_dir)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise os_error(exc, staging, "cannot write the release") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Release(out_dir, checksums, len(triples), len(quads), graph_triples)


def write_dumps(quads: Sequence[ox.Quad], directory: Path,
                names: Iterable[str] | None = None) -> list[ox.Triple]:
    """Write the dumps (``DUMPS``, or those named) of quads in canonical order into ``directory``.

    Returns the union's triples (each once, in canonical order), which the formats without
    named graphs hold.
    """
    triples: list[ox.Triple] | None = None
    for name in names or DUMPS:
        rdf_format, named_graphs = DUMPS[name]
        if not named_graphs and triples is None:
            triples = _triples(quads)
        data: Iterable[ox.Quad] | Iterable[ox.Triple] = quads if named_graphs else triples or []
        if rdf_format == ox.RdfFormat.JSON_LD:
            from policing_kg.release.jsonld import compact_dump

            (directory / name).write_bytes(compact_dump(list(data)))  # type: ignore[arg-type]
            continue
        prefixes = None if rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS) \
            else PREFIXES
        ox.serialize(data, str(directory / name), format=rdf_format, prefixes=prefixes)
    return triples if triples is not None else _triples(quads)


__all__ += ["order_quads", "write_dumps"]
