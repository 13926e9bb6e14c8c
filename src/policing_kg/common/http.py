"""The one HTTP client of the program: a total deadline, a size cap, careful redirects.

Every request the program makes (``query --endpoint``, ``load``, ``sdg import URL``) goes
through :func:`request`:

- one **total deadline** for connecting, sending, the headers and the whole body: a server that
  drips a byte every half second is cut off when the time is up (a watchdog shuts the socket);
- a **cap on the answer's size**, checked on ``Content-Length`` before reading and on the bytes
  read;
- **redirects** followed only to ``http(s)``, at most five, and never with credentials to
  another origin;
- HTTP Basic and Digest authentication when the server asks for it;
- every failure one :class:`~policing_kg.errors.PolicingKGError` line, with what the server said
  cleaned of control characters and cut short.

The program touches no network but at the URLs the user gives.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import math
import os
import re
import socket
import ssl
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from policing_kg.common.text import clean
from policing_kg.errors import PolicingKGError

__all__ = ["Response", "request", "check_url", "DEFAULT_MAX_BYTES", "check_timeout",
           "readable"]

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)
_MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
#: characters RFC 3986 never allows in a URL as they are (they must be percent-encoded)
_NOT_IN_URLS = re.compile(r'["<>\\^`{|}]')
_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")


def readable(body: bytes, media_type: str = "", limit: int = 200) -> str:
    r"""Return what a server said as one line of text: HTML reduced to its words, cut at ``limit``.

    >>> readable(b"<html><head><title>x</title></head><body><h1>Not&nbsp;Acceptable</h1>"
    ...          b"<p>Try\nagain</p></body></html>", "text/html")
    'Not Acceptable Try again'
    """
    import html

    text = body[: 64 * 1024].decode("utf-8", "replace")
    if "html" in media_type or text.lstrip()[:1] == "<" and "<html" in text[:2000].lower():
        text = html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", text)))
    return clean(text.replace("\xa0", " "), limit)


def check_timeout(seconds: float) -> float:
    """Return the timeout, refusing what is not a number of seconds from 0.1 to one day."""
    if not isinstance(seconds, (int, float)) or math.isnan(seconds) \
            or not 0.1 <= seconds <= 86400:
        raise PolicingKGError(f"timeout {seconds!r} is not between 0.1 and 86400 seconds",
                              hint="give --timeout SECONDS")
    return float(seconds)


def check_url(url: str) -> urllib.parse.SplitResult:
    """Refuse what is not a plain http(s) URL with a host: one line, before any request."""
    if not isinstance(url, str) or not url or len(url) > 8192:
        raise PolicingKGError("not a URL (empty or longer than 8192 characters)",
                              hint="give an http:// or https:// URL")
    if clean(url, len(url) + 1) != url or any(c.isspace() for c in url):
        raise PolicingKGError(f"the URL {clean(url, 80)!r} has spaces or control characters",
                              hint="percent-encode them (%20)")
    bad = _NOT_IN_URLS.search(url)
    if bad:
        raise PolicingKGError(f"the URL {clean(url, 80)!r} holds {bad.group()!r}, which a URL "
                              "may not hold as is", hint=f"percent-encode it ({bad.group()!r} "
                              f"is %{ord(bad.group()):02X})")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise PolicingKGError(f"not a valid URL ({exc}): {clean(url, 80)}") from None
    if parts.scheme not in ("http", "https"):
        raise PolicingKGError(f"not an http(s) URL: {clean(url, 80)!r}",
                              hint="only http:// and https:// are fetched")
    if not parts.hostname:
        raise PolicingKGError(f"the URL has no host: {clean(url, 80)!r}")
    if port is not None and not 0 < port < 65536:
        raise PolicingKGError(f"the URL's port {port} is out of range")
    return parts


@dataclass
class Response:
    """An answer read in full (within the cap)."""

    url: str
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes = field(repr=False)

    @property
    def media_type(self) -> str:
        """The media type of ``Content-Type``, lower case, without parameters."""
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


class _Deadline:
    """Shuts a socket when the time is up, so that no read waits past it."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            self.expired = True
            raise TimeoutError
        return left

    def watch(self, sock: socket.socket | None) -> None:
        if sock is not None:
            self._sockets.append(sock)

    def _expire(self) -> None:
        self.expired = True
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self._timer.cancel()


def _origin(parts: urllib.parse.SplitResult) -> tuple[str, str, int]:
    return (parts.scheme, (parts.hostname or "").lower(),
            parts.port or (443 if parts.scheme == "https" else 80))


