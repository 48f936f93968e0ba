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
    pages = [unicodedata.normalize("NFKC", page.extract_text()).replace("\n", "") for page in reader.pages]
    # Ready to sign: a running header naming customer, record and fingerprint on pages 2..n only,
    # the generation date, the fingerprint on the page of the signatures, no repository instructions.
    header = f"{customer.name} ·验收记录 UAT-ruifeng-mfg-{customer.acceptance.fingerprint[:8]}"
    assert len(pages) > 1 and header not in pages[0].replace(" ", " ")
    assert all(header in page for page in pages[1:]), [page[:120] for page in pages]
    assert "生成于" in pages[0]
    signed = [i for i, page in enumerate(pages) if "签字确认" in page]
    assert signed and customer.acceptance.fingerprint in pages[signed[-1]]
    assert "handbook fingerprint" not in text and "返回" not in text  # the 返回/打印 bar is screen-only


def test_pdf_refuses_unknown_and_unsafe_ids(tmp_path: Path, capsys) -> None:
    assert main(["--project", str(REPO), "pdf", "../x", "--out", str(tmp_path / "o")]) == 2
    assert main(["--project", str(REPO), "pdf", "nobody", "--out", str(tmp_path / "o")]) == 1
    assert "unknown customer 'nobody'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
