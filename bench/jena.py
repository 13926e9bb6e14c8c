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
import zipfile
from pathlib import Path

JARS = Path("/usr/share/java")
JENA_CORE = JARS / "jena-core.jar"
PREFIX = "org/apache/jena/ext/xerces/"
#: where the messages jar is kept: a cache, rebuilt whenever Debian's jena-core.jar is newer
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policing-kg"


def available() -> str | None:
    """None when Jena can run here, else the reason it cannot (for a skip message)."""
    if shutil.which("java") is None:
        return "no java on PATH (Debian: apt-get install openjdk-17-jre-headless)"
    if not JENA_CORE.is_file():
        return f"no {JENA_CORE} (Debian: apt-get install libapache-jena-java)"
    return None


def messages_jar(cache: Path = CACHE) -> Path:
    """The jar of Xerces' message files at the names Debian's relocated classes look for."""
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
    """The messages jar and Jena's jars, for ``java -cp``."""
    jars = [str(messages_jar())] + [str(JARS / f"{name}.jar") for name in JAR_NAMES
                                    if (JARS / f"{name}.jar").is_file()]
    return ":".join(jars)


def command(main_class: str, *args: str, heap: str = "4g") -> list[str]:
    """The command line that runs one of Jena's commands (``shacl.shacl``, ``arq.sparql``,
    ``tdb2.tdbloader``, ``tdb2.tdbquery``, ``riotcmd.riot``)."""
    return ["java", f"-Xmx{heap}", "-cp", classpath(), main_class, *args]


def run(main_class: str, *args: str, timeout: float = 600.0) -> subprocess.CompletedProcess[str]:
    """Run one of Jena's commands; its output as text."""
    return subprocess.run(command(main_class, *args), capture_output=True, text=True,
                          timeout=timeout, check=False)


if __name__ == "__main__":
    reason = available()
    if reason:
        sys.exit(f"jena: {reason}")
    print(classpath())
