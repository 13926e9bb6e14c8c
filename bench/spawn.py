"""Run a command and measure the whole process: its wall-clock time and its own peak memory.

The peak cannot be read from :func:`os.wait4` in the benchmark itself. On Linux a process's
``ru_maxrss`` keeps the high-water mark of the memory it had before ``exec``: a child forked
by the benchmark, which holds hundreds of megabytes at 1 M triples, reports at least that much,
however little it uses (a child that allocates nothing reported 510 MB under a parent of
500 MB). So the command is started by a small interpreter of its own (about 8 MB), which
forks, runs the command, and writes the ``wait4`` figures of its child: that child's peak is
then its own (at least the small interpreter's), as ``/usr/bin/time`` gives it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = ["Run", "measured"]

# -I -S: no site, no user paths; os, sys and time are all it imports before the fork
_STARTER = """\
import os, sys, time
out, command = sys.argv[1], sys.argv[2:]
start = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(command[0], command)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.monotonic() - start
with open(out, "w") as handle:
    handle.write('{"seconds": %r, "peak_kb": %d}' % (seconds, usage.ru_maxrss))
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


@dataclass(frozen=True)
class Run:
    """How a command ended: its exit code, wall-clock seconds and peak memory (MB).

    All three are None when the command was stopped at its time limit; ``seconds`` and
    ``peak_mb`` are None when the small interpreter could not start it.
    """

    code: int | None
    seconds: float | None
    peak_mb: float | None


def measured(command: list[str], *, stdout: IO[Any], stderr: IO[Any], timeout: float,
             cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` (see the module's docstring); stop it and its children at ``timeout``."""
    with tempfile.TemporaryDirectory(prefix="bench-spawn-") as folder:
        figures = Path(folder) / "figures.json"
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-I", "-S", "-c", _STARTER, str(figures), *command], cwd=cwd,
            env=env, stdout=stdout, stderr=stderr, start_new_session=True)
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return Run(None, None, None)
        try:
            found = json.loads(figures.read_text("utf-8"))
        except (OSError, ValueError):  # the starter itself failed
            return Run(code, None, None)
        return Run(code, float(found["seconds"]), found["peak_kb"] / 1024)
