"""`handbook serve`: MkDocs' live-reload server and build, told of a save by the operating system.

MkDocs' `serve` polls the watched folders every 0.5 s: a save waits up to half a second (a quarter
on average) before anyone sees it, and every watched file is looked at twice a second while
nothing happens. MkDocs polls because notifications do not cross some network and container
mounts (mkdocs#2477). Here watchdog's native observer (inotify, FSEvents, ReadDirectoryChangesW)
reports a save at once, and `--poll SECONDS` goes back to polling where notifications never come.
Everything else is MkDocs' own, as `mkdocs serve` runs it: the configuration read again and a
full build on every change, the rebuild loop that waits for a burst of changes to end, the
injected script that reloads the open page, and pages served only once a build has finished.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer, _serve_url
from watchdog.events import (
    FileAttribEvent, FileClosedEvent, FileCreatedEvent, FileDeletedEvent, FileModifiedEvent,
    FileMovedEvent, FileSystemEvent, FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

log = logging.getLogger("mkdocs.commands.serve")

# A native observer also reports files being opened and read; the build reads every watched file,
# so those would start the next build, forever. Only changes count (a `touch` too, as under polling).
CHANGES = [FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileClosedEvent,
           FileAttribEvent]


class _ChangesObserver(Observer):  # type: ignore[misc,valid-type]  # the platform's native observer
    def schedule(self, event_handler: FileSystemEventHandler, path: str, *, recursive: bool = False,
                 event_filter: list[type[FileSystemEvent]] | None = None, follow_symlink: bool = False) -> ObservedWatch:
        return super().schedule(event_handler, path, recursive=recursive, event_filter=event_filter or CHANGES,
                                follow_symlink=follow_symlink)


class NotifiedServer(LiveReloadServer):
    """MkDocs' live-reload server with a native observer, or polling every `poll` seconds."""

    def __init__(self, *args, poll: float | None = None, **kwargs) -> None:
        super().__init__(*args, polling_interval=poll or 0.5, **kwargs)
        if poll is None:
            self.observer = _ChangesObserver()


def serve(config_file: Path, host: str, port: int, poll: float | None = None) -> None:
    """Build into a temporary folder, serve it on `host:port`, rebuild and reload on every change."""
    site_dir = tempfile.mkdtemp(prefix="mkdocs_")

    def get_config() -> MkDocsConfig:
        return load_config(config_file=str(config_file), site_dir=site_dir, dev_addr=f"{host}:{port}")

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    mount_path = urlsplit(config.site_url or "/").path
    serve_url = config.site_url = _serve_url(host, port, mount_path)

    def builder(config: MkDocsConfig | None = None) -> None:
        log.info("Building documentation...")
        if config is None:
            config = get_config()
            config.site_url = serve_url
        build(config, serve_url=serve_url, dirty=False)

    server = NotifiedServer(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path,
                            poll=poll)

    def error_page(code: int) -> bytes | None:
        page = Path(site_dir) / f"{code}.html"
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    server.error_handler = error_page
    try:
        builder(config)
        server.watch(config.docs_dir)
        server.watch(config.config_file_path)
        server = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
        if poll is not None:
            log.info(f"Looking for changes every {poll:g} s (--poll)")
        try:
            server.serve(open_in_browser=False)
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)
