"""`handbook pdf`: the acceptance record printed to A4 PDF by Debian's headless Chromium."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import REPO
from handbook.cli import main
from handbook.data.loader import Project, load_project
from handbook.deliver.pdf import find_chromium
from test_browser import _unavailable

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_pdf_of_the_accepted_record(tmp_path: Path, capsys) -> None:
    if find_chromium() is None:
        _unavailable("chromium is missing (apt-get install chromium fonts-noto-cjk)")
    customer = next(c for c in load_project(Project.at(REPO)).customers if c.id == "ruifeng-mfg")
    assert main(["--project", str(REPO), "pdf", "ruifeng-mfg", "--out", str(tmp_path)]) == 0
    (pdf,) = tmp_path.iterdir()
    assert pdf.name == "ruifeng-mfg-acceptance-2.3.pdf" and f"wrote {pdf}" in capsys.readouterr().out
    reader = PdfReader(pdf)
    text = unicodedata.normalize("NFKC", "".join(page.extract_text() for page in reader.pages))
    assert reader.pages[0].mediabox.width == pytest.approx(595, abs=2)  # A4: 210 mm = 595 pt
    assert unicodedata.normalize("NFKC", f"{customer.name}：验收记录") in text
    assert customer.acceptance.fingerprint in text.replace("\n", "")
    assert "签字确认" in text and customer.acceptance.customer_signoff.name in text
    assert f"1 / {len(reader.pages)}" in text  # page numbers from the print stylesheet


def test_pdf_refuses_unknown_and_unsafe_ids(tmp_path: Path, capsys) -> None:
    assert main(["--project", str(REPO), "pdf", "../x", "--out", str(tmp_path / "o")]) == 2
    assert main(["--project", str(REPO), "pdf", "nobody", "--out", str(tmp_path / "o")]) == 1
    assert "unknown customer 'nobody'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
