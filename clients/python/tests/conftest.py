"""Fixtures: a real Spool server per test, a client for it, a connection-dropping proxy."""

import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PACKAGE_ROOT = HERE.parent
REPO_ROOT = HERE.parents[2]
sys.path.insert(0, str(PACKAGE_ROOT))
sys.path.insert(0, str(PACKAGE_ROOT / "examples"))

from spool_client import Client  # noqa: E402


def spool_binary() -> Path:
    configured = os.environ.get("SPOOL_BINARY")
    path = Path(configured) if configured else Path(".build/debug/spool")
    if not path.is_absolute():
        path = REPO_ROOT / path
    if not path.exists():
        pytest.fail(f"Spool binary not found at {path}; build it with `swift build --product spool` or set SPOOL_BINARY")
    return path


class SpoolServer:
    """`spool serve --port 0` on a temporary data directory."""

    def __init__(self, token=None):
        self.process = None
        self.stderr = None
        self.data_dir = tempfile.mkdtemp(prefix="spool-py-test-")
        try:
            self._start(token)
        except BaseException:
            self.stop()
            raise

    def _start(self, token):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SPOOL_")}
        if token:
            env["SPOOL_AUTH_TOKEN"] = token
        self.stderr = open(os.path.join(self.data_dir, "server.stderr"), "wb")
        self.process = subprocess.Popen(
            [str(spool_binary()), "serve", "--host", "127.0.0.1", "--port", "0",
             "--data", self.data_dir, "--log-level", "warning"],
            stdout=subprocess.PIPE, stderr=self.stderr, stdin=subprocess.DEVNULL, env=env,
        )
        line = self._first_line(timeout=15)
        prefix = "Spool listening on "
        if not line.startswith(prefix):
            raise RuntimeError(f"unexpected first line from spool serve: {line!r}")
        self.url = line[len(prefix):].split(" ", 1)[0]
        self.port = int(self.url.rsplit(":", 1)[1])
        threading.Thread(target=self._drain, daemon=True).start()

    def _first_line(self, timeout):
        deadline = time.monotonic() + timeout
        data = b""
        fd = self.process.stdout.fileno()
        while b"\n" not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                with open(os.path.join(self.data_dir, "server.stderr"), "rb") as stderr:
                    errors = stderr.read()[-2000:].decode(errors="replace")
                raise RuntimeError(f"spool serve did not announce its address (got {data!r}; stderr: {errors})")
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    continue
                data += chunk
        return data.split(b"\n", 1)[0].decode()

    def _drain(self):
        try:
            while self.process.stdout.read(4096):
                pass
        except (OSError, ValueError):
            pass

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.stderr is not None:
            self.stderr.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)


class DroppingProxy:
    """A TCP proxy to the server whose open connections can be cut on demand,
    to test that live reads reconnect without losing or repeating events."""

    def __init__(self, port):
        self.target = ("127.0.0.1", port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.lock = threading.Lock()
        self.sockets = []
        self.connections = 0
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
                self.connections += 1
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, a, b):
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 0.5)
                if self.closed:
                    break
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        raise OSError("closed")
                    (b if source is a else a).sendall(data)
        except (OSError, ValueError):
            pass
        finally:
            for s in (a, b):
                try:
                    s.close()
                except OSError:
                    pass

    def drop_all(self):
        """Cuts every open connection (both sides)."""
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for s in sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.closed = True
        self.listener.close()
        self.drop_all()


@pytest.fixture
def server():
    spool = SpoolServer()
    yield spool
    spool.stop()


@pytest.fixture
def client(server):
    return Client(server.url, token="", timeout=10, idle_timeout=20, reconnect_delay=0.05, max_reconnect_delay=0.5)


@pytest.fixture
def proxy(server):
    p = DroppingProxy(server.port)
    yield p
    p.close()


def wait_for(predicate, timeout=10.0, interval=0.02, message="condition"):
    """Polls until predicate() is truthy; fails the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


class Collector:
    """Iterates a live generator on a thread, collecting events, until stopped."""

    def __init__(self, make_iterator):
        self.stop = threading.Event()
        self.events = []
        self.error = None
        self._make = make_iterator
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            for event in self._make(self.stop):
                self.events.append(event)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            self.error = error

    def wait_count(self, count, timeout=10.0):
        wait_for(lambda: len(self.events) >= count or self.error, timeout, message=f"{count} events (have {len(self.events)})")
        if self.error:
            raise self.error
        return self.events

    def close(self, timeout=5.0):
        self.stop.set()
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "live iterator did not stop"
