"""Remote processors end to end: the echo example, checkpoints, resuming, replay, failures."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from conftest import PACKAGE_ROOT, wait_for
from echo_processor import make_echo
from spool_client import Processor, SpoolError, processor


class Running:
    """A processor's run() on a thread."""

    def __init__(self, proc, client):
        self.processor = proc
        self.stop_event = threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self._run, args=(client,), daemon=True)
        self.thread.start()

    def _run(self, client):
        try:
            self.processor.run(client, stop=self.stop_event)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            self.error = error

    def stop(self):
        self.stop_event.set()
        self.thread.join(5)
        assert not self.thread.is_alive(), "processor did not stop"
        if self.error:
            raise self.error


def pongs(client, path):
    return [e["payload"]["count"] for e in client.read(path) if e["type"] == "demo/pong"]


def head_position(client, prefix):
    events = client.read_feed(prefix, limit=10000)
    return events[-1]["position"] if events else 0


def wait_caught_up(client, name, prefix, timeout=10):
    """Waits until the processor's saved checkpoint is the last position under prefix."""
    wait_for(lambda: client.get_checkpoint(name) == head_position(client, prefix) > 0, timeout,
             message=f"{name} to catch up")


def test_echo_processor_end_to_end_and_resume(client):
    running = Running(make_echo(), client)
    try:
        client.append("/demo/a", "demo/ping")
        client.append("/demo/a", "demo/ping")
        client.append("/demo/b", "demo/ping")
        wait_for(lambda: pongs(client, "/demo/a") == [1, 2] and pongs(client, "/demo/b") == [1], message="pongs")
        wait_caught_up(client, "py-echo", "/demo")
    finally:
        running.stop()
    assert running.processor.state("/demo/a") == {"pings": 2}
    checkpoint = client.get_checkpoint("py-echo")

    # While it is stopped, more pings arrive; nothing answers them.
    client.append("/demo/a", "demo/ping")
    client.append("/demo/c", "demo/ping")
    client.append("/demo/a", "demo/ping")
    time.sleep(0.2)
    assert pongs(client, "/demo/a") == [1, 2]

    restarted = Running(make_echo(), client)
    try:
        wait_for(lambda: pongs(client, "/demo/a") == [1, 2, 3, 4] and pongs(client, "/demo/c") == [1],
                 message="pongs after restart")
        wait_caught_up(client, "py-echo", "/demo")
        time.sleep(0.2)
        assert pongs(client, "/demo/a") == [1, 2, 3, 4]
        assert pongs(client, "/demo/b") == [1]
        assert pongs(client, "/demo/c") == [1]
        assert restarted.processor.state("/demo/a") == {"pings": 4}
        assert restarted.processor.state("/demo/b") == {"pings": 1}
        assert client.get_checkpoint("py-echo") > checkpoint
    finally:
        restarted.stop()
    events = client.read("/demo/a")
    keys = [e["idempotencyKey"] for e in events if e["type"] == "demo/pong"]
    assert keys == [f"py-echo:/demo/a@{e['offset']}#0" for e in events if e["type"] == "demo/ping"]


def test_replay_after_a_crash_appends_nothing_twice(client):
    running = Running(make_echo(), client)
    try:
        for _ in range(3):
            client.append("/demo/a", "demo/ping")
        wait_for(lambda: pongs(client, "/demo/a") == [1, 2, 3], message="pongs")
        wait_caught_up(client, "py-echo", "/demo")
    finally:
        running.stop()
    count = len(client.read("/demo/a"))

    # As if it had crashed before saving any checkpoint: everything is handled again.
    client.put_checkpoint("py-echo", 0)
    again = Running(make_echo(), client)
    try:
        wait_caught_up(client, "py-echo", "/demo")
        assert again.processor.handled >= count
    finally:
        again.stop()
    assert pongs(client, "/demo/a") == [1, 2, 3]
    assert len(client.read("/demo/a")) == count


