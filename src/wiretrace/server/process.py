"""Run ``wiretrace serve`` in a child process on a free local port.

For the tests and the benchmark, which must talk to a real server over real
sockets, and for any script that wants one for a while::

    with ServerProcess("news.db", token="a-long-random-secret") as server:
        httpx.get(server.url + "/api/health")
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from wiretrace.cli.serve import TOKEN_ENV


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ServerProcess:
    """``wiretrace serve DB`` as a child process, started on enter, stopped on exit."""

    def __init__(self, db: str | os.PathLike, token: str | None = None, *extra: str,
                 host: str = "127.0.0.1", log: str | os.PathLike | None = None,
                 startup_s: float = 60.0) -> None:
        self.db, self.token, self.extra, self.host = Path(db), token, extra, host
        self.log_path = Path(log) if log else self.db.with_suffix(".server.log")
        self.startup_s = startup_s
        self.port = 0
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServerProcess:
        env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
        if self.token:
            env[TOKEN_ENV] = self.token  # the environment, as a user should pass it
        for _attempt in range(3):  # another process may take the port between pick and bind
            self.port = free_port(self.host)
            cmd = [sys.executable, "-m", "wiretrace", "serve", str(self.db), "--host", self.host,
                   "--port", str(self.port), "--no-access-log", *self.extra]
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL)
            if self._wait_ready():
                return self
        raise RuntimeError(f"wiretrace serve did not start; log: {self.log_tail()}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + self.startup_s
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=2) as resp:
                    if json.load(resp).get("status") == "ok":
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
                time.sleep(0.05)
        self.stop()
        return False

    def stop(self) -> int | None:
        """Stop it as Ctrl-C would (SIGINT), then harder; return its exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(timeout=20)

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
