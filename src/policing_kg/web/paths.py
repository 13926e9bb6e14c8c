"""Where each IRI lives in the site, and which file answers which ``Accept``.

The site's folders are the IRIs' paths under ``https://w3id.org/policing-kg/``: the page of
``…/id/gpg-2023/goal/3`` is ``id/gpg-2023/goal/3.html``, its RDF beside it (``.ttl``,
``.jsonld``, ``.nt``, ``.rdf``). The UN's SDG IRIs, which the project does not own, get pages
under ``sdg/``. One table of formats serves ``policing-kg serve`` and the ``.htaccess`` alike.
"""

from __future__ import annotations

import posixpath
import re

from policing_kg.common.iris import BASE, SDG

__all__ = ["FORMATS", "accept_ranges", "page_path", "resource_path", "relative", "negotiate",
           "DEREFERENCEABLE", "SDG_SCHEME"]

#: Suffix -> media type, the page first (what a browser gets).
FORMATS: dict[str, str] = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}
#: Media types read as one of FORMATS.
_ALIASES = {"application/xhtml+xml": "html", "application/json": "jsonld",
            "application/x-turtle": "ttl", "text/n3": "ttl", "text/plain": "nt"}
#: The project's IRI spaces that dereference (paths under BASE), besides the ontology.
DEREFERENCEABLE = ("id/", "mapping/", "mappings/", "query/", "graph/")
SDG_SCHEME = SDG.rstrip("/")
_SEGMENT = re.compile(r"^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$")


def _safe(path: str) -> str | None:
    parts = path.split("/")
    if all(_SEGMENT.match(part) and part not in (".", "..") for part in parts):
        return path
    return None


def resource_path(iri: str) -> tuple[str, str] | None:
    """Return the site path (no suffix) and fragment of an IRI that has a page, or None.

    >>> resource_path("https://w3id.org/policing-kg/id/gpg-2023/goal/3")
    ('id/gpg-2023/goal/3', '')
    >>> resource_path("https://w3id.org/policing-kg/ontology#serves")
    ('ontology', 'serves')
    >>> resource_path("http://metadata.un.org/sdg/16.4")
    ('sdg/16.4', '')
    >>> resource_path("https://example.org/x") is None
    True
    """
    if iri.startswith(BASE + "ontology"):
        rest = iri[len(BASE + "ontology"):]
        if rest == "":
            return ("ontology", "")
        if rest.startswith("#") and _SEGMENT.match(rest[1:]):
            return ("ontology", rest[1:])
        return None
    if iri.startswith(BASE):
        tail = iri[len(BASE):]
        if tail.startswith(DEREFERENCEABLE):
            found = _safe(tail)
            return (found, "") if found else None
        return None
    if iri == SDG_SCHEME:
        return ("sdg", "")
    if iri.startswith(SDG):
        found = _safe("sdg/" + iri[len(SDG):])
        return (found, "") if found else None
    return None


def page_path(iri: str, suffix: str = "html") -> str | None:
    """Return the file of an IRI's page (or of its RDF, by suffix), with its fragment, or None."""
    found = resource_path(iri)
    if found is None:
        return None
    path, fragment = found
    return f"{path}.{suffix}" + (f"#{fragment}" if fragment and suffix == "html" else "")


def relative(from_file: str, to_file: str) -> str:
    """Return a link from one site file to another, relative, so the site works under any base.

    >>> relative("id/gpg-2023/goal/3.html", "sdg/16.4.html")
    '../../../sdg/16.4.html'
    >>> relative("index.html", "id/sf-2026.html")
    'id/sf-2026.html'
    """
    target, _, fragment = to_file.partition("#")
    link = posixpath.relpath(target, posixpath.dirname(from_file) or ".")
    return link + (f"#{fragment}" if fragment else "")


def accept_ranges(accept: str) -> list[tuple[str, float]]:
    """Read an ``Accept`` header: each media range (lower case) with its quality, 0 left out.

    >>> accept_ranges("text/turtle;q=0.9, application/ld+json, image/png;q=0")
    [('text/turtle', 0.9), ('application/ld+json', 1.0)]
    """
    ranges = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranges.append((media.lower(), quality))
    return ranges


def negotiate(accept: str | None) -> str | None:
    """Return the suffix of FORMATS that best answers an ``Accept`` header, or None (406).

    >>> negotiate("text/turtle;q=0.9, application/ld+json")
    'jsonld'
    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8")
    'html'
    >>> negotiate(None)
    'html'
    >>> negotiate("image/png") is None
    True
    """
    if not accept or not accept.strip():
        return "html"
    best: tuple[float, int, int, str] | None = None
    order = list(FORMATS)
    for media, quality in accept_ranges(accept):
        if media in ("*/*", "text/*"):
            suffix = "html"
        elif media == "application/*":
            suffix = "jsonld"
        else:
            suffix = next((s for s, m in FORMATS.items() if m == media), _ALIASES.get(media, ""))
        if not suffix:
            continue
        # higher quality first; a named type beats a wildcard; then the order of FORMATS
        rank = (quality, 0 if "*" in media else 1, -order.index(suffix), suffix)
        if best is None or rank > best:
            best = rank
    return best[3] if best else None
