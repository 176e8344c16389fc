"""Appends, reads, errors, idempotency, listing, checkpoints and auth against a real server."""

import pytest

from conftest import SpoolServer
from spool_client import Client, SpoolError, SSEDecoder, derive_idempotency_key
from spool_client.processor import fnv1a64


def test_health(client):
    assert client.health() == {"status": "ok"}


def test_append_and_read(client):
    first = client.append("/demo/a", "demo/ping", {"n": 1}, metadata={"source": "test"})
    assert first["streamPath"] == "/demo/a"
    assert first["offset"] == 1
    assert first["type"] == "demo/ping"
    assert first["payload"] == {"n": 1}
    assert first["metadata"] == {"source": "test"}
    assert first["createdAt"].endswith("Z")
    second = client.append("demo/a", "demo/ping")  # the leading slash is optional
    assert second["offset"] == 2
    assert second["payload"] == {}
    assert second["position"] > first["position"]

    events = client.read("/demo/a")
    assert [e["offset"] for e in events] == [1, 2]
    assert events[0] == first
    assert [e["offset"] for e in client.read("/demo/a", after=1)] == [2]
    assert [e["offset"] for e in client.read("/demo/a", limit=1)] == [1]


def test_append_batch(client):
    events = client.append_batch("/demo/batch", [
        {"type": "demo/a", "payload": {"i": 1}},
        {"type": "demo/b", "idempotencyKey": "b"},
    ])
    assert [(e["offset"], e["type"]) for e in events] == [(1, "demo/a"), (2, "demo/b")]
    assert events[1]["idempotencyKey"] == "b"
    with pytest.raises(SpoolError) as failure:
        client.append_batch("/demo/batch", [{"type": "demo/c"}, {"type": "bad type"}])
    assert failure.value.status == 400
    assert len(client.read("/demo/batch")) == 2  # all or nothing


def test_idempotency(client):
    original = client.append("/jobs/1", "job/started", {"x": 1}, idempotency_key="start")
    replay = client.append("/jobs/1", "job/started", {"x": 1}, idempotency_key="start")
    assert replay == original
    assert len(client.read("/jobs/1")) == 1
    with pytest.raises(SpoolError) as failure:
        client.append("/jobs/1", "job/started", {"x": 2}, idempotency_key="start")
    assert failure.value.code == "idempotency_conflict"
    assert failure.value.status == 409


def test_expected_offset(client):
    client.append("/jobs/2", "job/started", expected_offset=0)
    client.append("/jobs/2", "job/progress", expected_offset=1)
    with pytest.raises(SpoolError) as failure:
        client.append("/jobs/2", "job/finished", expected_offset=1)
    error = failure.value
    assert (error.code, error.status) == ("offset_conflict", 409)
    assert error.details.get("headOffset") == 2
    assert error.message


def test_errors(client):
    with pytest.raises(SpoolError) as missing:
        client.read("/never/written")
    assert (missing.value.code, missing.value.status) == ("stream_not_found", 404)

    with pytest.raises(SpoolError) as bad_path:
        client.append("/bad path/x", "demo/ping")
    assert (bad_path.value.code, bad_path.value.status) == ("invalid_path", 400)

    with pytest.raises(SpoolError) as bad_type:
        client.append("/demo/a", "has spaces")
    assert (bad_type.value.code, bad_type.value.status) == ("invalid_event", 400)

    with pytest.raises(SpoolError) as bad_key:
        client.append("/demo/a", "demo/ping", idempotency_key="k" * 300)
    assert bad_key.value.status == 400
    assert "SpoolError" in repr(bad_key.value)


def test_list_streams(client):
    client.append("/agents/ada", "agent/input-added")
    client.append("/agents/bob", "agent/input-added")
    client.append("/agents/bob", "agent/input-added")
    client.append("/other/x", "x/y")
    streams = {s["path"]: s["headOffset"] for s in client.list_streams("/agents")}
    assert streams == {"/agents/ada": 1, "/agents/bob": 2}
    assert "/other/x" in {s["path"] for s in client.list_streams()}


def test_checkpoints(client):
    assert client.get_checkpoint("never-saved") == 0
    head = client.append_batch("/ckpt/a", [{"type": "t"}, {"type": "t"}])[-1]["position"]
    assert client.put_checkpoint("echo:v1", head - 1) == {"consumer": "echo:v1", "position": head - 1}
    assert client.get_checkpoint("echo:v1") == head - 1
    client.put_checkpoint("echo:v1", head)
    assert client.get_checkpoint("echo:v1") == head
    # Past the head, or a server processor's own checkpoint: refused, nothing moved.
    for consumer, position in [("echo:v1", head + 1_000_000), ("processor:scheduler", 0)]:
        with pytest.raises(SpoolError) as refused:
            client.put_checkpoint(consumer, position)
        assert refused.value.status == 400
    assert client.get_checkpoint("echo:v1") == head
    with pytest.raises(SpoolError) as failure:
        client.get_checkpoint("bad name!")
    assert 400 <= failure.value.status < 500


def test_auth():
    server = SpoolServer(token="s3cret")
    try:
        anonymous = Client(server.url, token="", timeout=5)
        with pytest.raises(SpoolError) as failure:
            anonymous.append("/demo/a", "demo/ping")
        assert (failure.value.code, failure.value.status) == ("unauthorized", 401)
        with pytest.raises(SpoolError) as live_failure:  # a live read does not retry a 401 forever
            next(anonymous.tail("/demo/a"))
        assert live_failure.value.status == 401
        authorized = Client(server.url, token="s3cret", timeout=5)
        assert authorized.append("/demo/a", "demo/ping")["offset"] == 1
        assert anonymous.health() == {"status": "ok"}
    finally:
        server.stop()


def test_token_from_environment(monkeypatch):
    monkeypatch.setenv("SPOOL_AUTH_TOKEN", "from-env")
    assert Client().token == "from-env"
    assert Client(token="explicit").token == "explicit"
    monkeypatch.delenv("SPOOL_AUTH_TOKEN")
    assert Client().token is None
    assert Client().base_url == "http://127.0.0.1:4437"


def test_derived_idempotency_keys():
    event = {"streamPath": "/demo/a", "offset": 7}
    assert derive_idempotency_key("echo", event, 0) == "echo:/demo/a@7#0"
    assert fnv1a64("") == 0xCBF29CE484222325
    assert fnv1a64("a") == 0xAF63DC4C8601EC8C
    long_path = "/" + "/".join(["segment-" + str(i) * 20 for i in range(12)])
    key = derive_idempotency_key("echo", {"streamPath": long_path, "offset": 3}, 2)
    assert key == f"echo:{fnv1a64(long_path):x}@3#2"
    assert len(key) <= 256


def test_sse_decoder():
    decoder = SSEDecoder()
    assert decoder.feed(b": connected\n\nid: 1\r\ndata: {\"a\":") == []
    messages = decoder.feed(b"1}\r\n\r\nid: 2\ndata: x\ndata: y\n\n")
    assert [(m.id, m.data) for m in messages] == [("1", '{"a":1}'), ("2", "x\ny")]
    assert decoder.last_event_id == "2"
    assert decoder.feed(b"data: z\r") == []
    assert [m.data for m in decoder.feed(b"\r\n")] == ["z"]
