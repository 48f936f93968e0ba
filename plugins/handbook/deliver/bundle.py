"""Offline HTML bundles: one zip per customer, built from data already filtered to that customer.

A bundle is never the internal site with pages hidden: hidden pages leak through the search
index, tag pages and the sitemap. The handbook plugin is told the customer, so the model it
generates from holds that customer only. The built tree is then checked for references that
would make a browser reach the network and for any text that belongs only to another customer,
given a manifest of checksums, and zipped atomically.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

from ..data.loader import Project, id_problem
from ..data.model import Model
from ..errors import HandbookError
from ..load import load
from ..site.build import build_into, clean_stale, source_commit, staging_dir
from ..site.plugin import ASSETS
from ..site.site_config import OFFLINE_SHIM as SHIM
from ..site.variant import BuildVariant
from ..templates import defaults_dir
from .attachments import Unreadable, file_text
from .leaks import LeakIndex, normalize, shared_pages, shared_reference
from .offline import external_references

MANIFEST = "MANIFEST.sha256"


def bundle_name(customer_id: str, version: str) -> str:
    """File name of a customer's bundle (without .zip), also its top-level folder."""
    return f"{customer_id}-handbook-{version}"


# -- checks ---------------------------------------------------------------------------------

@dataclass
class BundleRun:
    """What every bundle of one run shares, loaded once: the validated model of all customers,
    the plugin's options, and the leak index of every customer's distinctive text."""

    project: Project
    model: Model
    templates_dir: Path
    shared_files: tuple[str, ...]
    index: LeakIndex

    @classmethod
    def load(cls, root: Path, config_name: str = "mkdocs.yml", model: Model | None = None) -> BundleRun:
        """Load the data (unless `model` is given) and the options of `config_name`; index the leaks."""
        from mkdocs.config import load_config

        project = Project.at(root)
        model = model or load(project)
        cwd = Path.cwd()
        os.chdir(project.root)  # Material's search plugin resolves its options against the working directory
        try:
            options = load_config(config_file=str(project.root / config_name)).plugins["handbook"].config
        finally:
            os.chdir(cwd)
        templates_dir = project.root / options.templates_dir
        index = LeakIndex.build(model, shared_reference(model, templates_dir, (defaults_dir(), *_static_sources())),
                                shared_pages(project.content_dir, project.root))
        return cls(project, model, templates_dir, tuple(options.shared_files), index)


@dataclass(frozen=True)
class LeakScan:
    """What must not appear in one customer's bundle: text only other customers' data holds."""

    customer: str
    index: LeakIndex
    shared_files: tuple[str, ...] = ()

    @property
    def foreign(self) -> dict[str, str]:
        """Token -> (one) other customer it belongs to: what this bundle must not hold."""
        return self.index.foreign_tokens(self.customer)

    def scan(self, site: Path) -> list[str]:
        """Every file of `site` that holds a foreign token, named with the token's owner; and
        every file whose text cannot be read and that is not declared shared.

        Files copied unchanged from the theme cannot carry data and are skipped. Every other
        file is read once and searched for all tokens at once.
        """
        found = []
        for path in sorted(site.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(site).as_posix()
            found += [f"{rel}: file name holds '{token}' of customer '{owner}'"
                      for token, owner in self.index.foreign_in(self.customer, normalize(rel))]
            if _is_static_asset(rel, path):
                continue
            try:
                text = file_text(path)
            except Unreadable as why:
                if not any(fnmatch.fnmatchcase(rel, pattern) for pattern in self.shared_files):
                    found.append(f"{rel}: {why}; it cannot be checked for other customers' data "
                                 "(list it under the handbook plugin's shared_files in mkdocs.yml if it is shared)")
                continue
            found += [f"{rel}: holds '{token}' of customer '{owner}'"
                      for token, owner in self.index.foreign_in(self.customer, normalize(text))]
        return found


@cache
def _static_sources() -> tuple[Path, ...]:
    import material

    return (Path(material.__file__).parent / "templates",)


def _is_static_asset(rel: str, path: Path) -> bool:
    """True for a file the theme ships unchanged (its bytes equal the theme's file at that path)."""
    if rel in (SHIM, *ASSETS):
        return True
    for base in _static_sources():
        source = base / rel
        if source.is_file() and source.stat().st_size == path.stat().st_size and source.read_bytes() == path.read_bytes():
            return True
    return False


def leak_scan_for(project: Project, customer_id: str, run: BundleRun | None = None) -> LeakScan:
    """The leak scan of one customer's bundle; `run` carries the index when bundling many."""
    run = run if run is not None else BundleRun.load(project.root)
    return LeakScan(customer_id, run.index, run.shared_files)


# -- manifest and zip -----------------------------------------------------------------------

def write_manifest(site: Path, version: str, commit: str, built: str) -> None:
    """MANIFEST.sha256 at the root: provenance comment lines, then `sha256sum` lines of every file."""
    lines = [f"# handbook version {version}", f"# source commit {commit}", f"# built {built}"]
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(site).as_posix()}")
    (site / MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")


def verify_manifest(site: Path) -> list[str]:
    """Files whose checksum differs from the manifest, or that it does not list."""
    listed = {}
    for line in (site / MANIFEST).read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            digest, rel = line.split("  ", 1)
            listed[rel] = digest
    problems = [f"{rel}: checksum mismatch" for rel, digest in listed.items()
                if not (site / rel).is_file() or hashlib.sha256((site / rel).read_bytes()).hexdigest() != digest]
    actual = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()} - {MANIFEST}
    problems += [f"{rel}: not in the manifest" for rel in sorted(actual - set(listed))]
    return problems


