"""The moment of publication: ``policing-kg release publish`` and ``release start``.

``publish`` turns the newest record of ``releases/releases.toml`` into a published one, from
a clean git checkout whose version strings agree: it builds, copies the archive from dist/
into ``releases/``, writes its ``archive`` and ``sha256`` into the record (rewritten in its
canonical form), moves the pins of the action, the pre-commit hook and the workflow template
to the new tag, commits exactly those files and tags the commit ``vX.Y.Z`` (annotated), all
locally: pushing and uploading stay the publisher's. From then on a build of that version
must give the recorded bytes (:mod:`.build`). ``start`` adds the next version's record and
writes its number into pyproject.toml, ``__init__.py`` and CITATION.cff.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import re
import subprocess
from pathlib import Path

from policing_kg.common.files import write_atomically
from policing_kg.curation.releases import (
    ReleaseHistory,
    ReleaseRecord,
    check_versions,
    load_releases,
    parse_version,
    releases_text,
    set_versions,
    version_files,
)
from policing_kg.errors import PolicingKGError
from policing_kg.project import Project
from policing_kg.release.metadata import archive_name

__all__ = ["publish_release", "start_release", "PLACEHOLDER", "PINS"]

#: The notes a started version has until the publisher writes them (publish refuses them).
PLACEHOLDER = "To be written: what is new since {previous}."

#: The files that other repositories use to run policing-kg, and how each pins a release tag:
#: they name the newest published one, so publish moves them in its commit.
PINS = {
    "action.yml": re.compile(r"(policing-kg/policing-kg@)(v[0-9.]+)"),
    ".pre-commit-hooks.yaml": re.compile(r"(\brev:\s*)(v[0-9.]+)"),
    "docs/contributor-workflow.yml": re.compile(r"(policing-kg/policing-kg@)(v[0-9.]+)"),
}


def git(root: Path, *args: str) -> str:
    """Run git in ``root``; return its output, or raise one line with git's own message."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args],  # noqa: S603, S607 - git itself
                              capture_output=True, text=True, timeout=120, check=False)
    except FileNotFoundError:
        raise PolicingKGError("git is not installed", hint="releasing needs git: install it") \
            from None
    except subprocess.TimeoutExpired:
        raise PolicingKGError(f"git {args[0]} took more than 120 s", where=str(root)) from None
    if done.returncode != 0:
        message = (done.stderr.strip() or done.stdout.strip()).splitlines()
        raise PolicingKGError(f"git {args[0]} failed: {message[0] if message else 'no message'}",
                              where=str(root))
    return done.stdout


def _check_checkout(root: Path, tag: str) -> None:
    """Refuse unless ``root`` is the top of a git checkout, clean, with an identity, no ``tag``."""
    try:
        top = Path(git(root, "rev-parse", "--show-toplevel").strip())
    except PolicingKGError:
        raise PolicingKGError("not a git checkout", where=str(root),
                              hint="publish from the project's git clone") from None
    if top.resolve() != root.resolve():
        raise PolicingKGError(f"the project is not the top of its git checkout ({top})",
                              where=str(root), hint="publish from the checkout's top folder")
    changed = [line[3:] for line in git(root, "status", "--porcelain").splitlines()]
    if changed:
        shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if changed[3:] else "")
        raise PolicingKGError(f"the working tree is not clean: {shown}", where=str(root),
                              hint="commit (or stash) every change first: a release is the "
                              "build of one commit")
    if git(root, "tag", "--list", tag).strip():
        raise PolicingKGError(f"the tag {tag} exists already", where=str(root),
                              hint="that version is published: `policing-kg release start NEXT`")
    git(root, "var", "GIT_COMMITTER_IDENT")  # fails now, not after the build, without a name


def _not_future(date: datetime.date, today: datetime.date | None,
                hint: str = "give the day of publication") -> None:
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    if date > today:
        raise PolicingKGError(f"the date {date.isoformat()} is in the future (today is "
                              f"{today.isoformat()})", hint=hint)


def _write(path: Path, content: str | bytes) -> None:
    """Write ``content`` into ``path`` atomically."""
    def write(target: Path) -> None:
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, "utf-8")

    write_atomically(path, write)


def _write_record(history: ReleaseHistory, records: list[ReleaseRecord]) -> ReleaseHistory:
    """Write the record with ``records`` (newest first), checked by reading it back."""
    new = ReleaseHistory(tuple(records), history.path)
    text = releases_text(new, None)
    _write(history.path, text)
    return load_releases(history.path)


