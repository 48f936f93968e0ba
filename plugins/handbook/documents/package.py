"""What an Office file says about itself, and the same bytes on every build.

python-docx and openpyxl stamp the zip entries with the time of writing and openpyxl sets the
`modified` property to now; a file regenerated unchanged would then get a new checksum in every
bundle's MANIFEST. The archive is rewritten with every entry dated to the document's date, in
the writer's order, with fixed permissions.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentInfo:
    """The core properties of a generated document."""

    title: str
    author: str  # the handbook's vendor
    subject: str = ""  # the handbook's title
    version: str = ""  # the handbook's version
    description: str = ""
    date: dt.date = dt.date(2000, 1, 1)  # created and modified, and the zip entries' date
    language: str = "zh-CN"

    @property
    def timestamp(self) -> dt.datetime:
        """Midnight UTC of `date`, without tzinfo (both writers store it as UTC)."""
        return dt.datetime.combine(self.date, dt.time())


def repack(data: bytes, date: dt.date) -> bytes:
    """`data` (a zip archive) with every entry dated `date` 00:00 and stored the same way each time."""
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)  # zip dates start in 1980
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 3  # Unix, whatever the building machine is
            target.writestr(entry, source.read(item.filename), compresslevel=6)
    return out.getvalue()
