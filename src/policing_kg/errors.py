"""Errors a user can cause: each renders as one line saying what, where and what to do.

Several problems found in one pass are raised together as :class:`Problems`, whose text is one
line per problem (up to :data:`PROBLEM_LIMIT`, then how many more), so that a contributor sees
every problem at once, not only the first.

Exit codes, as the README's table defines them, whichever command finds the problem
(``build``, ``lint``, ``crosswalk check``):

- **1**, the contribution does not conform: a curated record that reads well but says something
  wrong about the graph (a mapping row with no SEMAPV justification, an unknown item, a
  confidence out of range, a row stated twice; a translation whose ``from`` is not the item's
  text) — :class:`NonConformingData`, :class:`NotConforming`;
- **2**, bad input or usage: a file that cannot be read as what it claims to be (syntax, a
  missing column, an unknown key, a source line no converter can place) — :class:`DataError`,
  :class:`SourceError`.
"""

from __future__ import annotations

__all__ = ["PolicingKGError", "SourceError", "DataError", "NotConforming", "NonConformingData",
           "Problems", "PROBLEM_LIMIT"]


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


class NonConformingData(DataError, NotConforming):
    """A curated record that reads, but does not conform (exit 1).

    A bad mapping row, a translation of another text. Still a :class:`DataError`, for code that
    catches those.
    """


#: How many problems a :class:`Problems` lists before it says how many more there are.
PROBLEM_LIMIT = 20


class Problems(DataError):
    """Several problems found in one pass, each one line (``file:line: what — what to do``).

    Its text (``str(exc)`` and :meth:`line`) is the problems one a line, grouped by file in the
    order found, up to :data:`PROBLEM_LIMIT`; the exit code is 2 if one problem is bad input, 1
    if all are problems of conformance. A single problem reads exactly as on its own.
    """

    def __init__(self, problems: list[PolicingKGError], *, what: str = "problem(s)",
                 limit: int = PROBLEM_LIMIT) -> None:
        if not problems:
            raise ValueError("Problems needs at least one problem")
        files: dict[str, list[PolicingKGError]] = {}  # grouped by file, in the order found
        for problem in problems:
            files.setdefault((problem.where or "").split(":", 1)[0].split(" (", 1)[0],
                             []).append(problem)
        self.problems = [p for group in files.values() for p in group]
        self.limit = limit
        self.exit_code = max(p.exit_code for p in self.problems)
        first = self.problems[0]
        if len(self.problems) == 1:
            PolicingKGError.__init__(self, first.what, where=first.where, hint=first.hint)
        else:
            PolicingKGError.__init__(self, f"{len(self.problems)} {what}")

    def line(self) -> str:
        """Return the problems, one a line (the first line counts them)."""
        if len(self.problems) == 1:
            return self.problems[0].line()
        shown = [p.line() for p in self.problems[: self.limit]]
        rest = len(self.problems) - len(shown)
        more = [f"… and {rest} more (fix these, then run again)"] if rest else []
        return "\n".join([f"{self.what}:", *(f"  {line}" for line in shown), *more])

    def __str__(self) -> str:
        return self.line()

    @staticmethod
    def raise_if_any(problems: list[PolicingKGError], *, what: str = "problem(s)") -> None:
        """Raise the problems together (the one problem alone), or do nothing if there are none."""
        if len(problems) == 1:
            raise problems[0]
        if problems:
            raise Problems(problems, what=what)
