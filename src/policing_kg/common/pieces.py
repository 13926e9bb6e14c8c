r"""Large files read in pieces, with the defences of :mod:`policing_kg.common.reading`.

A contribution of a million statements is a quarter of a gigabyte of text: its checks are made
piece by piece (:func:`check_pieces`: the errors of :func:`~.reading.decode`, in the same
order), and the parser reads the file itself, through the same cap (:class:`CappedReader`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from policing_kg.common.reading import InputError, _over, _regular_size, decode

__all__ = ["PIECE", "read_pieces", "CappedReader", "check_pieces"]


#: The size of the pieces a large file is read in.
PIECE = 1 << 23


def read_pieces(path: Path, max_bytes: int, *, hint: str = "raise --max-bytes"
                ) -> Iterator[bytes]:
    r"""Read a regular file as :func:`read_capped` does, in pieces that each end at a ``\n``.

    (The last piece ends where the file does.) A line is never cut, nor a UTF-8 character:
    ``\n`` is never part of one. Nothing but the piece at hand is kept.
    """
    size = _regular_size(path, max_bytes, hint)
    try:
        with path.open("rb") as handle:
            total, rest = 0, b""
            while True:
                block = handle.read(PIECE)
                total += len(block)
                if total > max_bytes:
                    raise _over(path, max_bytes, size, hint)
                if not block:
                    break
                block = rest + block if rest else block
                cut = block.rfind(b"\n") + 1
                rest = block[cut:]
                if cut:
                    yield block[:cut]
            if rest:
                yield rest
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror})", where=str(path)) from None


class CappedReader(io.RawIOBase):
    """A file read by a parser, with the cap of :func:`read_capped` (``over`` says it was hit).

    A parser that calls back into Python may not pass an exception on as it is: at the cap the
    reader ends the file, and the caller raises :meth:`error`.
    """

    def __init__(self, path: Path, max_bytes: int, hint: str = "raise --max-bytes") -> None:
        super().__init__()
        self.path, self.max_bytes, self.hint = path, max_bytes, hint
        self.size = _regular_size(path, max_bytes, hint)
        try:
            self._handle = path.open("rb")
        except OSError as exc:
            raise InputError(f"cannot read it ({exc.strerror})", where=str(path)) from None
        self.total = 0
        self.over = False

    def readable(self) -> bool:
        """Return that it can be read (it can)."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Read into ``buffer``; at the cap, end the file."""
        if self.over:
            return 0
        count = self._handle.readinto(buffer)
        self.total += count
        if self.total > self.max_bytes:
            self.over = True
            return 0
        return count

    def close(self) -> None:
        """Close the file."""
        self._handle.close()
        super().close()

    def error(self) -> InputError:
        """Return the error to raise when the cap was hit."""
        return _over(self.path, self.max_bytes, self.size, self.hint)


def check_pieces(where: str, pieces: Iterable[bytes],
                 text: Callable[[int, str], None] | None = None) -> None:
    """Make the checks of :func:`decode` on a file read in pieces (the same errors, in order).

    ``text`` is given each piece as text, with the number of its first line, until a fault.
    """
    blank, start, lines = True, b"", 0
    nul: int | None = None
    bad: tuple[int, int, int] | None = None
    for piece in pieces:
        if not start:
            start = piece[:3]
        if blank and piece.strip():
            blank = False
        if nul is None:
            index = piece.find(b"\x00")
            if index >= 0:
                nul = lines + piece.count(b"\n", 0, index) + 1
        if bad is None and nul is None:
            try:
                decoded = piece.decode("utf-8")
            except UnicodeDecodeError as exc:
                column = exc.start - (piece.rfind(b"\n", 0, exc.start) + 1) + 1
                bad = (lines + piece.count(b"\n", 0, exc.start) + 1, column, piece[exc.start])
            else:
                if text is not None:
                    text(lines + 1, decoded)
                del decoded
        lines += piece.count(b"\n")
    if blank:
        decode(where, b"")  # the error of an empty file
    if start.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        decode(where, start)  # the error of its byte-order mark
    if nul is not None:
        raise InputError("contains a NUL byte", where=f"{where}:{nul}",
                         hint="the file is binary or corrupted: save it as UTF-8 text")
    if bad is not None:
        line, column, byte = bad
        raise InputError(f"not UTF-8 (byte 0x{byte:02x})", where=f"{where}:{line}:{column}",
                         hint="save the file as UTF-8 (it looks like Latin-1 or another "
                         "legacy encoding)")
