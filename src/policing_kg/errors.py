"""Errors a user can cause: each renders as one line saying what, where and what to do."""

from __future__ import annotations

__all__ = ["PolicingKGError", "SourceError", "DataError", "NotConforming"]


class PolicingKGError(Exception):
    """An error caused by input or usage, shown to the user as one line (never a traceback).

    ``exit_code`` is what the command line exits with: 2 for bad input or usage.
    """

    exit_code = 2

    def __init__(self, what: str, *, where: str | None = None, hint: str | None = None) -> None:
        self.what = what
        self.where = where
        self.hint = hint
        super().__init__(self.line())

    def line(self) -> str:
        """Return the one-line message: ``where: what (hint)``."""
        text = f"{self.where}: {self.what}" if self.where else self.what
        return f"{text} — {self.hint}" if self.hint else text


class SourceError(PolicingKGError):
    """A source text that a converter cannot read (the ``where`` is ``file:line``)."""


class DataError(PolicingKGError):
    """A curated data file (manifest, labels, curation) that is malformed or out of date."""


class NotConforming(PolicingKGError):
    """What was checked does not conform (exit code 1): a graph, a mapping set."""

    exit_code = 1
