"""PDF export of an acceptance record, printed by Debian's headless Chromium from the print view.

WeasyPrint was tried first: it renders a small Chinese page well, but Material's CSS (media
queries, @supports, keyframes) leaves it printing the real print view as blank pages, and making
it work would mean a second HTML/CSS path that could drift from the page both parties sign.
Chromium prints exactly the print view the browser shows, offline, with Debian's Noto CJK fonts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ..site.build import staging_dir
from ..data.model import Model
from ..errors import HandbookError
from .bundle import CustomerBuild

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> str | None:
    """The path of a Chromium executable, if one is installed."""
    return next((path for name in CHROMIUM_CANDIDATES if (path := shutil.which(name))), None)


def export_acceptance_pdf(root: Path, customer_id: str, out_dir: Path, model: Model | None = None) -> Path:
    """Write `<id>-acceptance-<version>.pdf` into `out_dir` atomically and return its path."""
    job = CustomerBuild.prepare(root, customer_id, model)
    chromium = find_chromium()
    if chromium is None:
        raise HandbookError(["PDF export needs Chromium: apt-get install chromium fonts-noto-cjk"])
    target = out_dir.resolve() / f"{customer_id}-acceptance-{job.version}.pdf"
    with staging_dir(target) as tmp:
        site = tmp / "site"
        job.build_offline_site(site)
        page = site / "customers" / customer_id / "acceptance-print.html"
        pdf = tmp / "record.pdf"
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={tmp / 'profile'}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                   page.as_uri()]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=180)
        except subprocess.TimeoutExpired:
            raise HandbookError([f"Chromium did not finish printing {page.name} within 180 s"]) from None
        if result.returncode != 0 or not pdf.is_file() or not pdf.read_bytes().startswith(b"%PDF"):
            raise HandbookError([f"Chromium could not print {page.name}: {result.stderr.strip()[-500:]}"])
        os.replace(pdf, target)
    return target
