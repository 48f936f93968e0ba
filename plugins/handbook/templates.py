"""Where templates come from: the project's `site_templates/`, file by file, over the package's defaults.

The wheel carries the default page templates, labels, Material overrides, CSS and JS as
`handbook.defaults` (built from this repository's `site_templates/`). A project overrides any one
of them by putting a file at the same relative path in its own `site_templates/`, the way
Material's `custom_dir` overrides the theme.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import handbook


@cache
def defaults_dir() -> Path:
    """The folder of the templates shipped with the package (the checkout's, in a source install)."""
    packaged = Path(handbook.__file__).parent / "defaults"
    if (packaged / "pages").is_dir():
        return packaged
    checkout = Path(handbook.__file__).resolve().parents[2] / "site_templates"
    if (checkout / "pages").is_dir():
        return checkout
    raise RuntimeError("the handbook package is installed without its default templates (handbook/defaults)")


def search_path(templates_dir: Path, sub: str) -> list[Path]:
    """The folders to look in for `sub` (`pages`, `overrides`, `assets`): the project's, then the defaults.

    The project's folder is listed even before it exists, so one created later (under `serve`) counts.
    """
    own, default = templates_dir / sub, defaults_dir() / sub
    return [default] if own.resolve() == default.resolve() else [own, default]


def template_file(templates_dir: Path, rel: str) -> Path:
    """The file `rel` (e.g. `assets/handbook.css`): the project's copy if it has one, else the default."""
    own = templates_dir / rel
    return own if own.is_file() else defaults_dir() / rel
