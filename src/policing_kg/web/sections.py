"""The site's section pages.

The landing page (with schema.org ``Dataset``), the documents, the SDGs, the crosswalks
(heatmaps with their tables as text alternatives, coverage), the query catalogue (one page
per stored query, with its example's rows) and the ontology, term by term.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from policing_kg.common.iris import BASE, ID, SDG
from policing_kg.common.sorting import natural_key
from policing_kg.crosswalk.links import REACHING_RULE, Crosswalk
from policing_kg.web.graphview import DCTERMS, PKG, RDF_TYPE, RDFS, SKOS, GraphView, short_name
from policing_kg.web.html import Page, esc, link, table, term_html
from policing_kg.web.paths import SDG_SCHEME, page_path

__all__ = ["landing_page", "documents_page", "sdg_page", "query_pages", "ontology_page",
           "COVERAGE_KINDS", "links_in"]

OWL = "http://www.w3.org/2002/07/owl#"
SDGO = "http://metadata.un.org/sdg/ontology#"
#: The kinds of item whose links the crosswalks page counts, and what is not linked.
COVERAGE_KINDS = ("StrategicGoal", "GlobalPolicingGoal", "CrossCuttingTheme", "GoalStatement",
                  "ThemeStatement", "ProgrammeObjective", "ExpectedOutcome")
DOCUMENT_CLASSES = ("StrategicFramework", "GlobalPolicingGoals", "ProgrammeStrategy")


def documents(view: GraphView) -> list[Any]:
    """Return the strategy documents, in natural order of their ids."""
    found: dict[Any, None] = {}
    for cls in DOCUMENT_CLASSES:
        for node in view.instances(PKG + cls):
            found.setdefault(node, None)
    return sorted(found, key=lambda n: natural_key(n.value))


def _human_size(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size / 1000:.1f} kB"


def landing_page(view: GraphView, version: str, downloads: Sequence[tuple[str, int, str]],
                 release_folder: str, crosswalk: Crosswalk | None = None) -> Page:
    """Return the home page.

    Return the home page: what the crosswalk covers and does not, then the documents, downloads,
    licence and how to cite.
    """
    dataset = ox.NamedNode(ID + "dataset")
    description = (
        "INTERPOL's Strategic Framework 2026-2030, Global Policing Goals (2023) and 2022-2025 "
        "programme strategies as a bilingual knowledge graph: every item with its source "
        "passage, the project's translations, editorial decisions and crosswalk mappings "
        "(to each other and to the UN Sustainable Development Goals) marked as such.")
    json_ld = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": dataset.value,
        "name": "policing-kg: INTERPOL strategy knowledge graph",
        "description": description,
        "version": version,
        "url": BASE,
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "inLanguage": ["fr", "en"],
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": "policing-kg", "url": BASE},
        "keywords": ["INTERPOL", "policing", "Sustainable Development Goals", "SKOS",
                     "crosswalk", "linked data"],
        "distribution": [
            {"@type": "DataDownload", "name": name, "contentUrl":
             f"{BASE}release/{version}/{name}", "contentSize": f"{size} B",
             "encodingFormat": _media(name)}
            for name, size, _ in downloads if name != "SHA256SUMS"],
    }
    page = Page("index.html", "policing-kg", description=description, json_ld=json_ld)
    page.add(f"<p>{esc(description)}</p>")
    if crosswalk is not None:
        from policing_kg.web.crosswalk_pages import coverage_summary

        page.add(coverage_summary(page, view, crosswalk))
    page.add(f"<p>Release {esc(version)}: {view.triples:,} statements in "
             f"{len({s.graph for ss in view.out.values() for s in ss})} named graphs.</p>")
    rows = [[link(page, view, d), esc(view.label(d, "fr")),
             esc(str(len(view.subjects(SKOS + "inScheme", d))))] for d in documents(view)]
    page.add("<h2>The documents</h2>", table(["document", "French title", "items"], rows),
             '<h2>Explore</h2><ul class="plain">'
             f'<li><a href="{page.href("documents.html")}">Documents and their items</a></li>'
             f'<li><a href="{page.href("sdg.html")}">The 17 SDGs and their targets</a>, with '
             "what maps to each</li>"
             f'<li><a href="{page.href("crosswalks.html")}">Crosswalks</a>: heatmaps, mapping '
             "sets, what is not covered</li>"
             f'<li><a href="{page.href("query/index.html")}">Stored queries</a> (and the '
             "SPARQL editor, where the site is served by <code>policing-kg serve</code>)</li>"
             f'<li><a href="{page.href("ontology.html")}">The ontology</a>, term by term</li>'
             f'<li><a href="{page.href("changes.html")}">Changes</a>: each release\'s notes, '
             "and what it changed</li></ul>")
    files = [[f'<a href="{page.href(f"{release_folder}/{name}")}">{esc(name)}</a>',
              esc(_human_size(size)), f'<code class="iri">{esc(digest)}</code>']
             for name, size, digest in downloads]
    page.add("<h2>Downloads</h2>",
             "<p>The whole graph in each format (checksums: SHA-256, as in "
             f'<a href="{page.href(f"{release_folder}/SHA256SUMS")}">SHA256SUMS</a>; '
             f'described in <a href="{page.href(f"{release_folder}/void.ttl")}">void.ttl</a>'
             ").</p>",
             table(["file", "size", "SHA-256"], files),
             "<h2>Licence</h2><p>The project's own additions (structure, translations, "
             "editorial decisions, mappings) are licensed "
             '<a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>; the quoted '
             "source texts are INTERPOL's.</p>",
             '<h2 id="cite">How to cite</h2>'
             f"<p>policing-kg contributors. <cite>policing-kg: INTERPOL strategy knowledge "
             f"graph</cite>, release {esc(version)}. "
             f'<a href="{esc(BASE)}">{esc(BASE)}</a></p>')
    return page


def _media(name: str) -> str:
    from policing_kg.web.paths import FORMATS

    suffix = name.rsplit(".", 1)[-1]
    return {"trig": "application/trig", "nq": "application/n-quads"}.get(
        suffix, FORMATS.get(suffix, "text/plain"))


def documents_page(view: GraphView) -> Page:
    """Every document, with its top items."""
    page = Page("documents.html", "Documents")
    for document in documents(view):
        top = view.ordered(view.values(document, SKOS + "hasTopConcept"))
        page.add(f"<h2>{link(page, view, document)}</h2>",
                 f'<p lang="fr">{esc(view.label(document, "fr"))}</p>',
                 '<ul class="plain">' + "".join(
                     f'<li><span class="kind">{esc(view.kind(n))}</span> '
                     f"{link(page, view, n, view.numbered(n))}</li>" for n in top) + "</ul>")
    return page



def links_in(view: GraphView, node: Any) -> int:
    """Count the crosswalk links (curated or inferred) whose object is ``node``."""
    return sum(1 for s in view.into.get(node, ()) if s.predicate in view.crosswalk_properties)


def sdg_page(view: GraphView, crosswalk: Crosswalk) -> Page:
    """Return the SDGs: every goal with its targets, and how many items reach each."""
    scheme = ox.NamedNode(SDG_SCHEME)
    page = Page("sdg.html", "The UN Sustainable Development Goals",
                description="The 17 SDGs and their 169 targets, on the UN's IRIs, with the "
                "links of policing-kg's crosswalks to each.")
    page.add("<p>The goals and targets are the UN's (their IRIs are the UN's own, "
             f'<a href="{esc(SDG_SCHEME)}">{esc(SDG_SCHEME)}</a>); the titles are the official '
             "English and French texts. The count beside each is the number of items that "
             f"reach it: {esc(REACHING_RULE)}. Each page says which, with the route of every "
             "inferred link.</p>")
    goals = sorted(view.instances(SDGO + "Goal"), key=lambda n: natural_key(n.value))
    for goal in goals:
        targets = sorted(view.values(goal, SDGO + "hasTarget"),
                         key=lambda n: natural_key(n.value))
        rows = [[link(page, view, t, view.notation(t) or short_name(t.value)),
                 term_html(page, view, _pref(view, t, "en")),
                 esc(str(_reached_by(crosswalk, t.value)))]
                for t in targets]
        page.add(f'<h2 id="goal-{esc(goal.value.removeprefix(SDG))}">'
                 f"{link(page, view, goal)} ({_reached_by(crosswalk, goal.value)} items "
                 "reach it)</h2>",
                 table(["target", "title", "items reaching it"], rows) if rows else "")
    if scheme in view.out:
        page.add(f'<p>The scheme: <a href="{esc(SDG_SCHEME)}">{esc(SDG_SCHEME)}</a></p>')
    return page


def _reached_by(crosswalk: Crosswalk, node: str) -> int:
    return len({one.subject for one in crosswalk.reaching(node)})


def _pref(view: GraphView, node: Any, language: str) -> Any:
    for literal in view.values(node, SKOS + "prefLabel"):
        if isinstance(literal, ox.Literal) and literal.language == language:
            return literal
    return ox.Literal(view.label(node))


def query_pages(view: GraphView, catalogue: Mapping[str, Any],
                examples: Mapping[str, tuple[str, Any]]) -> list[Page]:
    """Return the catalogue page and one page per stored query (text, parameters, example rows)."""
    index = Page("query/index.html", "Stored queries",
                 description="The crosswalk questions policing-kg answers, as SPARQL.")
    index.add("<p>Each query runs with <code>policing-kg query NAME</code>, on the embedded "
              "store or any SPARQL endpoint, and in the SPARQL editor of <code>policing-kg "
              f'serve</code> (<a href="{index.href("sparql")}">/sparql</a>, where the site is '
              "served by it).</p>")
    rows = [[f'<a href="{index.href(f"query/{name}.html")}">{esc(name)}</a>', esc(q.title),
             esc(q.description)] for name, q in catalogue.items()]
    index.add(table(["query", "title", "what it answers"], rows))
    pages = [index]
    for name, stored in catalogue.items():
        path = f"query/{name}.html"
        page = Page(path, stored.title, description=stored.description,
                    alternates=[f"query/{name}.ttl"])
        page.add(f"<p>{esc(stored.description)}</p>")
        if stored.parameters:
            page.add("<h2>Parameters</h2>", table(
                ["name", "type", "meaning"],
                [[f"<code>{esc(p.name)}</code>", esc(p.type), esc(p.description)]
                 for p in stored.parameters]))
        page.add("<h2>The query</h2>", f"<pre><code>{esc(stored.text)}</code></pre>",
                 f'<p><a href="{page.href(f"query/{name}.rq")}">{esc(name)}.rq</a></p>')
        if name in examples:
            example, result = examples[name]
            from urllib.parse import quote

            page.add("<h2>An example</h2>", f"<p><code>{esc(example)}</code></p>",
                     f'<p><a href="{page.href("sparql")}?example={esc(quote(name))}">Open it in '
                     "the SPARQL editor</a> (where the site is served by <code>policing-kg "
                     "serve</code>).</p>", results_table(page, view, result))
        pages.append(page)
    return pages


def results_table(page: Page, view: GraphView | None, result: Any, limit: int = 200) -> str:
    """SELECT answers as a table (terms linked to their pages where the site has them)."""
    variables = result.variables
    rows = []
    for row in result.terms[:limit]:
        cells = []
        for term in row:
            if term is None:
                cells.append("")
            elif view is not None:
                cells.append(term_html(page, view, term))
            elif isinstance(term, ox.NamedNode) and page_path(term.value) is not None:
                cells.append(f'<a href="{page.href(page_path(term.value) or "")}">'
                             f"{esc(term.value)}</a>")
            else:
                lang = getattr(term, "language", None)
                cells.append(f'<span lang="{esc(lang)}">{esc(term.value)}</span>' if lang
                             else esc(term.value))
        rows.append(cells)
    note = f" (the first {limit} of {len(result.terms)})" if len(result.terms) > limit else ""
    return table(list(variables), rows, caption=f"{len(result.terms)} rows{note}",
                 css="results")


def ontology_page(view: GraphView, ontology: str) -> Page:
    """Return the ontology documented term by term, as pyLODE or Widoco would."""
    node = ox.NamedNode(ontology)
    page = Page("ontology.html", view.label(node) if node in view.out else "The ontology",
                alternates=["ontology.ttl"],
                description="The policing-kg ontology: classes and properties, with labels, "
                "definitions, domains, ranges and property chains.")
    page.add(f'<p>IRI: <a class="iri" href="{esc(ontology)}">{esc(ontology)}</a> · '
             f'<a href="{page.href("ontology.ttl")}">Turtle</a></p>')
    for predicate in (DCTERMS + "description", RDFS + "comment", SKOS + "definition"):
        for literal in view.values(node, predicate):
            page.add(f"<p>{term_html(page, view, literal)}</p>")
    kinds = (("Classes", OWL + "Class"), ("Object properties", OWL + "ObjectProperty"),
             ("Datatype properties", OWL + "DatatypeProperty"),
             ("Annotation properties", OWL + "AnnotationProperty"))
    toc, sections = [], []
    for title, cls in kinds:
        terms = [t for t in view.instances(cls) if t.value.startswith(PKG)]
        if not terms:
            continue
        toc.append(f"<li>{esc(title)}: " + ", ".join(
            f'<a href="#{esc(t.value[len(PKG):])}">{esc(t.value[len(PKG):])}</a>'
            for t in terms) + "</li>")
        sections.append(f"<h2>{esc(title)}</h2>")
        sections += [_term(page, view, t) for t in terms]
    page.add('<nav aria-label="Terms"><ul class="plain">' + "".join(toc) + "</ul></nav>",
             *sections)
    return page


def _term(page: Page, view: GraphView, term: Any) -> str:
    local = term.value[len(PKG):]
    rows = []
    for predicate, name in ((RDFS + "label", "label"), (SKOS + "definition", "definition"),
                            (RDFS + "comment", "comment")):
        for literal in view.values(term, predicate):
            rows.append([esc(name), term_html(page, view, literal)])
    for predicate, name in ((RDFS + "subClassOf", "subclass of"),
                            (RDFS + "subPropertyOf", "subproperty of"),
                            (RDFS + "domain", "domain"), (RDFS + "range", "range"),
                            (OWL + "inverseOf", "inverse of"),
                            (OWL + "disjointWith", "disjoint with"),
                            (OWL + "equivalentClass", "equivalent to")):
        values = [v for v in view.values(term, predicate) if isinstance(v, ox.NamedNode)]
        if values:
            rows.append([esc(name), ", ".join(term_html(page, view, v) for v in values)])
    below = [s for s in view.subjects(RDFS + "subClassOf", term)
             + view.subjects(RDFS + "subPropertyOf", term) if isinstance(s, ox.NamedNode)]
    if below:
        rows.append(["narrower terms", ", ".join(term_html(page, view, v) for v in below)])
    characteristics = [short_name(t) for t in view.types(term)
                       if t in (OWL + "SymmetricProperty", OWL + "TransitiveProperty",
                                OWL + "FunctionalProperty", OWL + "AsymmetricProperty",
                                OWL + "IrreflexiveProperty")]
    if characteristics:
        rows.append(["characteristics", esc(", ".join(characteristics))])
    for chain in view.values(term, OWL + "propertyChainAxiom"):
        members = _rdf_list(view, chain)
        rows.append(["property chain", " ∘ ".join(term_html(page, view, m) for m in members)
                     + f" ⊑ {esc(local)}"])
    used = sum(1 for s in view.into.get(term, ()) if s.predicate == RDF_TYPE)
    if used:
        rows.append(["instances in the graph", esc(str(used))])
    return (f'<section id="{esc(local)}" aria-labelledby="{esc(local)}-h">'
            f'<h3 id="{esc(local)}-h"><code>pkg:{esc(local)}</code> · {esc(view.label(term))}'
            f"</h3>" + table(["", ""], rows) + "</section>")


def _rdf_list(view: GraphView, node: Any) -> list[Any]:
    members = []
    for _ in range(50):
        first = view.value(node, "http://www.w3.org/1999/02/22-rdf-syntax-ns#first")
        if first is None:
            break
        members.append(first)
        node = view.value(node, "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
        if node is None or getattr(node, "value", "").endswith("#nil"):
            break
    return members
