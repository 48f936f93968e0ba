"""Offline HTML bundles: one zip per customer, built from data already filtered to that customer.

A bundle is never the internal site with pages hidden: hidden pages leak through the search
index, tag pages and the sitemap. The handbook plugin is told the customer, so the model it
generates from holds that customer only. The built tree is then checked for references that
would make a browser reach the network and for any text that belongs only to another customer,
given a manifest of checksums, and zipped atomically.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

from ..data.loader import DATA_FILES, Project, id_problem, schema
from ..data.model import Model
from ..data.yaml_source import load_yaml
from ..errors import HandbookError, ProblemLog
from ..load import load
from ..site.build import build_into, source_commit, staging_dir
from ..site.plugin import ASSETS
from ..site.plugin import OFFLINE_SHIM as SHIM
from ..site.variant import BuildVariant

MANIFEST = "MANIFEST.sha256"
_TEXT_SUFFIXES = {".html", ".js", ".json", ".xml", ".css", ".txt", ".svg", ".map", ".sha256"}
_CSS_URL = re.compile(r"""url\(\s*['"]?(https?:)?//""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(url\()?\s*['"]?(https?:)?//""", re.I)
_REMOTE = re.compile(r"^\s*(https?:)?//", re.I)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SENTENCE = re.compile(r"[\n。！？；!?;]+")


def bundle_name(customer_id: str, version: str) -> str:
    """File name of a customer's bundle (without .zip), also its top-level folder."""
    return f"{customer_id}-handbook-{version}"


# -- checks ---------------------------------------------------------------------------------

class _AssetRefs(HTMLParser):
    """Collects every URL a browser would fetch by itself when showing the page."""

    _FETCHED = {("script", "src"), ("img", "src"), ("iframe", "src"), ("source", "src"), ("video", "src"),
                ("audio", "src"), ("embed", "src"), ("object", "data"), ("input", "src"), ("image", "href"),
                ("use", "href"), ("link", "href")}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "mermaid" in (values.get("class") or "").split():
            self.refs.append("https://unpkg.com/mermaid (Material loads Mermaid for a .mermaid element)")
        for name, value in attrs:
            if value is None:
                continue
            if (tag, name) in self._FETCHED or (tag, name) == ("use", "xlink:href"):
                if tag == "link" and (values.get("rel") or "") in ("canonical", "alternate", "author", "license"):
                    continue
                self.refs.append(value)
            elif name == "srcset":
                self.refs.extend(part.strip().split(" ")[0] for part in value.split(","))
            elif name == "style" and (_CSS_URL.search(value) or _CSS_IMPORT.search(value)):
                self.refs.append(value)


def external_references(site: Path) -> list[str]:
    """Every reference in the built tree that would make a browser reach the network."""
    found: list[str] = []
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.suffix == ".html":
            parser = _AssetRefs()
            text = path.read_text(encoding="utf-8")
            parser.feed(text)
            found += [f"{rel}: fetches {ref}" for ref in parser.refs if _REMOTE.match(ref)]
            found += [f"{rel}: CSS fetches a remote URL" for _ in _CSS_URL.finditer(_inline_styles(text))]
        elif path.suffix == ".css":
            text = path.read_text(encoding="utf-8", errors="replace")
            if _CSS_URL.search(text) or _CSS_IMPORT.search(text):
                found.append(f"{rel}: CSS fetches a remote URL")
    return found


def _inline_styles(text: str) -> str:
    return "".join(re.findall(r"<style[^>]*>(.*?)</style>", text, re.S | re.I))


@dataclass(frozen=True)
class LeakScan:
    """What must not appear in a customer's bundle: text only other customers' data holds."""

    customer: str
    foreign: dict[str, str]  # token -> the customer it belongs to

    def scan(self, site: Path) -> list[str]:
        """Every file of `site` that holds a foreign token, named with the token's owner.

        Files copied unchanged from the theme or from site_templates/ cannot carry data and are
        skipped. Every other file is searched for every token; a set of the trigrams present in
        the bundle rules out most tokens first, so the scan stays fast for large portfolios.
        """
        texts: dict[str, str] = {}
        found = []
        for path in sorted(site.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(site).as_posix()
            for token, owner in self.foreign.items():
                if token in rel:
                    found.append(f"{rel}: file name holds '{token}' of customer '{owner}'")
            if _is_static_asset(rel, path):
                continue
            text = _readable_text(path)
            if text is not None:
                texts[rel] = text
        present = {text[i:i + 3] for text in texts.values() for i in range(len(text) - 2)}
        for token, owner in self.foreign.items():
            if len(token) >= 3 and any(token[i:i + 3] not in present for i in range(len(token) - 2)):
                continue
            found += [f"{rel}: holds '{token}' of customer '{owner}'" for rel, text in texts.items() if token in text]
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


def _readable_text(path: Path) -> str | None:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    elif path.suffix not in _TEXT_SUFFIXES:
        return None
    # jieba's segmentation puts U+200B between words in the search index; compare without it too.
    text = raw.decode("utf-8", errors="replace").replace("\u200b", "")
    # Compare against the text as shown as well as the markup: entities and JSON escapes unfolded.
    return text + "\n" + html.unescape(text) + "\n" + _json_unescaped(text)


def _json_unescaped(text: str) -> str:
    try:
        return json.dumps(json.loads(text.removeprefix("var __index = ")), ensure_ascii=False)
    except ValueError:
        return ""


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _enum_values(node: object) -> Iterable[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "enum":
                yield from (str(v) for v in value)
            else:
                yield from _enum_values(value)
    elif isinstance(node, list):
        for item in node:
            yield from _enum_values(item)


def _tokens(texts: Iterable[str]) -> set[str]:
    """Distinctive pieces of text: whole short values, and the sentences of long ones.

    Numbers count only when long enough to be someone's (phone numbers, contract numbers).
    """
    tokens = set()
    for text in texts:
        pieces = [text] if len(text) <= 60 and "\n" not in text else _SENTENCE.split(text)
        for piece in pieces:
            piece = piece.strip(" \t-*#>|")
            if re.fullmatch(r"[\d\W_]+", piece):
                # Dates are nobody's; the build date in every footer would otherwise collide.
                if len(re.sub(r"\D", "", piece)) >= 7 and not _DATE.fullmatch(piece):
                    tokens.add(piece)
            elif len(piece) >= 2:
                tokens.add(piece)
    return tokens


def leak_scan_for(project: Project, customer_id: str) -> LeakScan:
    """The leak scan for one customer's bundle, derived from the raw data of all customers.

    A token is foreign when another customer's data holds it and neither the shared data, the
    hand-written content, nor this customer's own data does: what may legitimately appear in the
    bundle is never flagged, whatever coincidence put it in another customer's file too.
    """
    problems = ProblemLog()
    per_customer: dict[str, set[str]] = {}
    for path in sorted((project.data_dir / "customers").glob("*.yml")):
        doc = load_yaml(path, project.root, problems)
        if doc is not None:
            per_customer[path.stem] = _tokens(_strings(doc.data)) | {path.stem}
    shared_texts = []
    for name in DATA_FILES:
        doc = load_yaml(project.data_dir / name, project.root, problems)
        if doc is not None:
            shared_texts.extend(_strings(doc.data))
    shared_texts.extend(p.read_text(encoding="utf-8") for p in project.content_dir.rglob("*.md"))
    # Words of the page templates and the theme appear in every bundle; they belong to no customer.
    for base in (project.root / "site_templates", *_static_sources()):
        shared_texts.extend(p.read_text(encoding="utf-8", errors="replace") for p in base.rglob("*")
                            if p.is_file() and p.suffix in (".j2", ".html", ".css", ".js"))
    # Enumerated values (`recorded`, `passed`, ...) are vocabulary of the schema, not anyone's data.
    shared_texts.extend(_enum_values(schema("customer")))
    allowed = "\n".join(shared_texts) + "\n" + "\n".join(per_customer.get(customer_id, ()))
    foreign = {}
    for other, tokens in per_customer.items():
        if other == customer_id:
            continue
        for token in tokens:
            if token not in allowed:
                foreign[token] = other
    return LeakScan(customer_id, foreign)


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
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp_name, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(site.rglob("*")):
                if path.is_file():
                    archive.write(path, f"{top}/{path.relative_to(site).as_posix()}")
        os.chmod(tmp_name, 0o644)  # mkstemp makes it private; a bundle is meant to be handed out
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def check_site(project: Project, customer_id: str, site: Path) -> list[str]:
    """All problems of a built bundle tree: remote references, leaks, manifest mismatches."""
    problems = external_references(site)
    problems += leak_scan_for(project, customer_id).scan(site)
    if (site / MANIFEST).is_file():
        problems += verify_manifest(site)
    else:
        problems.append(f"{MANIFEST} is missing")
    return problems


def verify_zip(project: Project, customer_id: str, archive: Path) -> list[str]:
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
        return check_site(project, customer_id, tops[0])


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
                   datetime.now(timezone.utc).isoformat(timespec="seconds"), model.handbook.title)

    def build_offline_site(self, site: Path, config_name: str = "mkdocs.yml") -> None:
        """Build this customer's offline site into the fresh directory `site`."""
        build_into(self.project.root / config_name, site, BuildVariant.bundle(self.customer_id))


def build_bundle(root: Path, customer_id: str, out_dir: Path, config_name: str = "mkdocs.yml",
                 model: Model | None = None) -> Path:
    """Build, check and zip the offline bundle of one customer; return the zip's path.

    Raises `HandbookError` with every reason when it cannot; nothing is left behind then.
    """
    job = CustomerBuild.prepare(root, customer_id, model)
    top = bundle_name(customer_id, job.version)
    target = out_dir.resolve() / f"{top}.zip"
    with staging_dir(target) as tmp:
        site = tmp / top
        job.build_offline_site(site, config_name)
        write_manifest(site, job.version, job.commit, job.built)
        problems = check_site(job.project, customer_id, site)
        if problems:
            raise HandbookError(problems)
        write_zip(site, target, top)
    return target
