"""The SHACL engines of PyPI that the benchmark runs beside the project's.

Each has its own virtual environment under ``bench/results/peers/``, made on first use, with
a pinned version.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = ["PEERS", "peer_python"]

#: name -> the requirement installed into its environment (pinned: figures must be comparable)
PEERS = {
    "pyshacl-turbo": "pyshacl-turbo==0.6.5",
    "shacl": "shacl==0.3.4",
    "shacl-rust": "shacl-rust==0.2.12",
    "pyrudof": "pyrudof==0.3.35",
}


def peer_python(name: str, root: Path) -> Path:
    """Return the Python of the peer's environment, creating and filling it if need be."""
    folder = root / name
    python = folder / "bin" / "python"
    stamp = folder / ".installed"
    if stamp.is_file() and stamp.read_text("utf-8") == PEERS[name]:
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)  # noqa: S603
    subprocess.run([str(python), "-m", "pip", "install", "--quiet",  # noqa: S603
                    "--disable-pip-version-check", PEERS[name]], check=True, timeout=900)
    stamp.write_text(PEERS[name], "utf-8")
    return python
