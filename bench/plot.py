"""Draw how each stage's time grows with the graph's size, from ``bench/results/bench.json``.

Run as: python -m bench.plot [--results bench/results/bench.json] [--out bench/results/scaling.png]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: stage -> (our engine, the peer)
SERIES = {"load": ("pyoxigraph load", "rdflib load"),
          "validate": ("policing-kg validate", "pyshacl"),
          "infer": ("SPARQL materialisation", "HermiT"),
          "serialise": ("pyoxigraph dumps (slowest format)", "rdflib Turtle"),
          "queries": ("pyoxigraph, slowest stored query",
                      "rdflib, slowest stored query that finished in 60 s")}

#: Apache Jena's series: (stage, where its figures are under the stage) -> label
JENA = {("validate", ("engines", "jena")): "Jena SHACL (whole JVM)",
        ("queries", ("jena",)): "Jena ARQ (TDB2), slowest stored query"}


def points(results: dict[str, Any], stage: str, side: str | tuple[str, ...]) -> list[
        tuple[int, float]]:
    """(triples, seconds) of one stage and engine, where it ran."""
    found = []
    for entry in results["sizes"].values():
        data = entry["stages"].get(stage, {})
        for step in (side,) if isinstance(side, str) else side:
            data = data.get(step, {})
        if isinstance(data.get("seconds"), float):
            found.append((entry["triples"], data["seconds"]))
    return sorted(found)


def main() -> None:
    """Write the plot (deterministic bytes: no date, no software stamp)."""
    parser = argparse.ArgumentParser(prog="python -m bench.plot")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results" / "bench.json")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scaling.png")
    args = parser.parse_args()
    if not args.results.is_file():
        parser.exit(2, f"error: {args.results}: no results — run `make bench` first\n")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = json.loads(args.results.read_text("utf-8"))
    figure, axes = plt.subplots(figsize=(9, 5.5), dpi=100)
    for index, (stage, (ours, peer)) in enumerate(SERIES.items()):
        colour = f"C{index}"
        for side, label, style in (("ours", ours, "-o"), ("peer", peer, "--x")):
            data = points(results, stage, side)
            if data:
                axes.plot([x for x, _ in data], [y for _, y in data], style, color=colour,
                          label=label)
    for (stage, where), label in JENA.items():
        data = points(results, stage, where)
        if data:
            axes.plot([x for x, _ in data], [y for _, y in data], ":s", color="C5"
                      if stage == "validate" else "C6", label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("triples in the synthetic graph")
    axes.set_ylabel("seconds (log)")
    axes.set_title("policing-kg and its peers: time by graph size")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8, ncol=2)
    figure.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.out, format="png", metadata={"Software": None})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
