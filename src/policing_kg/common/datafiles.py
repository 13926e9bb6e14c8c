"""Typed reading of curated data files (TOML tables, YAML headers).

A value of the wrong type is one line that names the file, the record and the key, never a
traceback.

>>> text({"id": 3}, "id", "manifest.toml (document 1)")
Traceback (most recent call last):
...
policing_kg.errors.DataError: manifest.toml (document 1): `id` must be text, not an integer
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from policing_kg.errors import DataError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["load_toml", "loads_toml", "text", "optional_text", "integer", "table", "records",
           "strings", "kind_of"]

_KINDS = {str: "text", bool: "true or false", int: "an integer", float: "a number",
          dict: "a table", list: "a list"}


def kind_of(value: Any) -> str:
    """Return how a value's type is called in a data file."""
    for python, name in _KINDS.items():
        if type(value) is python:
            return name
    return type(value).__name__


def _wrong(key: str, wanted: str, value: Any, where: str) -> DataError:
    return DataError(f"`{key}` must be {wanted}, not {kind_of(value)}", where=where)


def text(record: dict[str, Any], key: str, where: str) -> str:
    """Return a required text value (not empty)."""
    if key not in record:
        raise DataError(f"`{key}` is missing", where=where)
    value = record[key]
    if not isinstance(value, str):
        raise _wrong(key, "text", value, where)
    if not value.strip():
        raise DataError(f"`{key}` is empty", where=where)
    return value


def optional_text(record: dict[str, Any], key: str, where: str) -> str | None:
    """Return an optional text value."""
    if record.get(key) is None:
        return None
    return text(record, key, where)


def integer(record: dict[str, Any], key: str, where: str) -> int:
    """Return a required integer (``true`` is not one)."""
    if key not in record:
        raise DataError(f"`{key}` is missing", where=where)
    value = record[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise _wrong(key, "an integer", value, where)
    return value


def table(value: Any, key: str, where: str) -> dict[str, Any]:
    """Return a table (TOML) or mapping (YAML)."""
    if not isinstance(value, dict):
        raise _wrong(key, "a table", value, where)
    return value


def records(data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """Return an array of tables (``[[key]]``), empty when absent."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise DataError(f"`{key}` must be an array of tables ([[{key}]]), not "
                        f"{kind_of(value)}", where=where)
    return value


def strings(record: dict[str, Any], key: str, where: str) -> list[str]:
    """Return an optional list of texts, empty when absent."""
    value = record.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataError(f"`{key}` must be a list of texts", where=where)
    return value


def loads_toml(text: str, where: str) -> dict[str, Any]:
    """Read TOML text; a syntax error becomes one line naming ``where``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"not valid TOML: {exc}", where=where, hint="fix the syntax") from None


def load_toml(path: Path) -> dict[str, Any]:
    """Read a TOML data file; a syntax error becomes one line naming the file and line."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise DataError("file not found", where=str(path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"not valid TOML: {exc}", where=str(path), hint="fix the syntax") from None
    except OSError as exc:
        raise DataError(f"cannot read it ({exc.strerror})", where=str(path)) from None
