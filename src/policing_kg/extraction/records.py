"""Typed records: what the converters read from the source texts, before any RDF."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

__all__ = ["Span", "ItemKind", "Field", "ItemRecord", "DocumentRecord", "Conversion", "collapse"]


def collapse(text: str) -> str:
    r"""Collapse every run of whitespace (non-breaking spaces included) to one space.

    >>> collapse("But\u00a0stratégique 1 :\n  Être")
    'But stratégique 1 : Être'
    """
    return " ".join(text.split())


@dataclass(frozen=True, order=True)
class Span:
    """A passage of a source file: ``[start, end)`` in Unicode code points of the decoded text.

    These are W3C Web Annotation ``TextPositionSelector`` offsets.
    """

    file: str
    start: int
    end: int


class ItemKind(enum.Enum):
    """The kinds of item; the value is the ontology class's local name."""

    VISION = "Vision"
    MISSION = "Mission"
    MANDATE = "Mandate"
    STRATEGIC_GOAL = "StrategicGoal"
    GLOBAL_POLICING_GOAL = "GlobalPolicingGoal"
    GOAL_STATEMENT = "GoalStatement"
    CROSS_CUTTING_THEME = "CrossCuttingTheme"
    THEME_STATEMENT = "ThemeStatement"
    PROGRAMME_OBJECTIVE = "ProgrammeObjective"
    EXPECTED_OUTCOME = "ExpectedOutcome"


class Field(enum.Enum):
    """Which part of an item a span holds; the value names it in IRIs."""

    LABEL = "label"
    DESCRIPTION = "description"
    HEADING = "heading"


@dataclass(frozen=True)
class ItemRecord:
    """One item of a document, exactly as the source gives it.

    ``path`` is the IRI path below the document (``("goal", "3", "statement", "2")``);
    ``parent`` the path of the item it is listed under, or ``None`` for a top concept.
    ``parent_is_editorial`` marks a parent that the text does not determine (the assignment
    comes from a curation file). ``label`` is ``None`` where the source has no wording.
    """

    document: str
    kind: ItemKind
    path: tuple[str, ...]
    notation: str | None
    position: int
    language: str
    label: str | None
    parent: tuple[str, ...] | None = None
    parent_is_editorial: bool = False
    description: str | None = None
    spans: dict[Field, tuple[Span, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentRecord:
    """A document's own text: its introduction (if any) and where the document sits in its file."""

    document: str
    part: Span
    description: str | None = None
    description_spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Conversion:
    """What one converter made of one document, and the lines it set aside (with reasons)."""

    document: DocumentRecord
    items: tuple[ItemRecord, ...]
    ignored_lines: tuple[tuple[int, str], ...] = ()
