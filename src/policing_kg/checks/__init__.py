"""Checks of the graph and of contributions: SHACL, the vocabulary, consistency, reports.

The constants here are what the command line offers (read without importing the checks).
"""

__all__ = ["REPORT_FORMATS", "SEVERITIES", "DEFAULT_MAX_BYTES"]

#: The formats of a validation report.
REPORT_FORMATS = ("text", "json", "github", "junit")
#: The severities, least severe first (``--fail-on``).
SEVERITIES = ("info", "warning", "violation")
#: The largest contributed file read by default.
DEFAULT_MAX_BYTES = 16 * 1024 * 1024
