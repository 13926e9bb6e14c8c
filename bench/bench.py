"""The benchmark: policing-kg's engines beside their peers, on synthetic graphs, in one run.

    python -m bench.bench [--quick] [--sizes 10k,100k,1M] [--out bench/results]

For each size it generates a graph of the project's shape from the release in ``dist/``
(:mod:`bench.generate`) and measures each stage in a child process of its own: wall time of the
work (the child's own clock, start-up and imports left out), wall time of the whole process,
and the child's own peak memory (``ru_maxrss``, measured by :mod:`bench.spawn`). Peers run on
the same input in the same run: rdflib (load, parse, serialise, queries), plain pyshacl with
default options and the project's shapes (validation), HermiT through owlready2 (inference,
where it finishes), Apache Jena where it is installed (SHACL, and ARQ on every stored query:
:mod:`bench.jena_stages`). Their answers are compared with ours.

Results go to ``bench/results/`` (not committed) as ``bench.json`` and ``bench.md``;
``python -m bench.plot`` draws ``bench/scaling.png`` from the JSON.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import jena, jena_stages, spawn, web

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000}
#: sizes above which a peer is not run, with the reason (measured in the issue, and here)
PYSHACL_LIMIT = 150_000  # pyshacl took 114 s on 117 k triples and 1153 s on 1.17 M
#: HermiT: 5 k individuals 63 s, 10 k over 10 min (grows ~n^2.4). One copy of the release is
#: about 15 k quads, 3.5 k of them the inferred graph, which HermiT is not given.
HERMIT_LIMIT = 20_000
RDFLIB_QUERY_LIMIT = 60  # seconds for rdflib's engine on one query (then the next one runs)
GRAPH = "https://w3id.org/policing-kg/graph/"


# -- the stages, each run in a child process ---------------------------------------------------


def _clock() -> float:
    return time.perf_counter()


def stage_load(nq: str, engine: str) -> dict[str, Any]:
    """Read the N-Quads dump into a store (pyoxigraph) or a Dataset (rdflib)."""
    start = _clock()
    if engine == "ours":
        import pyoxigraph as ox

        store = ox.Store()
        store.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS)
        count = len(store)
    else:
        from rdflib import Dataset

        dataset = Dataset()
        dataset.parse(nq, format="nquads")
        count = len(list(dataset.quads((None, None, None, None))))
    return {"seconds": _clock() - start, "quads": count}


def stage_parse_turtle(ttl: str, engine: str) -> dict[str, Any]:
    """Parse the Turtle dump."""
    start = _clock()
    if engine == "ours":
        import pyoxigraph as ox

        count = sum(1 for _ in ox.parse(path=ttl, format=ox.RdfFormat.TURTLE))
    else:
        from rdflib import Graph

        count = len(Graph().parse(ttl, format="turtle"))
    return {"seconds": _clock() - start, "triples": count}


def stage_validate(nq: str, engine: str, keys_out: str, shapes_file: str) -> dict[str, Any]:
    """Validate with the project's shapes: our engine, or plain pyshacl (default options).

    The results are written in the normal form of :func:`bench.peer_engine.key`, which the
    peers' results are also written in.
    """
    import pyoxigraph as ox
    from rdflib import Graph

    from bench.peer_engine import key, rdflib_report

    start = _clock()
    if engine == "ours":
        from policing_kg.checks.shacl import load_shapes, validate_store, validation_store

        shapes = load_shapes(ROOT / "shapes")
        store = validation_store(ox.parse(path=nq, format=ox.RdfFormat.N_QUADS))
        loaded = _clock()
        report = validate_store(store, shapes)

        def n3(node: Any) -> str:
            return "" if node is None else ("_:" if node.__class__.__name__ == "BNode"
                                            else node.n3())

        keys = [key(n3(r.focus), r.path, n3(r.value), r.severity, n3(r.shape), r.component)
                for r in report.results]
    else:
        from pyshacl import validate

        from policing_kg.common.terms import graph_of_quads

        shapes = Graph().parse(shapes_file, format="turtle")
        data = graph_of_quads(ox.parse(path=nq, format=ox.RdfFormat.N_QUADS))
        loaded = _clock()
        _, graph, _ = validate(data, shacl_graph=shapes)
        keys = rdflib_report(graph)
    done = _clock()
    Path(keys_out).write_text(json.dumps(sorted(keys)), "utf-8")
    return {"seconds": done - start, "load_seconds": loaded - start,
            "check_seconds": done - loaded, "results": len(keys),
            "violations": sum(1 for k in keys if k[3].endswith("#Violation")),
            "counts": _counts(k[3] for k in keys)}


def _counts(severities: Any) -> dict[str, int]:
    """Results by severity, as `policing-kg validate --format json` counts them."""
    from collections import Counter

    found = Counter(str(s).rsplit("#", 1)[-1].lower() for s in severities)
    return {name: found[name] for name in ("violation", "warning", "info")}


def _without_inferred(nq: str) -> list[Any]:
    import pyoxigraph as ox

    inferred = GRAPH + "inferred"
    return [q for q in ox.parse(path=nq, format=ox.RdfFormat.N_QUADS)
            if getattr(q.graph_name, "value", "") != inferred]


def stage_infer(nq: str, engine: str, links_out: str) -> dict[str, Any]:
    """Find the links that the ontology's chains add: SPARQL on pyoxigraph, or HermiT."""
    import pyoxigraph as ox
    from rdflib import Graph

    from policing_kg.assembly.inference import rules_from_ontology

    ontology = Graph().parse(ROOT / "ontology" / "policing-kg.ttl", format="turtle")
    quads = _without_inferred(nq)
    start = _clock()
    if engine == "ours":
        from policing_kg.assembly.inference import materialise_store

        store = ox.Store()
        store.bulk_extend(quads)
        links = materialise_store(store, ontology)
    else:
        from policing_kg.checks.consistency import hermit_links
        from policing_kg.checks.validate import graph_of_quads

        heads = {rule.head for rule in rules_from_ontology(ontology)}
        links = hermit_links(graph_of_quads(quads), heads)
    seconds = _clock() - start
    Path(links_out).write_text(json.dumps(sorted(links)), "utf-8")
    return {"seconds": seconds, "links": len(links)}


