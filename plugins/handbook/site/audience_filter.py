"""A customer's bundle holds the hand-written pages meant for that customer only (`data.audience`).

The pages are taken out of MkDocs' file list before anything is rendered, with their nav entries:
the bundle is built from filtered input, not by hiding pages that would still reach the search
index, the sitemap and tag pages.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import Files

from ..data.audience import read_audience


def drop_other_audiences(files: Files, customer_id: str) -> set[str]:
    """Remove the hand-written pages not meant for `customer_id`'s bundle; return their paths."""
    dropped = set()
    for file in list(files):
        if file.is_documentation_page() and file.abs_src_path and not file.generated_by:
            if not read_audience(Path(file.abs_src_path), file.src_uri).in_bundle_of(customer_id):
                files.remove(file)
                dropped.add(file.src_uri)
    return dropped