def _move_pins(root: Path, tag: str) -> list[str]:
    """Point the pins of :data:`PINS` at ``tag``; return the files changed."""
    changed = []
    for name, pattern in PINS.items():
        path = root / name
        if not path.is_file():
            continue
        text = path.read_text("utf-8")
        new = pattern.sub(lambda m: m.group(1) + tag, text)
        if new != text:
            _write(path, new)
            changed.append(name)
    return changed


def publish_release(project: Project, dist: Path, *, date: datetime.date | None = None,
                    reason: bool = True, today: datetime.date | None = None) -> list[str]:
    """Publish the newest record: build, keep the archive, record it, commit and tag."""
    from policing_kg.release.build import build_release

    root = project.root
    history = load_releases(project.releases)
    current = history.current
    tag = f"v{current.version}"
    if current.archive is not None:
        raise PolicingKGError(f"{current.version} is published already ({current.archive})",
                              where=current.where, hint="start the next version: "
                              "`policing-kg release start NEXT`, write its notes, publish it")
    _check_checkout(root, tag)
    if history.previous is not None and \
            current.notes == PLACEHOLDER.format(previous=history.previous.version):
        raise PolicingKGError(f"the notes of {current.version} are still the placeholder",
                              where=current.where, hint="say what is new in its `notes`, "
                              "commit, then publish")
    check_versions(root, history)
    saved = {path: path.read_bytes() for path in (project.releases, root / "CITATION.cff")
             if path.is_file()}
    try:
        if date is not None and date != current.date:
            _not_future(date, today)
            current = dataclasses.replace(current, date=date)
            history = _write_record(history, [current, *history.releases[1:]])
            set_versions(root, current)
        result = build_release(project, dist, reason=reason)
    except BaseException:
        for path, data in saved.items():
            _write(path, data)
        raise
    name = archive_name(current.version)
    data = (dist / name).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    _write(project.releases.parent / name, data)
    _write_record(history, [dataclasses.replace(current, archive=name, sha256=digest),
                            *history.releases[1:]])
    files = [str(project.releases.relative_to(root)), str((project.releases.parent / name)
                                                          .relative_to(root))]
    files += [f for f in ("CITATION.cff", *_move_pins(root, tag))
              if git(root, "status", "--porcelain", "--", f).strip()]
    git(root, "add", "--", *files)
    git(root, "commit", "--quiet", "-m", f"Release {current.version} ({current.date})", "--",
        *files)
    git(root, "tag", "-a", tag, "-m", f"policing-kg {current.version} ({current.date})\n\n"
        f"{current.notes}\n\n{digest}  {name}")
    commit = git(root, "rev-parse", "--short", "HEAD").strip()
    return [*result.lines(),
            f"kept releases/{name} (sha256 {digest}) and recorded it in releases/releases.toml",
            f"committed {', '.join(files)} as {commit}, tagged it {tag} (both local)",
            f"next: `policing-kg site --dist {dist}` (publishing writes no site); git push "
            f"origin HEAD {tag}; upload {dist}/ with its site; then `policing-kg release start "
            "NEXT --date YYYY-MM-DD` for the next version"]


def start_release(project: Project, version: str, date: datetime.date, *, notes: str | None = None,
                  today: datetime.date | None = None) -> list[str]:
    """Add the record of ``version`` above the newest, and write it into the version files."""
    history = load_releases(project.releases)
    current = history.current
    try:
        parse_version(version)
    except ValueError as exc:
        raise PolicingKGError(str(exc), hint="write it as 1.2.3") from None
    if current.archive is None:
        raise PolicingKGError(f"{current.version} is not published yet", where=current.where,
                              hint="publish it first (`policing-kg release publish`), or keep "
                              "working on it")
    if parse_version(version) <= parse_version(current.version):
        raise PolicingKGError(f"{version} is not after {current.version}",
                              hint=f"give a version above {current.version}")
    if date < current.date:
        raise PolicingKGError(f"{date.isoformat()} is before {current.version}'s date "
                              f"({current.date.isoformat()})", hint="give today's date")
    _not_future(date, today, hint="give today's date (the day the version is started)")
    text = notes.strip() if notes else PLACEHOLDER.format(previous=current.version)
    record = ReleaseRecord(version, date, text)
    saved = {project.root / name: text for name, text in version_files(project.root).items()}
    _write_record(history, [record, *history.releases])
    try:
        changed = set_versions(project.root, record)
    except BaseException:
        _write(project.releases, releases_text(history))
        for path, data in saved.items():
            _write(path, data)
        raise
    return [f"started {version} ({date.isoformat()}) in {project.releases.resolve()}"
            + (f"; wrote it into {', '.join(changed)}" if changed else ""),
            "next: write its notes (what is new), commit, then `policing-kg release publish`"]

