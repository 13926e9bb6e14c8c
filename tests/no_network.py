"""An audit hook that fails any attempt to reach beyond this machine, and records file opens.

conftest.py installs it for the test process; ``python -m tests.no_network ARGS`` runs the
policing-kg command line under it (the hostile-input tests run that way, in a subprocess with
bounded time and memory).
"""

from __future__ import annotations

import sys
from typing import Any

OPENED: list[str] = []


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event in ("socket.connect", "socket.connect_ex") and len(args) > 1:
        address = args[1]
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("::1", "localhost")
                                          or host.startswith("/")):
            raise RuntimeError(f"network access attempted: {address!r}")
    elif event == "socket.getaddrinfo" and args and args[0] not in (None, "localhost",
                                                                     "127.0.0.1", "::1"):
        raise RuntimeError(f"host name lookup attempted: {args[0]!r}")
    elif event == "open" and args and isinstance(args[0], str):
        OPENED.append(args[0])
        del OPENED[:-2000]


_installed = False


def install() -> None:
    """Install the hook once (audit hooks cannot be removed)."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True


if __name__ == "__main__":
    install()
    from policing_kg.cli import main

    sys.argv[0] = "policing-kg"
    main()