def stage_serialise(nq: str, engine: str, out_dir: str) -> dict[str, Any]:
    """Write the dumps: each format in canonical order, twice (the bytes must not change)."""
    import pyoxigraph as ox

    quads = list(ox.parse(path=nq, format=ox.RdfFormat.N_QUADS))
    out = Path(out_dir)
    if engine == "ours":
        from rdflib import URIRef

        from policing_kg.common.iris import LAYERS
        from policing_kg.release.publish import DUMPS, order_quads, write_dumps

        names = sorted({getattr(q.graph_name, "value", "") for q in quads})
        documents = sorted(n for n in names if n.startswith(GRAPH + "document/"))
        layers = LAYERS[1:]
        order = [URIRef(GRAPH + "ontology"), *map(URIRef, documents),
                 *(URIRef(GRAPH + layer) for layer in layers)]
        start = _clock()
        ordered = order_quads(quads, order)
        result: dict[str, Any] = {"order_seconds": _clock() - start, "formats": {}}
        write_dumps(ordered, out, ["policing-kg.nt"])  # warms the union's triple order
        for name in DUMPS:
            first = _clock()
            write_dumps(ordered, out, [name])
            seconds = _clock() - first
            digest = hashlib.sha256((out / name).read_bytes()).hexdigest()
            write_dumps(ordered, out, [name])
            same = hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
            result["formats"][name] = {"seconds": seconds, "deterministic": same,
                                       "bytes": (out / name).stat().st_size}
            (out / name).unlink()
        result["seconds"] = max(f["seconds"] for f in result["formats"].values())
        return result
    from policing_kg.checks.validate import graph_of_quads

    graph = graph_of_quads(quads)
    start = _clock()
    graph.serialize(out / "rdflib.ttl", format="turtle")
    seconds = _clock() - start
    (out / "rdflib.ttl").unlink()
    return {"seconds": seconds}


