"""Live tails and feeds over SSE: history then live, resuming, reconnecting without duplicates."""

import time

from conftest import Collector
from spool_client import Client


def offsets(events):
    return [e["offset"] for e in events]


def test_tail_history_then_live(client):
    for i in range(3):
        client.append("/demo/t", "demo/ping", {"i": i})
    tail = Collector(lambda stop: client.tail("/demo/t", stop=stop))
    try:
        tail.wait_count(3)
        client.append("/demo/t", "demo/ping", {"i": 3})
        client.append_batch("/demo/t", [{"type": "demo/ping", "payload": {"i": 4}}])
        events = tail.wait_count(5)
        assert offsets(events) == [1, 2, 3, 4, 5]
        assert [e["payload"]["i"] for e in events] == [0, 1, 2, 3, 4]
    finally:
        tail.close()


def test_tail_after_and_generator_close(client):
    for i in range(4):
        client.append("/demo/after", "demo/ping")
    events = client.tail("/demo/after", after=2)
    assert [next(events)["offset"], next(events)["offset"]] == [3, 4]
    events.close()  # closing the generator closes the connection


def test_tail_waits_for_a_new_stream(client):
    tail = Collector(lambda stop: client.tail("/demo/not-yet", stop=stop))
    try:
        time.sleep(0.2)
        assert tail.events == []
        client.append("/demo/not-yet", "demo/ping")
        assert offsets(tail.wait_count(1)) == [1]
    finally:
        tail.close()


def test_tail_stops_promptly_while_idle(client):
    client.append("/demo/idle", "demo/ping")
    tail = Collector(lambda stop: client.tail("/demo/idle", stop=stop))
    tail.wait_count(1)
    started = time.monotonic()
    tail.close(timeout=3)
    assert time.monotonic() - started < 2


def test_tail_reconnects_without_losing_or_repeating(client, proxy):
    via_proxy = Client(proxy.url, token="", timeout=5, idle_timeout=10, reconnect_delay=0.05, max_reconnect_delay=0.2)
    for i in range(3):
        client.append("/demo/r", "demo/ping", {"i": i})
    tail = Collector(lambda stop: via_proxy.tail("/demo/r", stop=stop))
    try:
        tail.wait_count(3)
        proxy.drop_all()
        client.append("/demo/r", "demo/ping", {"i": 3})
        tail.wait_count(4)
        proxy.drop_all()
        proxy.drop_all()
        client.append_batch("/demo/r", [{"type": "demo/ping", "payload": {"i": 4}}, {"type": "demo/ping", "payload": {"i": 5}}])
        events = tail.wait_count(6)
        time.sleep(0.2)
        assert offsets(tail.events) == [1, 2, 3, 4, 5, 6]
        assert [e["payload"]["i"] for e in events] == list(range(6))
        assert proxy.connections >= 2
    finally:
        tail.close()


def test_tail_keeps_retrying_while_the_server_is_away(server):
    # A client pointed at a port nothing listens on retries until stopped, instead of raising.
    away = Client("http://127.0.0.1:1", token="", reconnect_delay=0.01, max_reconnect_delay=0.05)
    tail = Collector(lambda stop: away.tail("/demo/x", stop=stop))
    time.sleep(0.3)
    assert tail.error is None and tail.events == []
    tail.close()


def test_read_feed(client):
    a1 = client.append("/feedtest/a", "demo/ping")
    client.append("/other/x", "demo/ping")
    b1 = client.append("/feedtest/b", "demo/ping")
    a2 = client.append("/feedtest/a", "demo/ping")
    events = client.read_feed("/feedtest")
    assert [(e["streamPath"], e["offset"]) for e in events] == [("/feedtest/a", 1), ("/feedtest/b", 1), ("/feedtest/a", 2)]
    assert [e["position"] for e in events] == [a1["position"], b1["position"], a2["position"]]
    assert [e["position"] for e in client.read_feed("/feedtest", after=a1["position"], limit=1)] == [b1["position"]]
    assert len(client.read_feed("/")) == 4


def test_feed_history_then_live(client):
    client.append("/feedlive/a", "demo/ping")
    client.append("/elsewhere", "demo/ping")
    client.append("/feedlive/b/c", "demo/ping")
    feed = Collector(lambda stop: client.feed("/feedlive", stop=stop))
    try:
        feed.wait_count(2)
        client.append("/feedlive/b", "demo/ping")
        client.append("/elsewhere", "demo/ping")
        client.append("/feedlive/a", "demo/ping")
        events = feed.wait_count(4)
        time.sleep(0.1)
        assert [(e["streamPath"], e["offset"]) for e in feed.events] == [
            ("/feedlive/a", 1), ("/feedlive/b/c", 1), ("/feedlive/b", 1), ("/feedlive/a", 2)]
        positions = [e["position"] for e in events]
        assert positions == sorted(positions)
    finally:
        feed.close()


def test_feed_after_a_position(client):
    first = client.append("/feedafter/a", "demo/ping")
    client.append("/feedafter/b", "demo/ping")
    events = client.feed("/feedafter", after=first["position"])
    try:
        assert next(events)["streamPath"] == "/feedafter/b"
    finally:
        events.close()


def test_feed_reconnects_without_losing_or_repeating(client, proxy):
    via_proxy = Client(proxy.url, token="", timeout=5, idle_timeout=10, reconnect_delay=0.05, max_reconnect_delay=0.2)
    client.append("/feedr/a", "demo/ping")
    client.append("/feedr/b", "demo/ping")
    feed = Collector(lambda stop: via_proxy.feed("/feedr", stop=stop))
    try:
        feed.wait_count(2)
        proxy.drop_all()
        client.append("/feedr/a", "demo/ping")
        client.append("/feedr/c", "demo/ping")
        feed.wait_count(4)
        proxy.drop_all()
        client.append("/feedr/b", "demo/ping")
        feed.wait_count(5)
        time.sleep(0.2)
        positions = [e["position"] for e in feed.events]
        assert len(positions) == 5 and positions == sorted(set(positions))
        assert [(e["streamPath"], e["offset"]) for e in feed.events] == [
            ("/feedr/a", 1), ("/feedr/b", 1), ("/feedr/a", 2), ("/feedr/c", 1), ("/feedr/b", 2)]
    finally:
        feed.close()

