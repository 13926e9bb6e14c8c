"""The translators' glossary: one English term for each recurring French term, checked.

``data/labels/glossary.toml`` lists terms (``fr`` forms, ``en`` forms). For every translation
from French into English, a term's French form in the text translated must be rendered by one
of its English forms, so that a recurring term reads the same in every document. (The few
translations into French, of the English FCAC objectives, are not held to it: an English word
such as "crime" has several French renderings, by what it names.) Case,
apostrophes (’ or ') and spacing do not matter. A term must recur: it must occur in the texts
of at least two translations, or it has no place in the glossary.

>>> fold("L’Application  de la LOI")
"l'application de la loi"
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from policing_kg.common import datafiles as typed
from policing_kg.curation.labels import LabelRecord, LabelRole
from policing_kg.errors import DataError, PolicingKGError, Problems

__all__ = ["GlossaryTerm", "load_glossary", "check_glossary", "fold"]


def fold(text: str) -> str:
    """Return text as the glossary compares it: lower case, straight apostrophes, one space."""
    return " ".join(text.replace("\u2019", "'").replace("\u00a0", " ").casefold().split())


@dataclass(frozen=True)
class GlossaryTerm:
    """A term in both languages: the forms each language may take."""

    forms: dict[str, tuple[str, ...]]
    note: str | None
    where: str

    def found(self, language: str, text: str) -> str | None:
        """Return the first form of the term in ``language`` that ``text`` holds."""
        folded = fold(text)
        return next((f for f in self.forms[language] if fold(f) in folded), None)


def load_glossary(path: Path) -> tuple[GlossaryTerm, ...]:
    """Read the glossary; every term needs at least one form in French and in English."""
    terms = []
    for n, record in enumerate(typed.records(typed.load_toml(path), "term", str(path)), 1):
        where = f"{path} (term {n})"
        forms = {language: tuple(typed.strings(record, language, where))
                 for language in ("fr", "en")}
        for language, found in forms.items():
            if not found or not all(f.strip() for f in found):
                raise DataError(f"`{language}` needs at least one form, none empty", where=where)
        terms.append(GlossaryTerm(forms, typed.optional_text(record, "note", where), where))
    return tuple(terms)


def check_glossary(terms: Iterable[GlossaryTerm], labels: Iterable[LabelRecord]) -> None:
    """Fail on English translations that render a term otherwise, or on terms not recurring.

    Every problem is reported at once (:class:`Problems`); each names the translation's record
    and the term's, and the forms expected.
    """
    translations = [label for label in labels
                    if label.role is LabelRole.TRANSLATION and label.language == "en"]
    problems: list[PolicingKGError] = []
    for term in terms:
        uses = 0
        for label in translations:
            form = term.found("fr", label.translated_from or "")
            if form is None:
                continue
            uses += 1
            if term.found(label.language, label.text) is None:
                wanted = " or ".join(f"«{f}»" for f in term.forms[label.language])
                problems.append(DataError(
                    f"the translation of {label.item} renders «{form}» without the glossary's "
                    f"{wanted} ({term.where})", where=label.where,
                    hint="use the glossary's term, or change the glossary for every document"))
        if uses < 2:
            problems.append(DataError(
                f"the term «{term.forms['fr'][0]}» occurs in {uses} translated text(s): the "
                "glossary holds recurring terms only", where=term.where,
                hint="remove it, or check its forms"))
    Problems.raise_if_any(problems, what="glossary problem(s)")