def _query_texts() -> dict[str, str]:
    """Each stored query's first example, its parameters bound, as SPARQL text."""
    from policing_kg.access.queries import bind_parameters
    from policing_kg.curation.catalogue import load_catalogue

    catalogue = load_catalogue(ROOT / "queries")
    return {name: bind_parameters(catalogue[name], params) for name, params in _examples()}


def _examples() -> list[tuple[str, dict[str, str]]]:
    from policing_kg.curation.catalogue import load_catalogue

    examples = []
    for query in load_catalogue(ROOT / "queries").values():
        words = shlex.split(query.examples[0])
        params = dict(words[i + 1].split("=", 1) for i, w in enumerate(words) if w == "--param")
        examples.append((query.name, params))
    return examples


def stage_queries(nq: str, engine: str, progress: str, rows_out: str = "") -> dict[str, Any]:
    """Every stored query (its first example) on the graph: median of three runs each.

    ``rows_out`` (ours): where to write each query's rows, for Jena's to be compared with.
    """
    from policing_kg.access.queries import bind_parameters, run_query
    from policing_kg.curation.catalogue import load_catalogue

    catalogue = load_catalogue(ROOT / "queries")
    if engine == "ours":
        import pyoxigraph as ox

        store = ox.Store()
        store.bulk_load(path=nq, format=ox.RdfFormat.N_QUADS)

        answers: dict[str, Any] = {}

        def run(name: str, params: dict[str, str]) -> int:
            answers[name] = run_query(catalogue[name], params, store).rows
            return len(answers[name])
    else:
        from rdflib import Dataset

        dataset = Dataset(default_union=True)
        dataset.parse(nq, format="nquads")

        def run(name: str, params: dict[str, str]) -> int:
            return len(list(dataset.query(bind_parameters(catalogue[name], params))))

    import signal

    class TooLong(Exception):
        pass

    def stop(signum: int, frame: object) -> None:
        raise TooLong

    signal.signal(signal.SIGALRM, stop)
    results: dict[str, Any] = {}
    with open(progress, "w", encoding="utf-8") as log:
        for name, params in _examples():
            times, rows = [], 0
            try:
                for _ in range(3 if engine == "ours" else 1):
                    signal.alarm(RDFLIB_QUERY_LIMIT)
                    start = _clock()
                    rows = run(name, params)
                    times.append(_clock() - start)
                    signal.alarm(0)
                results[name] = {"seconds": statistics.median(times), "rows": rows}
            except TooLong:
                results[name] = {"over": RDFLIB_QUERY_LIMIT}
            log.write(json.dumps({name: results[name]}) + "\n")
            log.flush()
    if engine == "ours" and rows_out:
        Path(rows_out).write_text(json.dumps(answers), "utf-8")
    finished = [r["seconds"] for r in results.values() if "seconds" in r]
    return {"seconds": max(finished, default=0.0), "queries": results}


def stage_validate_cli(contribution: str, engine: str, dist: str) -> dict[str, Any]:
    """`policing-kg validate FILE`: a contributed collection checked with the published graph."""
    import contextlib
    import io

    from policing_kg.cli import cli

    output = io.StringIO()
    start = _clock()
    try:
        with contextlib.redirect_stdout(output):
            cli.main(["validate", contribution, "--dist", dist, "--max-bytes", str(2**31),
                      "--format", "json", "--project", str(ROOT)], standalone_mode=False)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    seconds = _clock() - start
    counts = json.loads(output.getvalue()).get("counts") if output.getvalue().strip() else None
    return {"seconds": seconds, "exit": code, "counts": counts}


STAGES = {"load": stage_load, "parse-turtle": stage_parse_turtle, "validate": stage_validate,
          "validate-cli": stage_validate_cli, "infer": stage_infer, "serialise": stage_serialise,
          "queries": stage_queries, "site": web.stage_site}


def child(argv: list[str]) -> None:
    """Run one stage and print its result as JSON (the parent reads the last line)."""
    stage, engine, *args = argv
    result = STAGES[stage](*args[:1], engine, *args[1:])  # type: ignore[operator]
    print(json.dumps(result))


