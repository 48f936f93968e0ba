"""`handbook serve` in a subprocess on a free local port, for the serve tests and `make bench`."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    """The body of `url` (also of a 404 answer), or '' when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return ""


def wait_for(url: str, wanted: Callable[[str], bool], timeout: float, every: float = 0.05) -> str | None:
    """Poll `url` until its body satisfies `wanted`; the body, or None after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = fetch(url)
        if body and wanted(body):
            return body
        time.sleep(every)
    return None


class Server:
    """A running `handbook serve`: its base URL and, once stopped, everything it printed."""

    def __init__(self, process: subprocess.Popen, url: str, log_path: Path):
        self.process = process
        self.url = url
        self.log_path = log_path

    def log(self) -> str:
        """What the server printed so far (stdout and stderr)."""
        return self.log_path.read_text("utf-8", "replace")


@contextlib.contextmanager
def serving(root: Path, *args: str, ready_timeout: float = 180) -> Iterator[Server]:
    """Start `handbook serve` for the project at `root`; always stop it (its process group) at the end."""
    port = free_port()
    log_path = root.parent / f"serve-{port}.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("HANDBOOK_CUSTOMER", None)
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "handbook.cli", "--project", str(root), "serve",
                                    "--port", str(port), *args], stdout=log, stderr=subprocess.STDOUT,
                                   env=env, start_new_session=True)
    server = Server(process, f"http://127.0.0.1:{port}/", log_path)
    try:
        deadline = time.monotonic() + ready_timeout
        while f"Serving on {server.url}" not in server.log():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"handbook serve did not start:\n{server.log()}")
            time.sleep(0.1)
        yield server
    finally:
        if process.poll() is None:
            # Ctrl+C: MkDocs shuts down and removes its temporary site directory.
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
