"""The web part of the benchmark: site generation at each size, and `policing-kg serve` under load.

- ``stage_site``: ``policing-kg site`` of a release (the real one, or a synthetic graph made a
  release), timed in a child process like every other stage.
- ``load_test``: `serve` on loopback, and clients in processes of their own (threads with
  keep-alive connections) sending a mix for a fixed time: entity pages, content-negotiated RDF
  (the 303 and the file it points to) and stored queries over ``/sparql``. Reported: requests
  per second, median and 99th-percentile latency per kind, errors. Then the same mix again
  while one more client sends a deliberately heavy query (a triple cross product, stopped at the
  query time limit): how it is cut off, and what it does to the others' latency.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import multiprocessing
import random
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: The mix of requests: kind -> share.
MIX = {"page": 0.6, "rdf": 0.2, "query": 0.2}


def as_release(nq: Path, folder: Path) -> Path:
    """Make a folder a release of one N-Quads dump (what `site` and `serve` read)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "policing-kg.nq"
    if nq.resolve() != target.resolve():
        shutil.copyfile(nq, target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    (folder / "SHA256SUMS").write_text(f"{digest}  policing-kg.nq\n", "utf-8")
    return folder


def stage_site(dist: str, engine: str) -> dict[str, Any]:
    """Write the site of a release folder (a child process: the parent adds peak memory)."""
    from policing_kg.project import Project
    from policing_kg.web.site import write_site

    del engine
    start = time.perf_counter()
    result = write_site(Project(ROOT), Path(dist))
    seconds = time.perf_counter() - start
    size = sum(p.stat().st_size for p in result.directory.rglob("*") if p.is_file())
    return {"seconds": seconds, "pages": result.pages, "files": result.files,
            "megabytes": size / 1e6}


def _targets(dist: Path) -> dict[str, list[str]]:
    """List what the clients ask for: item pages, IRIs to negotiate, stored queries with params."""
    from policing_kg.access.queries import bind_parameters
    from policing_kg.curation.catalogue import load_catalogue

    site = dist / "site"
    pages = sorted("/" + p.relative_to(site).as_posix() for p in (site / "id").rglob("*.html"))
    catalogue = load_catalogue(ROOT / "queries")
    queries = [bind_parameters(q, q.example_params(e)) for q in catalogue.values()
               for e in q.examples]
    return {"page": pages, "rdf": [p.removesuffix(".html") for p in pages], "query": queries}


def _client(base: str, targets: dict[str, list[str]], seconds: float, threads: int,
            seed: int, heavy: bool, out: Any) -> None:
    """One client process: ``threads`` threads, each a keep-alive connection, for ``seconds``."""
    parts = urllib.parse.urlsplit(base)
    host = parts.hostname or "127.0.0.1"
    results: list[tuple[str, float, int]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(index: int) -> None:
        rng = random.Random(seed * 1000 + index)  # noqa: S311 - a load mix, not a secret
        connection = http.client.HTTPConnection(host, parts.port, timeout=60)
        kinds, weights = list(MIX), list(MIX.values())
        mine = []
        while time.monotonic() < deadline:
            kind = "heavy" if heavy and index == 0 else rng.choices(kinds, weights)[0]
            start = time.perf_counter()
            try:
                if kind == "page":
                    connection.request("GET", rng.choice(targets["page"]))
                elif kind == "rdf":
                    connection.request("GET", rng.choice(targets["rdf"]),
                                       headers={"Accept": "text/turtle"})
                else:
                    query = HEAVY if kind == "heavy" else rng.choice(targets["query"])
                    connection.request("GET", "/sparql?" + urllib.parse.urlencode(
                        {"query": query}), headers={"Accept": "application/sparql-results+json"})
                response = connection.getresponse()
                response.read()
                status = response.status
                if kind == "rdf" and status == 303:
                    connection.request("GET", response.getheader("Location", "/"))
                    second = connection.getresponse()
                    second.read()
                    status = second.status
            except (OSError, http.client.HTTPException):
                status = 0
                connection.close()
                connection = http.client.HTTPConnection(host, parts.port, timeout=60)
            mine.append((kind, time.perf_counter() - start, status))
        connection.close()
        with lock:
            results.extend(mine)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.put(results)


def _run_clients(base: str, targets: dict[str, list[str]], clients: int, seconds: float,
                 heavy: bool) -> list[tuple[str, float, int]]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes_count = min(4, clients)
    per = [clients // processes_count + (1 if i < clients % processes_count else 0)
           for i in range(processes_count)]
    processes = [context.Process(target=_client, args=(base, targets, seconds, n, i,
                                                       heavy and i == 0, queue))
                 for i, n in enumerate(per)]
    for process in processes:
        process.start()
    results: list[tuple[str, float, int]] = []
    for _ in processes:
        results += queue.get(timeout=seconds + 120)
    for process in processes:
        process.join(30)
    return results


def _summary(results: list[tuple[str, float, int]], seconds: float) -> dict[str, Any]:
    summary: dict[str, Any] = {"requests": len(results), "rps": len(results) / seconds,
                               "kinds": {}}
    for kind in sorted({k for k, _, _ in results}):
        times = sorted(t for k, t, _ in results if k == kind)
        statuses = [s for k, _, s in results if k == kind]
        errors = sum(1 for s in statuses if s != 200)
        summary["kinds"][kind] = {
            "requests": len(times), "median_ms": statistics.median(times) * 1000,
            "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))] * 1000,
            "errors": errors, "error_rate": errors / len(times),
            "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))}}
    good = [s for _, _, s in results if s != 200]
    summary["error_rate"] = len(good) / max(1, len(results))
    return summary


def load_test(dist: Path, *, clients: int = 32, seconds: float = 30.0,
              query_timeout: float = 3.0) -> dict[str, Any]:
    """Serve a release with its site and measure it under load (see the module's docstring)."""
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "policing_kg", "serve", "--dist", str(dist), "--port", "0",
         "--query-timeout", str(query_timeout)], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if "serving" not in line:
            return {"error": f"serve did not start: {line.strip()}"}
        base = line.split(" on ", 1)[1].split()[0].rstrip("/")
        parts = urllib.parse.urlsplit(base)
        host = parts.hostname or "127.0.0.1"
        for _ in range(300):
            try:
                connection = http.client.HTTPConnection(host, parts.port, timeout=5)
                connection.request("GET", "/sparql?query=ASK%7B%7D")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        targets = _targets(dist)
        _run_clients(base, targets, min(clients, 8), 3.0, heavy=False)  # warm-up
        plain = _summary(_run_clients(base, targets, clients, seconds, heavy=False), seconds)
        loaded = _summary(_run_clients(base, targets, clients, seconds, heavy=True), seconds)
        return {"clients": clients, "seconds": seconds, "query_timeout": query_timeout,
                "plain": plain, "with_heavy_query": loaded}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def report_lines(web: dict[str, Any]) -> list[str]:
    """Write the web results as Markdown."""
    lines = ["## Site and server", "",
             "| graph | triples | site s | peak MB | pages | files | MB on disk |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for label, entry in web.get("site", {}).items():
        s = entry
        if "seconds" not in s:
            lines.append(f"| {label} | {s.get('triples', '')} | {s.get('error')} | | | | |")
            continue
        lines.append(f"| {label} | {s.get('triples', 0):,} | {s['seconds']:.2f} | "
                     f"{s.get('peak_mb', 0):.0f} | {s['pages']:,} | {s['files']:,} | "
                     f"{s['megabytes']:.0f} |")
    load = web.get("load")
    if load and "plain" in load:
        lines += ["", f"`policing-kg serve` on loopback, real graph, {load['clients']} "
                  f"concurrent clients for {load['seconds']:g} s (query time limit "
                  f"{load['query_timeout']:g} s):", "",
                  "| run | kind | requests | req/s | median ms | p99 ms | errors |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for run in ("plain", "with_heavy_query"):
            data = load[run]
            for kind, k in data["kinds"].items():
                lines.append(f"| {run.replace('_', ' ')} | {kind} | {k['requests']:,} | "
                             f"{k['requests'] / load['seconds']:.0f} | {k['median_ms']:.1f} | "
                             f"{k['p99_ms']:.1f} | {k['errors']} "
                             f"({', '.join(f'{s}: {n}' for s, n in k['statuses'].items())}) |")
    elif load:
        lines.append(f"\nload test: {load.get('error')}")
    return lines + [""]


if __name__ == "__main__":  # python -m bench.web DIST: the load test alone, as JSON
    print(json.dumps(load_test(Path(sys.argv[1]), clients=int(sys.argv[2]) if len(sys.argv) > 2
                               else 32, seconds=float(sys.argv[3]) if len(sys.argv) > 3
                               else 30.0), indent=1))