def _digest(challenge: str, method: str, parts: urllib.parse.SplitResult, user: str,
            password: str) -> str:
    fields = dict(re.findall(r'(\w+)="?([^",]*)"?', challenge))
    realm, nonce = fields.get("realm", ""), fields.get("nonce", "")
    algorithm = fields.get("algorithm", "MD5").upper()
    if algorithm not in ("MD5", "SHA-256"):
        raise PolicingKGError(f"the server asks for Digest {algorithm}, which is not supported")

    def h(text: str) -> str:
        digest = hashlib.md5 if algorithm == "MD5" else hashlib.sha256  # noqa: S324 (RFC 7616)
        return digest(text.encode("utf-8")).hexdigest()

    uri = parts.path or "/"
    if parts.query:
        uri += "?" + parts.query
    ha1, ha2 = h(f"{user}:{realm}:{password}"), h(f"{method}:{uri}")
    qop = "auth" if "auth" in fields.get("qop", "").split(",") else ""
    cnonce = os.urandom(8).hex()
    if qop:
        response = h(f"{ha1}:{nonce}:00000001:{cnonce}:{qop}:{ha2}")
    else:
        response = h(f"{ha1}:{nonce}:{ha2}")
    header = (f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
              f'response="{response}", algorithm={algorithm}')
    if "opaque" in fields:
        header += f', opaque="{fields["opaque"]}"'
    if qop:
        header += f", qop={qop}, nc=00000001, cnonce=\"{cnonce}\""
    return header


def _once(method: str, parts: urllib.parse.SplitResult, body: bytes | None,
          headers: dict[str, str], deadline: _Deadline, max_bytes: int) -> Response:
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname or "", parts.port,
                                                 timeout=deadline.left(),
                                                 context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port,
                                                timeout=deadline.left())
    try:
        connection.connect()
        deadline.watch(connection.sock)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(method, target, body=body, headers=headers)
        except (BrokenPipeError, ConnectionResetError):
            # the server answered (a 401 challenge, a 413) and closed before it read the whole
            # body: read that answer; with none, getresponse fails and the error says so
            pass
        response = connection.getresponse()
        length = response.getheader("Content-Length")
        if length is not None and length.strip().isdigit() and int(length) > max_bytes:
            raise PolicingKGError(f"the answer would be {int(length)} bytes, over the limit of "
                                  f"{max_bytes}", hint="raise --max-bytes if it is expected")
        chunks: list[bytes] = []
        total = 0
        while True:
            deadline.left()
            if connection.sock is not None:
                connection.sock.settimeout(deadline.left())
            chunk = response.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise PolicingKGError(f"the answer is over the limit of {max_bytes} bytes",
                                      hint="raise --max-bytes if it is expected")
            chunks.append(chunk)
        return Response("", response.status, response.reason,
                        {k.lower(): v for k, v in response.getheaders()}, b"".join(chunks))
    finally:
        connection.close()


def request(method: str, url: str, *, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 60.0,
            max_bytes: int = DEFAULT_MAX_BYTES, user: str | None = None,
            password: str | None = None) -> Response:
    """Make one HTTP request (redirects and authentication included) within ``timeout``.

    Returns the final response, whatever its status; raises one line on a network failure, a
    deadline passed, an answer too large or a redirect that is refused.
    """
    timeout = check_timeout(timeout)
    parts = check_url(url)
    first = _origin(parts)
    sent = dict(headers or {})
    sent.setdefault("User-Agent", "policing-kg")
    deadline = _Deadline(timeout)
    authorised = False
    try:
        for _ in range(_MAX_REDIRECTS + 1):
            same_origin = _origin(parts) == first
            if not same_origin:
                sent.pop("Authorization", None)  # never send credentials elsewhere
            response = _once(method, parts, body, sent, deadline, max_bytes)
            response.url = urllib.parse.urlunsplit(parts)
            if response.status == 401 and user is not None and same_origin and not authorised:
                challenge = response.headers.get("www-authenticate", "")
                if challenge.lower().startswith("digest"):
                    sent["Authorization"] = _digest(challenge, method, parts, user,
                                                    password or "")
                else:
                    token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
                    sent["Authorization"] = f"Basic {token}"
                authorised = True
                continue
            if response.status not in _REDIRECTS:
                return response
            location = response.headers.get("location", "")
            target = urllib.parse.urljoin(urllib.parse.urlunsplit(parts), location)
            try:
                parts = check_url(target)
            except PolicingKGError as exc:
                raise PolicingKGError(f"refused a redirect to {clean(location, 80)!r} "
                                      f"({exc.what})", where=response.url) from None
            if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                method, body = "GET", None
                sent.pop("Content-Type", None)
        raise PolicingKGError(f"more than {_MAX_REDIRECTS} redirects", where=url)
    except PolicingKGError:
        raise
    except TimeoutError:
        raise PolicingKGError(f"no complete answer within {timeout:g} s", where=url,
                              hint="is the server up and the URL right? (--timeout)") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if deadline.expired:
            raise PolicingKGError(f"no complete answer within {timeout:g} s", where=url,
                                  hint="is the server up and the URL right? (--timeout)"
                                  ) from None
        reason = clean(str(getattr(exc, "reason", "") or exc or type(exc).__name__), 120)
        raise PolicingKGError(f"cannot reach the server ({reason})", where=url,
                              hint="is it running, and is the URL right?") from None
    finally:
        deadline.cancel()
