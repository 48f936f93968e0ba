"""What the plugin sets in MkDocs' configuration: the site's metadata from handbook.yml, the theme
folders that let a project override templates, and what a site opened from disk needs."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import yaml
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from ..data.model import Model
from ..errors import Location, Problem, log
from ..templates import search_path

OFFLINE_SHIM = "assets/javascripts/iframe-worker-shim.js"


def apply_site_metadata(config: MkDocsConfig, model: Model) -> None:
    """Title, description, language and repository come from handbook.yml; mkdocs.yml may repeat a
    value (MkDocs requires `site_name`) but not contradict it."""
    handbook = model.handbook
    wanted = {"site_name": handbook.title, "site_description": handbook.description or None,
              "repo_url": handbook.repository or None}
    problems = []
    written = _config_positions(config.config_file_path)
    for key, value in wanted.items():
        current = config.get(key)
        if value is None:
            continue
        if (key,) in written and current != value:
            problems.append(Problem(written.get((key,), Location("mkdocs.yml")),
                                    f"{key} '{current}' contradicts {handbook.source.at(_DATA_KEY[key])} "
                                    f"('{value}'); keep it in project_data/handbook.yml only"))
        config[key] = value
    if config.repo_url and not config.repo_name:
        # MkDocs derives the name while validating mkdocs.yml, before the URL came from handbook.yml.
        config.repo_name = urlsplit(config.repo_url).path.strip("/") or urlsplit(config.repo_url).netloc
    language = config.theme.get("language")
    # Material fills in "en" when mkdocs.yml says nothing; only a written language can contradict.
    if ("theme", "language") in written and language != handbook.language:
        problems.append(Problem(written.get(("theme", "language"), Location("mkdocs.yml")),
                                f"theme.language '{language}' contradicts {handbook.source.at('language')} "
                                f"('{handbook.language}')"))
    config.theme["language"] = handbook.language
    if problems:
        for problem in problems:
            log.error(str(problem))
        raise PluginError(f"{len(problems)} contradiction(s) between mkdocs.yml and project_data/handbook.yml")


_DATA_KEY = {"site_name": "title", "site_description": "description", "repo_url": "repository"}


def _config_positions(config_file: str | None) -> dict[tuple, Location]:
    """Positions of the top-level keys (and theme.language) written in mkdocs.yml, for located errors.

    The file is composed, never constructed: it may hold `!!python` tags, and only positions are wanted.
    """
    if not config_file:
        return {}
    path = Path(config_file)
    try:
        node = yaml.compose(path.read_text("utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return {}
    found: dict[tuple, Location] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            mark = value.start_mark
            found[(key.value,)] = Location(path.name, mark.line + 1, mark.column + 1)
            if key.value == "theme" and isinstance(value, yaml.MappingNode):
                for sub_key, sub_value in value.value:
                    mark = sub_value.start_mark
                    found[("theme", sub_key.value)] = Location(path.name, mark.line + 1, mark.column + 1)
    return found


def make_offline(config: MkDocsConfig) -> None:
    """What a bundle opened from disk needs: file URLs, our own search shim, no version selector,
    and Material's offline plugin to inline the search index."""
    from material.plugins.offline.plugin import OfflinePlugin

    config.use_directory_urls = False
    polyfills = [p for p in config.extra.get("polyfills", []) if "iframe-worker" not in str(p)]
    config.extra["polyfills"] = [*polyfills, OFFLINE_SHIM]
    # The version selector fetches ../versions.json: published versions only, never offline.
    config.extra.pop("version", None)
    if "material/offline" not in config.plugins:
        offline = OfflinePlugin()
        offline.load_config({})
        config.plugins["material/offline"] = offline


def add_theme_overrides(config: MkDocsConfig, templates_dir: Path) -> None:
    """Material looks in the project's `site_templates/overrides`, then the package's, then itself.

    `theme.custom_dir` in mkdocs.yml (if any) stays first; the folders are added right after it.
    """
    dirs = config.theme.dirs
    custom = config.theme.custom_dir
    at = 1 if custom and dirs and Path(dirs[0]).resolve() == Path(custom).resolve() else 0
    for folder in search_path(templates_dir, "overrides"):
        if folder.is_dir() and all(Path(d).resolve() != folder.resolve() for d in dirs):
            dirs.insert(at, str(folder))
            at += 1
