"""The text of every file a bundle ships, for the leak scan: pages, data files, PDFs, Office files.

A file whose text cannot be extracted (an image, an archive, a scanned PDF, a damaged document)
cannot be checked, so it is refused unless it is declared shared (the handbook plugin's
`shared_files` in mkdocs.yml). Office files (.docx, .xlsx, .pptx) are zip archives of XML: their
text is read with zipfile and a regular expression, without an Office library.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import zipfile
from pathlib import Path

TEXT_SUFFIXES = {".html", ".htm", ".js", ".json", ".xml", ".css", ".txt", ".svg", ".map", ".sha256", ".csv",
                 ".tsv", ".md", ".yml", ".yaml", ".ini", ".log"}
OOXML_SUFFIXES = {".docx", ".xlsx", ".pptx", ".docm", ".xlsm"}
MAX_UNPACKED = 64 * 1024 * 1024  # an Office file that inflates beyond this is refused, not read
_TAG = re.compile(r"<[^>]*>")
# Where a reader sees separate pieces of text: the end of a paragraph (Word, PowerPoint), of a
# table cell, of a spreadsheet string or cell, and a line break or tab. Two cells "信息中心" and
# "系统管理员" must not read as one "信息中心系统管理员".
_BREAK = re.compile(r"</(?:w:p|w:tc|a:p|si|is|c)>|<(?:w:br|w:cr|w:tab|a:br)\b[^>]*>")


class Unreadable(Exception):
    """The text of a file cannot be extracted; the message says why."""


def _decode(raw: bytes) -> str:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16", errors="replace")
    for encoding in ("utf-8-sig", "gb18030"):  # gb18030: spreadsheets exported on Chinese Windows
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable("is neither UTF-8, UTF-16 nor GB18030 text")


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        parts = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata or {}
        parts += [str(v) for v in info.values()]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise Unreadable(f"is a PDF whose text cannot be read ({error})") from None
    text = "\n".join(parts)
    if reader.pages and not text.strip():
        raise Unreadable("is a PDF without extractable text (scanned?)")
    return text


def _ooxml_text(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [i for i in archive.infolist() if i.filename.endswith((".xml", ".rels"))]
            if sum(i.file_size for i in members) > MAX_UNPACKED:
                raise Unreadable(f"unpacks to more than {MAX_UNPACKED // (1024 * 1024)} MB")
            # Tags are dropped without a gap (Word splits a name into runs: <w:t>张</w:t>…<w:t>三</w:t>),
            # except where paragraphs, cells and strings end.
            texts = (archive.read(i).decode("utf-8", errors="replace") for i in members)
            return "\n".join(html.unescape(_TAG.sub("", _BREAK.sub("\n", text))) for text in texts)
    except (zipfile.BadZipFile, OSError, RuntimeError) as error:
        raise Unreadable(f"is not a readable Office file ({error})") from None


def file_text(path: Path) -> str:
    """Everything a reader could see in `path`: for markup, the text both as written and with
    entities and JSON escapes unfolded. Raises `Unreadable` for a file whose text cannot be had."""
    suffix = path.suffix.lower()
    if suffix == ".gz":
        try:
            raw = gzip.decompress(path.read_bytes())
        except (OSError, EOFError) as error:
            raise Unreadable(f"is a damaged gzip file ({error})") from None
        return _unfolded(_decode(raw))
    if suffix in TEXT_SUFFIXES:
        return _unfolded(_decode(path.read_bytes()))
    if suffix == ".pdf":
        return _pdf_text(path)
    if suffix in OOXML_SUFFIXES:
        return _ooxml_text(path)
    raise Unreadable("is a binary file whose text cannot be checked")


def _unfolded(text: str) -> str:
    return text + "\n" + html.unescape(text) + "\n" + _json_unescaped(text)


def _json_unescaped(text: str) -> str:
    try:
        return json.dumps(json.loads(text.removeprefix("var __index = ")), ensure_ascii=False)
    except ValueError:
        return ""
