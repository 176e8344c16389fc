"""HTTP client for a Spool server: appends, reads, live tails and feeds, checkpoints.

Standard library only (``http.client``). Every call opens its own connection, so a
``Client`` may be shared between threads.
"""

import http.client
import json
import os
import socket
import ssl
import threading
import time
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote, urlencode, urlsplit

from .sse import SSEDecoder

DEFAULT_URL = "http://127.0.0.1:4437"

Event = Dict[str, Any]


class SpoolError(Exception):
    """An error answer from the server: ``{"error": {"code": …, "message": …, …}}``.

    ``details`` holds the error object's other fields (``headOffset`` for an
    ``offset_conflict``, for example).
    """

    def __init__(self, code: str, message: str, status: int = 0, details: Optional[Dict[str, Any]] = None):
        super().__init__(f"{message} ({code})" if message else code)
        self.code = code
        self.message = message
        self.status = status
        self.details: Dict[str, Any] = dict(details or {})

    def __repr__(self) -> str:
        return f"SpoolError(code={self.code!r}, message={self.message!r}, status={self.status!r}, details={self.details!r})"

    @classmethod
    def from_response(cls, status: int, body: bytes) -> "SpoolError":
        try:
            parsed = json.loads(body.decode("utf-8"))
            error = parsed["error"]
            code = str(error["code"])
            message = str(error.get("message", ""))
            details = {k: v for k, v in error.items() if k not in ("code", "message")}
            return cls(code, message, status, details)
        except (ValueError, KeyError, TypeError, AttributeError):
            text = body.decode("utf-8", errors="replace").strip()
            return cls(f"http_{status}", text[:500] or f"HTTP {status}", status)


def _is_transient_status(status: int) -> bool:
    return status >= 500 or status == 429