def test_example_script_runs_as_a_process(server, client):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPOOL_")}
    env["PYTHONPATH"] = str(PACKAGE_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    script = PACKAGE_ROOT / "examples" / "echo_processor.py"
    process = subprocess.Popen(
        [sys.executable, str(script), "--server", server.url, "--name", "echo-cli"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, text=True)
    try:
        client.append("/demo/x", "demo/ping")
        client.append("/demo/x", "demo/ping")
        wait_for(lambda: pongs(client, "/demo/x") == [1, 2], timeout=15, message="pongs from the script")
        wait_caught_up(client, "echo-cli", "/demo")
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=10)
        assert process.returncode == 0, output
        assert "stopped at position" in output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)


def test_failing_after_append_is_retried_then_recorded(client):
    attempts = {}

    def flaky(event, state, ctx):
        key = (event["streamPath"], event["offset"])
        attempts[key] = attempts.get(key, 0) + 1
        if event["type"] == "demo/ping" and attempts[key] == 1:
            ctx.append("demo/partial")  # appended before failing; the retry must not append it again
            raise RuntimeError("transient")
        if event["type"] == "demo/ping":
            ctx.append("demo/partial")
            ctx.append("demo/pong", {"count": 1})

    def broken(event, state, ctx):
        if event["type"] == "demo/boom":
            raise ValueError("always broken")

    flaky_runner = Running(Processor("flaky", "/flaky", None, None, flaky, retry_delay=0.01), client)
    broken_runner = Running(Processor("broken", "/broken", None, None, broken, max_attempts=2, retry_delay=0.01), client)
    try:
        client.append("/flaky/a", "demo/ping")
        client.append("/broken/a", "demo/boom")
        client.append("/broken/a", "demo/fine")
        wait_caught_up(client, "flaky", "/flaky")
        wait_caught_up(client, "broken", "/broken")
    finally:
        flaky_runner.stop()
        broken_runner.stop()
    assert [e["type"] for e in client.read("/flaky/a")] == ["demo/ping", "demo/partial", "demo/pong"]
    assert attempts[("/flaky/a", 1)] == 2
    failures = [e for e in client.read("/broken/a") if e["type"] == "spool/processor-failed"]
    assert len(failures) == 1
    assert failures[0]["payload"]["processor"] == "broken"
    assert failures[0]["payload"]["sourceOffset"] == 1
    assert "always broken" in failures[0]["payload"]["error"]


def test_decorator_on_a_class_and_explicit_paths(client):
    @processor("mirror", prefix="/in")
    class Mirror:
        initial_state = {"seen": 0}

        def reduce(self, state, event):
            state["seen"] += 1  # in place: returning None keeps the (mutated) state

        def after_append(self, event, state, ctx):
            ctx.append("mirror/copied", {"seen": state["seen"], "from": event["streamPath"]}, path="/out/mirror")

    assert isinstance(Mirror, Processor)
    running = Running(Mirror, client)
    try:
        client.append("/in/a", "x/one")
        client.append("/in/a", "x/two")
        client.append("/in/b", "x/three")
        wait_for(lambda: len(client.list_streams("/out")) == 1 and len(client.read("/out/mirror")) == 3, message="copies")
    finally:
        running.stop()
    copies = client.read("/out/mirror")
    assert sorted((c["payload"]["from"], c["payload"]["seen"]) for c in copies) == [("/in/a", 1), ("/in/a", 2), ("/in/b", 1)]
    assert {c["idempotencyKey"] for c in copies} == {"mirror:/in/a@1#0", "mirror:/in/a@2#0", "mirror:/in/b@1#0"}


def test_processor_stops_promptly_while_idle(client):
    running = Running(make_echo(), client)
    time.sleep(0.2)
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 2


def test_processor_names_are_validated():
    with pytest.raises(ValueError):
        Processor("has space", "/x")
    with pytest.raises(ValueError):
        Processor("", "/x")
    assert Processor("ok.name_~:-1", "x").prefix == "/x"
    assert issubclass(SpoolError, Exception)