# -- the parent ----------------------------------------------------------------------------------


def run_child(stage: str, engine: str, args: list[str], timeout: float) -> dict[str, Any]:
    """Run a stage in a child; add its peak memory. A child past ``timeout`` is stopped."""
    return run_command([sys.executable, "-m", "bench.bench", "_child", stage, engine, *args],
                       timeout)


def run_command(command: list[str], timeout: float) -> dict[str, Any]:
    """Run a command that prints its result as JSON last; add the process's peak memory.

    And ``process_seconds``: the whole process's wall-clock time, interpreter start-up included,
    as ``/usr/bin/time`` gives it (:mod:`bench.spawn`, which also says why the peak memory is
    measured there).
    """
    env = dict(os.environ, PYTHONHASHSEED="0")
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        run = spawn.measured(command, stdout=out, stderr=err, timeout=timeout, cwd=ROOT, env=env)
        if run.code is None:
            return {"error": f"not finished in {timeout:.0f} s"}
        err.seek(0)
        stderr = err.read()
        out.seek(0)
        lines = out.read().strip().splitlines()
    if run.code != 0 or not lines or run.peak_mb is None:
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {run.code}: {last[:300]}"}
    result: dict[str, Any] = json.loads(lines[-1])
    result["peak_mb"] = run.peak_mb
    result["process_seconds"] = run.seconds
    return result


def _median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One engine's runs as one figure: the median time, the largest peak memory."""
    done = [r for r in runs if "seconds" in r]
    if not done:
        return runs[-1] if runs else {"error": "not run"}
    summary = dict(done[0])
    summary["seconds"] = statistics.median(r["seconds"] for r in done)
    if all("process_seconds" in r for r in done):
        summary["process_seconds"] = statistics.median(r["process_seconds"] for r in done)
    summary["peak_mb"] = max(r["peak_mb"] for r in done)
    summary["runs"] = len(done)
    return summary


def agreement(keys: Path, reference: Path) -> dict[str, Any]:
    """How one engine's results differ from the reference's (counted, as a multiset)."""
    from collections import Counter

    if not (keys.is_file() and reference.is_file()):
        return {"identical": None}
    ours = Counter(tuple(k) for k in json.loads(keys.read_text("utf-8")))
    theirs = Counter(tuple(k) for k in json.loads(reference.read_text("utf-8")))
    extra, missing = ours - theirs, theirs - ours
    components = Counter(k[5].rsplit("#", 1)[-1] for k in (extra + missing).elements())
    return {"identical": not extra and not missing, "extra": sum(extra.values()),
            "missing": sum(missing.values()), "components": components.most_common(3)}


