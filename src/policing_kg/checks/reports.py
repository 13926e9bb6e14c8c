"""Validation reports for people and for CI: text, JSON, GitHub workflow commands, JUnit XML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import replace
from itertools import groupby

from policing_kg.checks import REPORT_FORMATS
from policing_kg.checks.validate import ContributionReport, Finding
from policing_kg.common.text import safe
from policing_kg.errors import PolicingKGError

__all__ = ["REPORT_FORMATS", "format_report", "github_error_annotations"]

_GITHUB_LEVEL = {"Violation": "error", "Warning": "warning", "Info": "notice"}
#: ``file``, ``file:line`` or ``file:line:column``: where an error (exit 2) happened
_ERROR_WHERE = re.compile(r"(?P<file>.+?)(?::(?P<line>[0-9]+)(?::(?P<col>[0-9]+))?)?")

def _safe_finding(finding: Finding) -> Finding:
    return replace(finding, focus=safe(finding.focus), label=safe(finding.label),
                   path=safe(finding.path), value=safe(finding.value),
                   message=safe(finding.message), shape=safe(finding.shape),
                   file=None if finding.file is None else safe(finding.file))


def _where(finding: Finding) -> str:
    if finding.file is None:
        return "(published graph)"
    return f"{finding.file}:{finding.line}" if finding.line else finding.file


def _summary(report: ContributionReport, fail_on: str) -> str:
    verdict = "does not conform" if report.fails(fail_on) else "conforms"
    files = len(report.files)
    line = (f"{report.count('Violation')} violation(s), {report.count('Warning')} warning(s), "
            f"{report.count('Info')} note(s) in {files} file{'s' if files != 1 else ''}: "
            f"{verdict} (--fail-on {fail_on.lower()})")
    if report.outside:
        line += f"; {report.outside} result(s) about nodes no contributed file names not shown"
    return line


def _text(report: ContributionReport, fail_on: str) -> str:
    lines: list[str] = []
    for (where, focus), group in groupby(report.findings, key=lambda f: (_where(f), f.focus)):
        findings = list(group)
        label = f"  « {findings[0].label} »" if findings[0].label else ""
        lines.append(f"{where}  {focus}{label}")
        for finding in findings:
            detail = " ".join(part for part in (finding.path, finding.value) if part)
            suffix = f"  [{detail}]" if detail else ""
            lines.append(f"  {finding.severity:<9} {finding.message}{suffix}")
    lines.append(_summary(report, fail_on))
    return "\n".join(lines) + "\n"


def _github_escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def _github(report: ContributionReport, fail_on: str) -> str:
    lines = []
    for finding in report.findings:
        properties = []
        if finding.file:
            properties.append(f"file={_github_escape(finding.file, True)}")
            if finding.line:
                properties.append(f"line={finding.line}")
        properties.append(f"title={_github_escape('policing-kg ' + finding.severity, True)}")
        message = f"{finding.message} ({finding.focus}"
        message += f" {finding.path}" if finding.path else ""
        message += f" {finding.value})" if finding.value else ")"
        lines.append(f"::{_GITHUB_LEVEL.get(finding.severity, 'error')} "
                     f"{','.join(properties)}::{_github_escape(message)}")
    lines.append(_summary(report, fail_on))
    return "\n".join(lines) + "\n"


def github_error_annotations(errors: Sequence[PolicingKGError]) -> str:
    """Render errors that stop validation (exit 2) as GitHub workflow ``::error`` commands.

    A syntax error at ``file:line:column``, a file that does not exist, a pattern that matches
    no file: each becomes an annotation on its file (and line and column, when known), so that
    a pull request shows it as it shows the results; the one line on stderr stays.
    """
    lines = []
    for error in errors:
        properties = []
        where = _ERROR_WHERE.fullmatch(safe(error.where)) if error.where else None
        if where:
            properties.append(f"file={_github_escape(where['file'], True)}")
            properties += [f"{key}={where[key]}" for key in ("line", "col") if where[key]]
        properties.append(f"title={_github_escape('policing-kg cannot validate', True)}")
        message = f"{error.what} — {error.hint}" if error.hint else error.what
        lines.append(f"::error {','.join(properties)}::{_github_escape(safe(message))}")
    return "\n".join(lines) + "\n"


def _junit(report: ContributionReport, fail_on: str) -> str:
    suite = ET.Element("testsuite", name="policing-kg validate",
                       tests=str(max(1, len({f.focus for f in report.findings}))),
                       failures=str(sum(1 for f in report.findings
                                        if f.severity == "Violation")))
    if not report.findings:
        ET.SubElement(suite, "testcase", classname="policing-kg", name="contribution conforms")
    for (where, focus), group in groupby(report.findings, key=lambda f: (_where(f), f.focus)):
        case = ET.SubElement(suite, "testcase", classname=where, name=focus)
        for finding in group:
            tag = "failure" if finding.severity == "Violation" else "system-out"
            element = ET.SubElement(case, tag)
            if tag == "failure":
                element.set("message", finding.message)
                element.set("type", finding.severity)
            element.text = f"{finding.severity}: {finding.message} {finding.path} {finding.value}"
    ET.SubElement(suite, "system-out").text = _summary(report, fail_on)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def _json(report: ContributionReport, fail_on: str) -> str:
    return json.dumps({
        "conforms": not report.fails(fail_on),
        "fail_on": fail_on.lower(),
        "files": list(report.files),
        "counts": {s.lower(): report.count(s) for s in ("Violation", "Warning", "Info")},
        "not_shown": report.outside,
        "results": [{
            "file": f.file, "line": f.line, "focus": f.focus, "label": f.label,
            "severity": f.severity.lower(), "path": f.path, "value": f.value,
            "message": f.message, "shape": f.shape,
        } for f in report.findings],
    }, ensure_ascii=False, indent=2) + "\n"


def format_report(report: ContributionReport, fmt: str, fail_on: str) -> str:
    """Render a report; ``fail_on`` (Violation, Warning, Info) decides the verdict."""
    render = {"text": _text, "json": _json, "github": _github, "junit": _junit}[fmt]
    if fmt != "json":  # JSON escapes what it must itself
        report = replace(report, findings=tuple(_safe_finding(f) for f in report.findings))
    return render(report, fail_on)
