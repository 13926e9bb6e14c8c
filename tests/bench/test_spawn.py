"""The benchmark's measure of a whole process: its own peak memory, whatever its parent holds."""

from __future__ import annotations

import sys
import tempfile
import time

from ..conftest import ROOT

sys.path.insert(0, str(ROOT))

from bench.spawn import measured  # noqa: E402

ALLOCATE = "import sys; block = bytearray(int(sys.argv[1]) << 20); block[::4096] = b'x' * len(block[::4096])"


def run(*command: str, timeout: float = 120) -> tuple[int | None, float | None, float | None]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        done = measured(list(command), stdout=out, stderr=err, timeout=timeout)
    return done.code, done.seconds, done.peak_mb


def test_a_child_reports_its_own_peak_not_its_parents() -> None:
    held = bytearray(300 << 20)  # the parent holds 300 MB, touched
    held[::4096] = b"x" * len(held[::4096])
    code, seconds, small = run(sys.executable, "-c", "pass")
    assert code == 0 and seconds is not None and seconds > 0
    assert small is not None and small < 100, small  # os.wait4 here would say 300 MB or more
    code, _, large = run(sys.executable, "-c", ALLOCATE, "200")
    assert code == 0 and large is not None and 200 <= large < 300, large
    del held


def test_the_exit_code_is_the_commands_and_a_late_command_is_stopped() -> None:
    assert run(sys.executable, "-c", "raise SystemExit(3)")[0] == 3
    assert run(sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
               )[0] == 128 + 15
    start = time.monotonic()
    assert run("sleep", "30", timeout=0.5) == (None, None, None)
    assert time.monotonic() - start < 10  # stopped, not waited for