def measure_engines(label: str, nq: Path, quads: int, work: Path, runs: int,
                    with_peers: bool, nt: Path | None = None) -> dict[str, Any]:
    """Run the SHACL engines on one graph: the project's, plain pyshacl, Jena, the PyPI peers.

    Jena reads ``nt``, the same graph as N-Triples.
    """
    from rdflib import Graph

    from bench.peers import PEERS, peer_python
    from policing_kg.checks.shacl import load_shapes

    shapes_file = work / "shapes.ttl"
    if not shapes_file.is_file():
        shapes: Graph = load_shapes(ROOT / "shapes")
        shapes.serialize(shapes_file, format="turtle")
    keys = {name: work / f"{label}-{name}.keys"
            for name in ("policing-kg", "pyshacl", "jena", *PEERS)}
    engines: dict[str, Any] = {}
    engines["policing-kg"] = _median_of([run_child(
        "validate", "ours", [str(nq), str(keys["policing-kg"]), str(shapes_file)], 1800)
        for _ in range(runs)])
    print(f"  validate, policing-kg: {engines['policing-kg'].get('seconds')}", flush=True)
    if quads <= PYSHACL_LIMIT:
        engines["pyshacl"] = run_child("validate", "peer", [str(nq), str(keys["pyshacl"]),
                                                            str(shapes_file)], 1800)
    else:
        engines["pyshacl"] = {"skipped": "not run above 150 k triples (1153 s on 1.17 M)"}
    print(f"  validate, pyshacl: {engines['pyshacl'].get('seconds')}", flush=True)
    if nt is not None:
        engines["jena"] = jena_stages.validate(nt, shapes_file, keys["jena"],
                                               runs if quads < 500_000 else 1)
        print(f"  validate, jena: {engines['jena'].get('seconds', engines['jena'].get('error'))}",
              flush=True)
    for name in PEERS if with_peers else ():
        try:
            python = peer_python(name, ROOT / "bench" / "results" / "peers")
        except (subprocess.SubprocessError, OSError) as exc:
            engines[name] = {"error": f"could not install {PEERS[name]}: {exc}"}
            continue
        command = [str(python), str(ROOT / "bench" / "peer_engine.py"), name, str(nq),
                   str(shapes_file), str(keys[name])]
        # at a million triples the slow peers take minutes a run: one run each there
        repeat = runs if quads < 500_000 else 1
        engines[name] = _median_of([run_command(command, 1800) for _ in range(repeat)])
        print(f"  validate, {name}: {engines[name].get('seconds', engines[name].get('error'))}",
              flush=True)
    reference = "pyshacl" if "seconds" in engines["pyshacl"] else "policing-kg"
    for name, engine in engines.items():
        if name != reference and "seconds" in engine:
            engine["against"] = reference
            engine.update(agreement(keys[name], keys[reference]))
    return engines


def _same_json(a: Path, b: Path) -> bool | None:
    if not (a.is_file() and b.is_file()):
        return None
    return bool(json.loads(a.read_text("utf-8")) == json.loads(b.read_text("utf-8")))


def measure_size(label: str, target: int, work: Path, template: Path,
                 quick: bool, peers: bool) -> dict[str, Any]:
    """Generate the graph of one size and run every stage, ours and the peers'."""
    import pyoxigraph as ox

    from bench.generate import generate

    nq = work / f"synthetic-{label}.nq"
    synthetic = generate(template, nq, target)
    ttl = work / f"synthetic-{label}.ttl"
    triples = {q.triple for q in ox.parse(path=str(nq), format=ox.RdfFormat.N_QUADS)}
    ox.serialize(sorted(triples, key=str), str(ttl), format=ox.RdfFormat.TURTLE)
    nt = work / f"synthetic-{label}.nt"  # for Jena's SHACL: the union of the graphs
    ox.serialize(sorted(triples, key=str), str(nt), format=ox.RdfFormat.N_TRIPLES)
    entry: dict[str, Any] = {"quads": synthetic.quads, "triples": len(triples),
                             "copies": synthetic.copies, "injected": synthetic.injected_copies,
                             "stages": {}}
    stages = entry["stages"]
    print(f"[{label}] {synthetic.quads} quads, {synthetic.copies} copies", flush=True)

    def both(stage: str, args: list[str], peer_args: list[str] | None = None, *,
             peer: bool = True, peer_skip: str = "", timeout: float = 1800) -> None:
        ours = run_child(stage, "ours", args, timeout)
        other: dict[str, Any] = {"skipped": peer_skip} if not peer else run_child(
            stage, "peer", peer_args or args, timeout)
        stages[stage] = {"ours": ours, "peer": other}
        print(f"  {stage}: ours {ours.get('seconds', ours.get('error'))} / peer "
              f"{other.get('seconds', other.get('error', other.get('skipped')))}", flush=True)

    both("load", [str(nq)])
    both("parse-turtle", [str(ttl)])
    engines = measure_engines(label, nq, synthetic.quads, work, 1 if quick else 3, peers, nt)
    stages["validate"] = {"ours": engines["policing-kg"], "peer": engines["pyshacl"],
                          "identical": engines["policing-kg"].get("identical"),
                          "engines": engines}
    contribution = work / f"contribution-{label}.nq"
    generate(template, contribution, target, contribution=True)
    cli = _median_of([run_child("validate-cli", "ours", [str(contribution), str(template.parent)],
                                1800) for _ in range(1 if quick else 3)])
    stages["validate-cli"] = {"ours": cli, "peer": stages["validate"]["peer"]}
    print(f"  validate (CLI): {cli.get('seconds', cli.get('error'))}", flush=True)
    # the injected faults make the graph inconsistent (an objective serves a theme), and a
    # reasoner infers nothing from an inconsistent graph: inference runs on the clean graph
    clean = work / f"synthetic-{label}-clean.nq"
    generate(template, clean, target, faults=False)
    both("infer", [str(clean), str(work / f"{label}-ours.links")],
         [str(clean), str(work / f"{label}-peer.links")], peer=synthetic.quads <= HERMIT_LIMIT,
         peer_skip="HermiT not run above 20 k quads (over 10 min at 10 k individuals)",
         timeout=900)
    stages["infer"]["identical"] = _same_json(work / f"{label}-ours.links",
                                              work / f"{label}-peer.links")
    dumps = work / f"dumps-{label}"
    dumps.mkdir(exist_ok=True)
    both("serialise", [str(nq), str(dumps)])
    progress_ours, progress_peer = work / f"{label}-queries-ours.jsonl", \
        work / f"{label}-queries-peer.jsonl"
    rows_ours = work / f"{label}-queries-ours.rows.json"
    ours = run_child("queries", "ours", [str(nq), str(progress_ours), str(rows_ours)], 900)
    peer = run_child("queries", "peer", [str(nq), str(progress_peer)], 3600)
    if "error" in peer and progress_peer.is_file():  # keep what finished in the time given
        finished: dict[str, Any] = {}
        for line in progress_peer.read_text("utf-8").splitlines():
            finished.update(json.loads(line))
        peer["queries"] = finished
    stages["queries"] = {"ours": ours, "peer": peer,
                         "jena": jena_stages.queries(nq, _query_texts(), work,
                                                     1 if quick else 3, rows_ours)}
    print(f"  queries: Jena ARQ max {stages['queries']['jena'].get('seconds')}", flush=True)
    site = run_child("site", "ours", [str(web.as_release(nq, work / f"release-{label}"))], 3600)
    stages["site"] = site | {"triples": len(triples)}
    print(f"  site: {site.get('seconds', site.get('error'))}", flush=True)
    print(f"  queries: ours max {ours.get('seconds', ours.get('error'))} / rdflib "
          f"{peer.get('seconds', peer.get('error'))}", flush=True)
    return entry