class Client:
    """A Spool server at ``base_url``.

    ``token`` (default: the ``SPOOL_AUTH_TOKEN`` environment variable) is sent as
    ``Authorization: Bearer <token>``. ``timeout`` bounds every non-live request;
    live reads treat ``idle_timeout`` seconds without a byte (the server sends a
    keep-alive comment at least every 15 s) as a dropped connection.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        token: Optional[str] = None,
        timeout: float = 30.0,
        idle_timeout: float = 45.0,
        reconnect_delay: float = 0.1,
        max_reconnect_delay: float = 5.0,
    ):
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        self._base_path = parts.path.rstrip("/")
        self.token = token if token is not None else (os.environ.get("SPOOL_AUTH_TOKEN") or None)
        self.timeout = timeout
        self.idle_timeout = idle_timeout
        self.reconnect_delay = reconnect_delay
        self.max_reconnect_delay = max_reconnect_delay

    # MARK: Plumbing

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self._scheme == "https":
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=timeout, context=ssl.create_default_context()
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def _headers(self, extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": "spool-client-python/0.1"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if extra:
            headers.update(extra)
        return headers

    def _target(self, route: str, query: Optional[Mapping[str, Any]] = None) -> str:
        target = self._base_path + route
        if query:
            target += "?" + urlencode({k: v for k, v in query.items() if v is not None})
        return target

    @staticmethod
    def _stream_route(path: str) -> str:
        return "/streams/" + quote(path.strip("/"), safe="/")

    @staticmethod
    def _prefix(prefix: str) -> str:
        return prefix if prefix.startswith("/") else "/" + prefix

    def _request(self, method: str, route: str, query: Optional[Mapping[str, Any]] = None, body: Any = None) -> Tuple[int, Any]:
        """Sends one request; returns (status, parsed JSON body) or raises SpoolError."""
        payload = None
        headers = self._headers()
        if body is not None:
            payload = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        connection = self._connection(self.timeout)
        try:
            connection.request(method, self._target(route, query), body=payload, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        if response.status >= 400:
            raise SpoolError.from_response(response.status, data)
        if not data.strip():
            return response.status, None
        return response.status, json.loads(data.decode("utf-8"))

    # MARK: Streams

    def health(self) -> Dict[str, Any]:
        return self._request("GET", "/health")[1]

    def append(
        self,
        path: str,
        type: str,
        payload: Optional[Mapping[str, Any]] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        idempotency_key: Optional[str] = None,
        expected_offset: Optional[int] = None,
    ) -> Event:
        """Appends one event; returns the stored event (the original one on an idempotent replay)."""
        return self._request("POST", self._stream_route(path), body=_input(type, payload, metadata, idempotency_key, expected_offset))[1]

    def append_batch(self, path: str, inputs: Sequence[Mapping[str, Any]]) -> List[Event]:
        """Appends inputs (``{type, payload?, metadata?, idempotencyKey?, expectedOffset?}``) atomically."""
        return self._request("POST", self._stream_route(path), body=[dict(item) for item in inputs])[1]

    def read(self, path: str, after: int = 0, limit: int = 1000) -> List[Event]:
        """Events of one stream with ``offset > after`` (at most ``limit``)."""
        return self._request("GET", self._stream_route(path), {"after": after, "limit": limit})[1]

    def list_streams(self, prefix: str = "/") -> List[Dict[str, Any]]:
        """Streams under ``prefix``: ``path``, ``headOffset``, ``createdAt``, ``updatedAt``."""
        return self._request("GET", "/streams", {"prefix": self._prefix(prefix)})[1]

    def read_feed(self, prefix: str = "/", after: int = 0, limit: int = 1000) -> List[Event]:
        """Events of every stream under ``prefix`` with ``position > after``, in position order."""
        return self._request("GET", "/feed", {"prefix": self._prefix(prefix), "after": after, "limit": limit})[1]

    # MARK: Checkpoints

    @staticmethod
    def _checkpoint_route(consumer: str) -> str:
        return "/checkpoints/" + quote(consumer, safe=":")

    def get_checkpoint(self, consumer: str) -> int:
        """The position ``consumer`` has handled (0 if it never saved one)."""
        return int(self._request("GET", self._checkpoint_route(consumer))[1]["position"])

    def put_checkpoint(self, consumer: str, position: int) -> Dict[str, Any]:
        """Saves ``position`` as ``consumer``'s checkpoint."""
        return self._request("PUT", self._checkpoint_route(consumer), body={"position": int(position)})[1]

    # MARK: Live

    def tail(self, path: str, after: int = 0, stop: Optional[threading.Event] = None) -> Iterator[Event]:
        """Events of one stream with ``offset > after``: history, then live.

        Reconnects with ``Last-Event-ID`` (with backoff) when the connection
        drops and never yields an offset twice. Ends when ``stop`` is set or the
        consumer closes the generator; raises ``SpoolError`` for a 4xx answer.
        """
        return self._live(self._stream_route(path), {"live": "true"}, after, "offset", stop)

    def feed(self, prefix: str = "/", after: int = 0, stop: Optional[threading.Event] = None) -> Iterator[Event]:
        """Events of every stream under ``prefix`` with ``position > after``, then live, in position order.

        Same reconnect and stop semantics as ``tail``.
        """
        return self._live("/feed", {"prefix": self._prefix(prefix), "live": "true"}, after, "position", stop)

    def _live(self, route: str, query: Dict[str, Any], after: int, key: str, stop: Optional[threading.Event]) -> Iterator[Event]:
        cursor = int(after)
        delay = self.reconnect_delay
        interrupter = _Interrupter(stop)
        try:
            while not (stop is not None and stop.is_set()):
                connection = self._connection(self.idle_timeout)
                interrupter.watch(connection)
                received = False
                try:
                    headers = self._headers({"Accept": "text/event-stream", "Cache-Control": "no-cache"})
                    if cursor > 0:
                        headers["Last-Event-ID"] = str(cursor)
                    connection.request("GET", self._target(route, dict(query, after=cursor)), headers=headers)
                    response = connection.getresponse()
                    if response.status >= 400:
                        error = SpoolError.from_response(response.status, response.read())
                        if not _is_transient_status(response.status):
                            raise error
                    else:
                        decoder = SSEDecoder()
                        read = getattr(response, "read1", None) or response.readline
                        while True:
                            chunk = read(65536)
                            if not chunk:
                                break  # the server ended the response, or stop interrupted it
                            received = True
                            for message in decoder.feed(chunk):
                                event = json.loads(message.data)
                                number = event.get(key)
                                if number is None and message.id is not None:
                                    number = int(message.id)
                                if number is not None:
                                    if number <= cursor:
                                        continue  # already yielded before a reconnect
                                    cursor = number
                                yield event
                except (OSError, http.client.HTTPException, ValueError):
                    pass  # dropped, timed out or garbled: reconnect from the cursor
                finally:
                    interrupter.watch(None)
                    connection.close()
                if received:
                    delay = self.reconnect_delay
                if stop is not None:
                    if stop.wait(delay):
                        return
                else:
                    time.sleep(delay)
                delay = min(delay * 2, self.max_reconnect_delay)
        finally:
            interrupter.close()


def _input(
    type: str,
    payload: Optional[Mapping[str, Any]] = None,
    metadata: Optional[Mapping[str, Any]] = None,
    idempotency_key: Optional[str] = None,
    expected_offset: Optional[int] = None,
) -> Dict[str, Any]:
    body: Dict[str, Any] = {"type": type}
    if payload is not None:
        body["payload"] = payload
    if metadata is not None:
        body["metadata"] = metadata
    if idempotency_key is not None:
        body["idempotencyKey"] = idempotency_key
    if expected_offset is not None:
        body["expectedOffset"] = expected_offset
    return body


class _Interrupter:
    """Shuts down the live connection's socket once ``stop`` is set, so a read
    blocked waiting for the next event returns at once."""

    def __init__(self, stop: Optional[threading.Event]):
        self._stop = stop
        self._lock = threading.Lock()
        self._connection: Optional[http.client.HTTPConnection] = None
        self._done = threading.Event()
        if stop is not None:
            threading.Thread(target=self._run, name="spool-live-stop", daemon=True).start()

    def watch(self, connection: Optional[http.client.HTTPConnection]) -> None:
        with self._lock:
            self._connection = connection

    def close(self) -> None:
        self._done.set()

    def _run(self) -> None:
        assert self._stop is not None
        while not self._done.wait(0.05):
            if self._stop.is_set():
                with self._lock:
                    sock = self._connection.sock if self._connection is not None else None
                    if sock is not None:
                        try:
                            sock.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass
