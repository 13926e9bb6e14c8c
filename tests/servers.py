"""Misbehaving HTTP servers on loopback, for the hostile tests of every command that makes a
request: each mode is a way a server (or an attacker posing as one) can fail a client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["serve", "listener", "proxy", "MODES"]

_JSON = "application/sparql-results+json"
_HTML_406 = (b'<?xml version="1.0"?>\n<!DOCTYPE html>\n<html><head><title>406</title>'
             b"<style>body { color: red }</style></head>\n<body><h1>Not&nbsp;Acceptable</h1>\n"
             b"<p>An appropriate representation of the resource could not be found.</p>"
             b"</body></html>")


def _reply(status: str, body: bytes, content_type: str = _JSON,
           extra: str = "") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n").encode() + body


def _handle(mode: str, connection: socket.socket, target: str, stop: threading.Event) -> None:
    if mode == "hang":  # accepts, reads, says nothing
        stop.wait(120)
    elif mode == "drip":  # a byte every half second, for ever
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: " + _JSON.encode() + b"\r\n\r\n")
        while not stop.is_set():
            connection.sendall(b" ")
            time.sleep(0.5)
    elif mode == "drip-headers":  # the headers themselves never end
        while not stop.is_set():
            connection.sendall(b"X")
            time.sleep(0.5)
    elif mode == "endless":  # an answer that never ends, as fast as it goes
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: " + _JSON.encode() + b"\r\n\r\n")
        block = b"[" * 65536
        while not stop.is_set():
            connection.sendall(block)
    elif mode == "oversized":  # announces 5 GB
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: " + _JSON.encode()
                           + b"\r\nContent-Length: 5368709120\r\n\r\n{")
        stop.wait(5)
    elif mode == "malformed":
        connection.sendall(_reply("200 OK", b"{\"head\": {\"vars\": [\"x\"]}, \"results\": {"))
    elif mode == "no-head":
        connection.sendall(_reply("200 OK", b'{"results": {"bindings": []}}'))
    elif mode == "bad-bindings":
        connection.sendall(_reply("200 OK",
                                  b'{"head": {"vars": ["x"]}, "results": {"bindings": [1, "a"]}}'))
    elif mode == "escapes":  # an error whose text would drive the terminal
        connection.sendall(_reply("500 Internal Server Error",
                                  b"\x1b[2J\x1b[31mowned\x1b]0;title\x07\r\nsecond line",
                                  "text/plain"))
    elif mode == "redirect-ftp":
        port = target  # the port of a listener standing in for an FTP server
        connection.sendall(_reply("302 Found", b"", "text/plain",
                                  f"Location: ftp://127.0.0.1:{port}/sdg.ttl\r\n"))
    elif mode == "redirect-away":  # to another origin: credentials must not follow
        connection.sendall(_reply("307 Temporary Redirect", b"", "text/plain",
                                  f"Location: http://localhost:{target}/elsewhere\r\n"))
    elif mode == "redirect-loop":
        connection.sendall(_reply("302 Found", b"", "text/plain", "Location: /again\r\n"))
    elif mode == "unauthorized":  # asks for credentials, and refuses any it is given
        connection.sendall(_reply("401 Unauthorized", b"<html><body>Unauthorized</body></html>",
                                  "text/html", 'WWW-Authenticate: Basic realm="store"\r\n'))
    elif mode == "forbidden":  # a read-only endpoint, as `policing-kg serve` answers an update
        connection.sendall(_reply("403 Forbidden", b"updates are not accepted here",
                                  "text/plain"))
    elif mode == "not-acceptable-html":  # a refusal written for browsers
        connection.sendall(_reply("406 Not Acceptable", _HTML_406, "text/html"))
    elif mode == "ok-empty":
        connection.sendall(_reply("200 OK",
                                  b'{"head": {"vars": ["x"]}, "results": {"bindings": []}}'))
    else:
        raise ValueError(mode)


MODES = ("hang", "drip", "drip-headers", "endless", "oversized", "malformed", "no-head",
         "bad-bindings", "escapes", "redirect-ftp", "redirect-away", "redirect-loop",
         "unauthorized", "forbidden", "not-acceptable-html", "ok-empty")


@contextmanager
def _accepting(handle: Callable[[socket.socket], None]) -> Iterator[tuple[int, threading.Event]]:
    """A loopback port whose every connection ``handle`` gets, in a thread of its own."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=handle, args=(connection,), daemon=True).start()

    threading.Thread(target=run, daemon=True).start()
    try:
        yield server.getsockname()[1], stop
    finally:
        stop.set()
        server.close()


@contextmanager
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP port that records what each connection sends (an FTP server would greet)."""
    received: list[bytes] = []

    def record(connection: socket.socket) -> None:
        connection.settimeout(1)
        try:
            received.append(connection.recv(4096) or b"(connected)")
        except OSError:
            received.append(b"(connected)")
        connection.close()

    with _accepting(record) as (port, _):
        yield port, received


@contextmanager
def serve(mode: str, target: str = "") -> Iterator[tuple[str, list[bytes]]]:
    """Serve ``mode`` on a loopback port; yield its URL and the requests it received."""
    requests: list[bytes] = []
    stopping: list[threading.Event] = []

    def one(connection: socket.socket) -> None:
        connection.settimeout(2)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        requests.append(data)
        try:
            _handle(mode, connection, target, stopping[0])
        except OSError:
            pass
        finally:
            connection.close()

    with _accepting(one) as (port, stop):
        stopping.append(stop)
        yield f"http://127.0.0.1:{port}/sparql", requests


@contextmanager
def proxy(target: str, cut: Callable[[bytes], bool],
          for_good: bool = True) -> Iterator[tuple[str, list[bytes]]]:
    """Forward every request to ``target`` (``http://host:port``), until ``cut(request)``: that
    connection is closed unanswered, and with ``for_good`` every later one too (a store that
    dies), else only that one (a connection dropped once). Yield the proxy's base URL and the
    requests it received."""
    import http.client
    import urllib.parse

    parts = urllib.parse.urlsplit(target)
    requests: list[bytes] = []
    dead: list[bool] = []

    def one(connection: socket.socket) -> None:
        connection.settimeout(60)
        try:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, body = data.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
            length = int(next((v for k, v in headers.items() if k.lower() == "content-length"),
                              "0"))
            while len(body) < length:
                chunk = connection.recv(65536)
                if not chunk:
                    return
                body += chunk
            requests.append(head + b"\r\n\r\n" + body)
            if dead or cut(head + b"\r\n\r\n" + body):
                if for_good:
                    dead.append(True)
                return  # closed without an answer
            method, path, _ = lines[0].split(" ", 2)
            upstream = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
            sent = {k: v for k, v in headers.items() if k.lower() not in ("host", "connection")}
            upstream.request(method, path, body=body, headers=sent)
            answer = upstream.getresponse()
            content = answer.read()
            kept = "".join(f"{k}: {v}\r\n" for k, v in answer.getheaders() if k.lower() not in (
                "content-length", "transfer-encoding", "connection"))
            connection.sendall(f"HTTP/1.1 {answer.status} {answer.reason}\r\n{kept}"
                               f"Content-Length: {len(content)}\r\nConnection: close\r\n\r\n"
                               .encode("latin-1") + content)
            upstream.close()
        except OSError:
            pass
        finally:
            connection.close()

    with _accepting(one) as (port, _):
        yield f"http://127.0.0.1:{port}", requests