def measure_cli(work: Path, dist: Path) -> dict[str, Any]:
    """Start-up of the command line, and the whole build of the real corpus."""
    exe = str(Path(sys.executable).parent / "policing-kg")

    def timed(command: list[str], runs: int) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,  # noqa: S603
                           stderr=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    return {"help_seconds": timed([exe, "--help"], 5),
            "query_seconds": timed([exe, "query", "documents", "--dist", str(dist)], 5),
            "build_seconds": timed([exe, "build", "--dist", str(work / "dist")], 3)}


def machine() -> dict[str, Any]:
    """Describe the machine and the versions that produced the figures."""
    from importlib.metadata import version

    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) // 1024 // 1024} GB"
    except OSError:
        pass
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip()
                    for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory,
            "python": platform.python_version(), "system": platform.platform(),
            **{name: version(name) for name in ("pyoxigraph", "rdflib", "pyshacl", "owlready2")},
            "jena": jena.version()}


# -- the report --------------------------------------------------------------------------------


def _s(value: Any) -> str:
    if isinstance(value, (int, float)):
        if value < 0.1:
            return f"{value:.3f}"
        return f"{value:.2f}" if value < 10 else f"{value:.1f}"
    return "—"


def _row(stage: str, data: dict[str, Any], peer_name: str, check: str = "") -> str:
    ours, peer = data["ours"], data["peer"]
    ratio = ""
    if isinstance(ours.get("seconds"), float) and isinstance(peer.get("seconds"), float) \
            and ours["seconds"] > 0:
        ratio = f"{peer['seconds'] / ours['seconds']:.0f}×"
    peer_text = _s(peer.get("seconds")) if "seconds" in peer else \
        peer.get("skipped", peer.get("error", ""))
    peer_mb = f"{peer['peak_mb']:.0f}" if "peak_mb" in peer and "seconds" in peer else ""
    ours_text = _s(ours.get("seconds")) if "seconds" in ours else ours.get("error", "")
    return (f"| {stage} | {ours_text} | {ours.get('peak_mb', 0):.0f} | {peer_name} | "
            f"{peer_text} | {peer_mb} | {ratio} | {check} |")


