"""Apache Jena from Debian's jars (``libapache-jena-java``), for the tests and the benchmark.

    python3 bench/jena.py            # make the messages jar (once) and print the classpath

Debian's ``jena-core.jar`` relocates Jena's copy of Xerces to ``xerces.*`` but leaves its
``.properties`` message files under ``org/apache/jena/ext/xerces/``, so every command that
touches an XSD datatype fails to start ("Can't find bundle for base name xerces.impl.msg...").
:func:`messages_jar` copies those files to ``xerces/...`` in a small jar of their own, which
:func:`classpath` puts beside Debian's jars. ``.ci/run`` runs this file once after installing the
package; the tests and the benchmark call :func:`classpath`, which makes the jar if it is absent.

Only the standard library is used: ``.ci/run`` runs this with Debian's ``python3``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

JARS = Path("/usr/share/java")
JENA_CORE = JARS / "jena-core.jar"
PREFIX = "org/apache/jena/ext/xerces/"
#: where the messages jar is kept: a cache, rebuilt whenever Debian's jena-core.jar is newer
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policing-kg"


def available() -> str | None:
    """Return None when Jena can run here, else the reason it cannot (for a skip message)."""
    if shutil.which("java") is None:
        return "no java on PATH (Debian: apt-get install openjdk-17-jre-headless)"
    if not JENA_CORE.is_file():
        return f"no {JENA_CORE} (Debian: apt-get install libapache-jena-java)"
    return None


def version() -> str | None:
    """Return Jena's version, from the name of Debian's versioned jar (``jena-core-4.5.0.jar``)."""
    if available():
        return None
    versioned = sorted(JARS.glob("jena-core-*.jar"))
    return versioned[-1].name[len("jena-core-"):-len(".jar")] if versioned else "unknown"


def messages_jar(cache: Path = CACHE) -> Path:
    """Return the jar of Xerces' message files at the names Debian's relocated classes use."""
    jar = cache / "jena-xerces-messages.jar"
    if jar.is_file() and jar.stat().st_mtime >= JENA_CORE.stat().st_mtime:
        return jar
    cache.mkdir(parents=True, exist_ok=True)
    partial = jar.with_suffix(f".{os.getpid()}.part")
    with zipfile.ZipFile(JENA_CORE) as source, zipfile.ZipFile(partial, "w") as target:
        for name in source.namelist():
            if name.startswith(PREFIX) and name.endswith(".properties"):
                target.writestr("xerces/" + name[len(PREFIX):], source.read(name))
    partial.replace(jar)
    return jar


#: Jena's jars and those of the Debian packages libapache-jena-java depends on, one logger
#: binding (slf4j-simple, to stderr) among slf4j's several: ``/usr/share/java/*`` as a whole would
#: bind two and stop at start-up.
JAR_NAMES = (
    "jena-arq", "jena-base", "jena-cmds", "jena-core", "jena-dboe-base", "jena-dboe-index",
    "jena-dboe-storage", "jena-dboe-trans-data", "jena-dboe-transaction", "jena-iri",
    "jena-rdfconnection", "jena-shacl", "jena-shex", "jena-tdb", "jena-tdb2",
    "commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io",
    "commons-lang3", "dexx.collection", "gson", "guava", "httpclient", "httpcore",
    "jackson-core", "jackson-databind", "jackson-annotations", "jsonld-java", "jakarta.json-api",
    "protobuf", "slf4j-api", "slf4j-simple", "jcl-over-slf4j", "thrift", "titanium-json-ld",
)


def classpath() -> str:
    """Return the messages jar and Jena's jars, for ``java -cp``."""
    jars = [str(messages_jar())] + [str(JARS / f"{name}.jar") for name in JAR_NAMES
                                    if (JARS / f"{name}.jar").is_file()]
    return ":".join(jars)


def command(main_class: str, *args: str, heap: str = "4g") -> list[str]:
    """Return the command line that runs one of Jena's commands.

    For example ``shacl.shacl``, ``arq.sparql``, ``tdb2.tdbloader``, ``tdb2.tdbquery``,
    ``riotcmd.riot``.
    """
    return ["java", f"-Xmx{heap}", "-cp", classpath(), main_class, *args]


def run(main_class: str, *args: str, timeout: float = 600.0) -> subprocess.CompletedProcess[str]:
    """Run one of Jena's commands; its output as text."""
    return subprocess.run(command(main_class, *args), capture_output=True, text=True,  # noqa: S603
                          timeout=timeout, check=False)


def measured(main_class: str, *args: str, stdout: Path | None = None, timeout: float = 1800.0,
             heap: str = "4g") -> dict[str, object]:
    """Run one of Jena's commands and measure it as the benchmark measures its other peers.

    ``seconds`` is the wall time of the whole JVM (start-up included: Jena's commands do not
    time their own work), ``peak_mb`` the JVM's own peak resident memory (:mod:`bench.spawn`),
    ``exit`` its exit code, ``stderr`` its last 4000 characters; its standard output goes to
    ``stdout`` (discarded if None). A command past ``timeout`` is stopped and gives ``error``.
    """
    from bench import spawn  # here: `python bench/jena.py` (CI's set-up) has no package

    with tempfile.TemporaryFile("w+") as err, \
            open(stdout or os.devnull, "w", encoding="utf-8") as out:
        run = spawn.measured(command(main_class, *args, heap=heap), stdout=out, stderr=err,
                             timeout=timeout)
        if run.code is None:
            return {"error": f"not finished in {timeout:.0f} s"}
        err.seek(0)
        text = err.read()
    if run.seconds is None:
        return {"error": f"could not be started: {text[-300:]}"}
    return {"seconds": run.seconds, "peak_mb": run.peak_mb, "exit": run.code,
            "stderr": text[-4000:]}


if __name__ == "__main__":
    reason = available()
    if reason:
        sys.exit(f"jena: {reason}")
    print(classpath())