def write_zip(site: Path, target: Path, top: str) -> None:
    """Zip `site` under the folder `top` into `target`, atomically (temp file, then rename)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # The PID in the name lets the next run tell a killed run's leftover from a running one's.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp_name, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(site.rglob("*")):
                if path.is_file():
                    archive.write(path, f"{top}/{path.relative_to(site).as_posix()}")
        os.chmod(tmp_name, 0o644)  # mkstemp makes it private; a bundle is meant to be handed out
        os.replace(tmp_name, target)
    except OSError as error:
        raise HandbookError([f"{target}: could not be written: {error.strerror or error}"]) from None
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def check_site(project: Project, customer_id: str, site: Path, run: BundleRun | None = None) -> list[str]:
    """All problems of a built bundle tree: remote references, leaks, manifest mismatches."""
    problems = external_references(site)
    problems += leak_scan_for(project, customer_id, run).scan(site)
    if (site / MANIFEST).is_file():
        problems += verify_manifest(site)
    else:
        problems.append(f"{MANIFEST} is missing")
    return problems


def verify_zip(project: Project, customer_id: str, archive: Path, run: BundleRun | None = None) -> list[str]:
    """Unpack a produced bundle into a temporary directory and run every check on it."""
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            name = info.filename
            if name.startswith("/") or ".." in Path(name).parts:
                return [f"{archive.name}: unsafe entry {name!r}"]
        z.extractall(tmp)
        tops = list(Path(tmp).iterdir())
        if len(tops) != 1:
            return [f"{archive.name}: expected one top-level folder, found {len(tops)}"]
        return check_site(project, customer_id, tops[0], run)


# -- the build ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CustomerBuild:
    """What is known before a customer's offline site is built: checked ID, model and provenance."""

    project: Project
    customer_id: str
    version: str
    commit: str
    built: str
    title: str
    model: Model

    @classmethod
    def prepare(cls, root: Path, customer_id: str, model: Model | None = None) -> CustomerBuild:
        """Check the ID (before any file is touched) and the data; raise `HandbookError` otherwise.

        `model` is the project's model when the caller has loaded it already (one load per run).
        """
        problem = id_problem(customer_id)
        if problem:
            raise HandbookError([f"'{customer_id}' is not a valid customer ID: {problem}"], exit_code=2)
        project = Project.at(root)
        model = model or load(project)
        known = [c.id for c in model.customers]
        if customer_id not in known:
            raise HandbookError([f"unknown customer '{customer_id}' (known: {', '.join(known)})"])
        return cls(project, customer_id, model.handbook.version, source_commit(project.root),
                   datetime.now(timezone.utc).isoformat(timespec="seconds"), model.handbook.title, model)

    def build_offline_site(self, site: Path, config_name: str = "mkdocs.yml") -> None:
        """Build this customer's offline site into the fresh directory `site`."""
        build_into(self.project.root / config_name, site, BuildVariant.bundle(self.customer_id))


def build_bundle(root: Path, customer_id: str, out_dir: Path, config_name: str = "mkdocs.yml",
                 model: Model | None = None, run: BundleRun | None = None) -> Path:
    """Build, check and zip the offline bundle of one customer; return the zip's path.

    `run` carries what a run of many bundles shares (model, leak index), loaded once; without it
    both are made here. Raises `HandbookError` with every reason when it cannot; nothing is left
    behind then.
    """
    job = CustomerBuild.prepare(root, customer_id, run.model if run is not None else model)
    run = run if run is not None else BundleRun.load(root, config_name, job.model)
    top = bundle_name(customer_id, job.version)
    target = out_dir.resolve() / f"{top}.zip"
    clean_stale(target.parent)
    with staging_dir(target) as tmp:
        site = tmp / top
        job.build_offline_site(site, config_name)
        write_manifest(site, job.version, job.commit, job.built)
        problems = check_site(job.project, customer_id, site, run)
        if problems:
            raise HandbookError(problems)
        write_zip(site, target, top)
    return target