def _engines_table(engines: dict[str, Any]) -> list[str]:
    """Write the SHACL engines' table: time, memory, answers against the reference."""
    if not engines:
        return []
    ours = engines.get("policing-kg", {}).get("seconds")
    lines = ["", "| SHACL engine (the project's shapes) | s (median) | peak MB | results | "
             "× policing-kg's time | answers |", "| --- | --- | --- | --- | --- | --- |"]
    for name, e in engines.items():
        if "seconds" not in e:
            lines.append(f"| {name} | {e.get('skipped', e.get('error', ''))} | | | | |")
            continue
        ratio = f"{e['seconds'] / ours:.2f}" if isinstance(ours, float) and ours else ""
        if "against" not in e:
            answers = "the reference"
        elif e.get("identical"):
            answers = f"same as {e['against']}"
        else:
            where = ", ".join(f"{c} {n}" for c, n in e.get("components", []))
            answers = (f"differs from {e['against']}: {e.get('extra', 0)} extra, "
                       f"{e.get('missing', 0)} missing ({where})")
        lines.append(f"| {name} | {_s(e['seconds'])} | {e['peak_mb']:.0f} | "
                     f"{e.get('results', '')} | {ratio} | {answers} |")
    return lines + [""]


def report(results: dict[str, Any]) -> str:
    """Write the results as Markdown: one table per size, then the command line."""
    m = results["machine"]
    lines = [f"# policing-kg benchmark ({'quick' if results['quick'] else 'full'} run)", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']}; Python {m['python']}; "
             f"pyoxigraph {m['pyoxigraph']}, rdflib {m['rdflib']}, pyshacl {m['pyshacl']}, "
             f"owlready2 {m['owlready2']}, Jena {m.get('jena') or 'not available'}. Seconds of "
             "work (start-up left out, except for Jena's, whose commands do not time their "
             "work), peak memory of the process in MB.", ""]
    for label, entry in results["sizes"].items():
        st = entry["stages"]
        lines += [f"## {label}: {entry['quads']:,} quads ({entry['triples']:,} distinct triples),"
                  f" {entry['injected'] * 3} injected faults", "",
                  "| stage | ours s | ours MB | peer | peer s | peer MB | ratio | same answers |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        lines.append(_row("load N-Quads (store)", st["load"], "rdflib"))
        lines.append(_row("parse Turtle", st["parse-turtle"], "rdflib"))
        identical = st["validate"].get("identical")
        vcheck = {True: "yes", False: "NO", None: "—"}[identical]
        violations = st["validate"]["ours"].get("violations", "?")
        lines.append(_row(f"validate ({violations} violations)", st["validate"], "pyshacl",
                          vcheck))
        icheck = {True: "yes", False: "NO", None: "—"}[st["infer"].get("identical")]
        if "validate-cli" in st:
            lines.append(_row("`policing-kg validate` (the copies as a contribution)",
                              st["validate-cli"], "pyshacl (row above)",
                              f"exit {st['validate-cli']['ours'].get('exit', '?')}"))
        lines.append(_row(f"infer ({st['infer']['ours'].get('links', '?')} links)", st["infer"],
                          "HermiT", icheck))
        formats = st["serialise"]["ours"].get("formats", {})
        deterministic = all(f.get("deterministic") for f in formats.values()) if formats else None
        lines.append(_row("serialise (slowest format)", st["serialise"], "rdflib Turtle",
                          "deterministic" if deterministic else "NOT deterministic"))
        for name, f in formats.items():
            lines.append(f"| · {name} | {_s(f['seconds'])} | | | | | | "
                         f"{'deterministic' if f['deterministic'] else 'NOT'} |")
        lines.append(f"| · canonical order (shared) | "
                     f"{_s(st['serialise']['ours'].get('order_seconds'))} | | | | | | |")
        lines += _engines_table(st["validate"].get("engines", {}))
        lines += jena_stages.validation_table(st)
        ours_q = st["queries"]["ours"].get("queries", {})
        peer_q = st["queries"]["peer"].get("queries", {})
        for name, q in ours_q.items():
            p = peer_q.get(name) or {}
            done = "seconds" in p
            ratio = f"{p['seconds'] / q['seconds']:.0f}×" if done and q["seconds"] > 0 else (
                f"> {p['over'] / q['seconds']:.0f}×" if "over" in p and q["seconds"] > 0 else "")
            same = "" if not done else ("yes" if p["rows"] == q["rows"] else
                                        f"rows {q['rows']} / {p['rows']}")
            peer_text = _s(p["seconds"]) if done else (
                f"over {p['over']} s" if "over" in p else "not run")
            lines.append(f"| query {name} | {_s(q['seconds'])} | "
                         f"{st['queries']['ours'].get('peak_mb', 0):.0f} | rdflib | "
                         f"{peer_text} | | {ratio} | {same} |")
        lines += jena_stages.queries_table(st)
        lines.append("")
    cli = results.get("cli", {})
    lines += ["## Command line (real corpus)", "",
              f"`policing-kg --help` {_s(cli.get('help_seconds'))} s; "
              f"`policing-kg query documents` {_s(cli.get('query_seconds'))} s; "
              f"`policing-kg build` (reasoner included) {_s(cli.get('build_seconds'))} s "
              "(medians).", ""]
    lines += web.report_lines(results.get("web", {}))
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmark."""
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(prog="python -m bench.bench", description=__doc__.split(
        "\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="10 k triples, one run of each engine (CI smoke run)")
    parser.add_argument("--no-peers", action="store_true",
                        help="leave out the SHACL engines of PyPI (installed into "
                        "bench/results/peers/ on first use)")
    parser.add_argument("--sizes", default=None, help="e.g. 10k,100k,1M (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--template", type=Path, default=ROOT / "dist" / "policing-kg.nq",
                        help="the release to copy (default: dist/, from `make`)")
    args = parser.parse_args()
    if not args.template.is_file():
        parser.exit(2, f"error: {args.template}: no release to copy — run `make` first\n")
    labels = ["10k"] if args.quick else (args.sizes.split(",") if args.sizes else list(SIZES))
    unknown = [label for label in labels if label not in SIZES]
    if unknown:
        parser.exit(2, f"error: unknown size {unknown[0]!r} — one of {', '.join(SIZES)}\n")
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    results: dict[str, Any] = {"quick": args.quick, "machine": machine(), "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="policing-kg-bench-") as directory:
        work = Path(directory)
        for label in labels:
            results["sizes"][label] = measure_size(label, SIZES[label], work, args.template,
                                                   args.quick, not args.no_peers)
        results["cli"] = measure_cli(work, args.template.parent)
        real = work / "release-real"
        shutil.copytree(args.template.parent, real, ignore=shutil.ignore_patterns("site"))
        site = run_child("site", "ours", [str(real)], 600)
        triples = sum(1 for _ in open(real / "policing-kg.nq", encoding="utf-8"))
        results["web"] = {"site": {"real": site | {"triples": triples}, **{
            label: entry["stages"]["site"] for label, entry in results["sizes"].items()}}}
        print(f"[web] site of the real graph: {site.get('seconds', site.get('error'))} s; "
              "load test", flush=True)
        results["web"]["load"] = web.load_test(real, clients=8 if args.quick else 32,
                                               seconds=5.0 if args.quick else 30.0)
    results["minutes"] = (time.time() - started) / 60
    (args.out / "bench.json").write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    (args.out / "bench.md").write_text(report(results), "utf-8")
    print(f"wrote {args.out / 'bench.md'} and bench.json ({results['minutes']:.1f} min)")


if __name__ == "__main__":
    main()
