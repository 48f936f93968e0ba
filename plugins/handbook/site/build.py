"""Build a site atomically: into a temporary directory next to the target, fail on any warning,
then swap. A crash at any point leaves the previous site complete; a directory that was not built
by this tool is never deleted.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from ..errors import HandbookError
from .variant import BuildVariant, requested

MARKER = ".handbook-build.json"
_FAILED = "build failed; the previous site was left untouched"
STAGING_MARKER = ".handbook-staging.json"
"""Written into every temporary and set-aside directory, with the creating process's ID."""
_STARTED = time.time()  # anything of ours older than this and whose creator is gone is stale
_STAGED = re.compile(r"\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>[0-9]+)-[^/]+")
_STAGED_ZIP = re.compile(r"\.(?P<name>.+\.zip)\.(?P<pid>[0-9]+)\.[^/]+\.tmp")


class RecordsKept(logging.Handler):
    """A log handler that keeps the records it is given (at `level` and above)."""

    def __init__(self, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def collect_warnings() -> Iterator[list[logging.LogRecord]]:
    """Collect every warning and error MkDocs and its plugins log, whatever -q/-v say.

    MkDocs' own strict mode exits 0 under `-q` (issues #4126, #3991), so the count is kept here.
    """
    collector = RecordsKept()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    previous = logger.level
    if logger.level == logging.NOTSET or logger.level > logging.WARNING:
        logger.setLevel(logging.WARNING)
    try:
        yield collector.records
    finally:
        logger.removeHandler(collector)
        logger.setLevel(previous)


def source_commit(root: Path) -> str:
    """The git commit the sources come from, with '+dirty' when the tree has changes; 'unknown' outside git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True,
                               check=True).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def refuse_symlink(target: Path) -> None:
    """Raise `HandbookError` if `target` itself is a symbolic link (dangling or not): output is
    written where the user pointed, never through a link to somewhere else."""
    if Path(target).is_symlink():
        raise HandbookError([f"{target}: is a symbolic link; refusing to build through it "
                             "(remove the link or give a real directory)"], summary=_FAILED)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _marked_by(path: Path) -> int | None:
    try:
        return int(json.loads((path / STAGING_MARKER).read_text(encoding="utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clean_stale(directory: Path) -> list[Path]:
    """Remove what killed runs left in `directory`; return what was removed.

    Only our own leftovers go: `.NAME.tmp-PID-*` and `.NAME.old-PID-*` directories that carry
    the staging marker naming that PID, and `.NAME.zip.PID.*.tmp` files, each older than this
    process and made by a process that no longer runs. A set-aside `.NAME.old-*` whose `NAME`
    is missing (a crash between the two renames of `swap_into`) is put back first.
    """
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    for entry in sorted(directory.iterdir()):
        staged, zipped = _STAGED.fullmatch(entry.name), _STAGED_ZIP.fullmatch(entry.name)
        match = staged or zipped
        if match is None or entry.is_symlink():
            continue
        pid = int(match["pid"])
        try:
            if entry.stat().st_mtime >= _STARTED or _alive(pid):
                continue
        except OSError:
            continue
        if zipped and entry.is_file():
            entry.unlink(missing_ok=True)
        elif staged and entry.is_dir() and _marked_by(entry) == pid:
            previous, target = entry / "site", directory / match["name"]
            if match["kind"] == "old" and not os.path.lexists(target) and (previous / MARKER).is_file():
                os.replace(previous, target)
            shutil.rmtree(entry, ignore_errors=True)
        else:
            continue
        removed.append(entry)
    return removed


def _mark(directory: Path) -> None:
    (directory / STAGING_MARKER).write_text(json.dumps({"pid": os.getpid()}) + "\n", encoding="utf-8")


def is_replaceable(target: Path) -> bool:
    """True if `target` may be replaced: missing, empty, or built by this tool (it has the marker)."""
    if not target.exists():
        return True
    if not target.is_dir() or target.is_symlink():
        return False
    return (target / MARKER).is_file() or not any(target.iterdir())


@contextlib.contextmanager
def staging_dir(target: Path) -> Iterator[Path]:
    """A fresh directory next to `target`, removed afterwards whatever happens."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-", dir=target.parent))
    try:
        _mark(tmp)
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def swap_into(built: Path, target: Path) -> None:
    """Replace `target` by the directory `built`; the old tree is removed after.

    Where the kernel can exchange two paths in one step, readers see either the old site or the
    new one, never none; elsewhere two renames leave `target` absent for an instant.
    """
    if target.exists() and _exchange(built, target):
        shutil.rmtree(built, ignore_errors=True)  # `built` now holds the previous site
        return
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
        _mark(old)  # if the process dies before the next rename, the next run puts the site back
        os.replace(target, old / "site")
    os.replace(built, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _file_being_written(error: OSError) -> str | None:
    """The file MkDocs was writing when `error` happened: a failed write() carries no file name,
    but MkDocs' `write_file(content, output_path)` is on the traceback with its argument."""
    import traceback

    for frame, _ in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_name == "write_file" and "output_path" in frame.f_locals:
            return str(frame.f_locals["output_path"])
    return None


def engine() -> str:
    """The MkDocs implementation `build_into` runs in this process, e.g. 'MkDocs 1.6.1'.

    Read from the imported package, not from what is installed: with ProperDocs installed beside
    MkDocs, mike names ProperDocs although our builds run MkDocs' Python API; inside a
    `properdocs` process `mkdocs` is an alias of `properdocs` and this says so.
    """
    import mkdocs

    brand = {"mkdocs": "MkDocs", "properdocs": "ProperDocs"}.get(mkdocs.__name__, mkdocs.__name__)
    return f"{brand} {mkdocs.__version__}"


def build_into(config_file: Path, out: Path, variant: BuildVariant | None = None, **overrides) -> None:
    """Run MkDocs for `config_file` into the fresh directory `out`; raise `HandbookError` on any warning.

    `variant`, when given, says which site to build (a customer's offline bundle); the plugin reads
    it from the environment, so without one an outer `HANDBOOK_CUSTOMER=... handbook build` holds.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, MkDocsException

    root = config_file.resolve().parent
    cwd = Path.cwd()
    os.chdir(root)  # Material's search resolves its jieba dictionary against the working directory
    try:
        with collect_warnings() as records, (requested(variant) if variant else contextlib.nullcontext()):
            try:
                config = load_config(config_file=str(config_file), site_dir=str(out), **overrides)
                config.strict = False  # warnings are counted here, for every verbosity
                build(config)
            except (Abort, MkDocsException) as error:
                raise HandbookError([r.getMessage() for r in records] + [str(error)], summary=_FAILED) from None
            except OSError as error:
                # A full disk or a read-only folder: name what could not be written, no traceback.
                where = error.filename or _file_being_written(error) or out
                raise HandbookError([r.getMessage() for r in records] +
                                    [f"{where}: could not be written: {error.strerror or error}"],
                                    summary=_FAILED) from None
        if records:
            raise HandbookError([f"{r.levelname}: {r.getMessage()}" for r in records], summary=_FAILED)
    finally:
        os.chdir(cwd)


def build_site(config_file: Path, target: Path, *, offline: bool = False, **overrides) -> dict:
    """Build the MkDocs site of `config_file` into `target` atomically; return the provenance record.

    With `offline` (what `handbook build` asks for) the site works when opened from disk (file://)
    as well as from a web server: page URLs end in .html and search runs without a server
    (`BuildVariant.offline`); without it, URLs are directories as the configuration says (served sites).
    Raises `HandbookError` on data errors, build errors or any warning; `target` is then untouched.
    """
    refuse_symlink(target)
    if offline:
        overrides.setdefault("variant", BuildVariant.internal_offline())
    target = target.resolve()
    clean_stale(target.parent)
    if not is_replaceable(target):
        raise HandbookError([f"{target}: exists and was not built by handbook (no {MARKER}); refusing to replace it"],
                            summary=_FAILED)
    with staging_dir(target) as tmp:
        out = tmp / "site"
        build_into(config_file, out, **overrides)
        provenance = {
            "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "commit": source_commit(config_file.resolve().parent),
        }
        (out / MARKER).write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
        swap_into(out, target)
    return provenance
