"""Remote stream processors: fold streams into state, react to new events by appending.

A processor follows ``GET /feed?prefix=…`` from its server-side checkpoint
(``/checkpoints/{name}``). On start it rebuilds each stream's state by reducing
the feed up to the checkpoint, then for every later event it reduces, calls
``after_append`` and saves the checkpoint. Appends made through the context
carry idempotency keys derived from (processor, source stream, source offset,
ordinal), so handling an event again after a crash appends nothing twice.
"""

import copy
import http.client
import logging
import re
import threading
from typing import Any, Callable, Dict, Optional, TypeVar

from .client import Client, Event, SpoolError, _is_transient_status

logger = logging.getLogger("spool_client")

T = TypeVar("T")

MAXIMUM_IDEMPOTENCY_KEY_LENGTH = 256
_NAME = re.compile(r"^[A-Za-z0-9._~:-]{1,128}$")


def fnv1a64(text: str) -> int:
    """The 64-bit FNV-1a hash of ``text``'s UTF-8 bytes (as Spool's Swift runtime computes it)."""
    value = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        value ^= byte
        value = (value * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def derive_idempotency_key(processor: str, event: Event, ordinal: int) -> str:
    """``<processor>:<source path>@<source offset>#<ordinal>``; the path part is hashed when the key would be too long."""
    path = event["streamPath"]
    key = f"{processor}:{path}@{event['offset']}#{ordinal}"
    if len(key.encode("utf-8")) <= MAXIMUM_IDEMPOTENCY_KEY_LENGTH:
        return key
    return f"{processor[:160]}:{fnv1a64(path):x}@{event['offset']}#{ordinal}"


class ProcessorContext:
    """What ``after_append`` may do: append events with derived idempotency keys."""

    def __init__(self, client: Client, processor_name: str, event: Event):
        self.client = client
        self.processor_name = processor_name
        self.event = event
        self._ordinal = 0

    def append(
        self,
        type: str,
        payload: Optional[Dict[str, Any]] = None,
        path: Optional[str] = None,
        metadata: Optional[Dict[str, Any]] = None,
        idempotency_key: Optional[str] = None,
    ) -> Event:
        """Appends to ``path`` (default: the source event's stream). Without an explicit
        key, the n-th append of this handling gets ``{name}:{streamPath}@{offset}#{n}`` (n from 0)."""
        if idempotency_key is None:
            idempotency_key = derive_idempotency_key(self.processor_name, self.event, self._ordinal)
            self._ordinal += 1
        return self.client.append(
            path or self.event["streamPath"], type, payload, metadata=metadata, idempotency_key=idempotency_key
        )


class _Stopped(Exception):
    pass


class Processor:
    """A remote stream processor.

    - ``name``: stable; names the checkpoint and the idempotency keys (1–128 of ``A-Za-z0-9._~:-``).
    - ``prefix``: the streams it follows (``/agents`` follows ``/agents`` and everything below).
    - ``initial_state``: each stream's state before its first event (deep-copied per stream).
    - ``reduce(state, event) -> new state``: pure. Returning ``None`` keeps ``state``
      (for reducers that mutate it in place).
    - ``after_append(event, state, ctx)``: side effects; ``state`` is the state after
      reducing ``event``. Raising retries it (``max_attempts`` in all, with backoff),
      then records ``spool/processor-failed {processor, sourceOffset, error}`` on the
      source stream and moves on.
    """

    def __init__(
        self,
        name: str,
        prefix: str = "/",
        initial_state: Any = None,
        reduce: Optional[Callable[[Any, Event], Any]] = None,
        after_append: Optional[Callable[[Event, Any, ProcessorContext], Any]] = None,
        *,
        max_attempts: int = 3,
        retry_delay: float = 0.2,
    ):
        if not _NAME.match(name):
            raise ValueError(f"processor name must be 1–128 characters of A-Za-z0-9._~:-, got {name!r}")
        self.name = name
        self.prefix = prefix if prefix.startswith("/") else "/" + prefix
        self.initial_state = initial_state
        self.reduce = reduce or (lambda state, event: state)
        self.after_append = after_append
        self.max_attempts = max(1, max_attempts)
        self.retry_delay = retry_delay
        self.states: Dict[str, Any] = {}
        self.checkpoint = 0
        self.handled = 0

    def __repr__(self) -> str:
        return f"Processor(name={self.name!r}, prefix={self.prefix!r})"

    def state(self, path: str) -> Any:
        """The current state of stream ``path`` (the initial state if it had no events)."""
        path = path if path.startswith("/") else "/" + path
        return self.states.get(path, copy.deepcopy(self.initial_state))

    def _reduce(self, event: Event) -> Any:
        path = event["streamPath"]
        state = self.states[path] if path in self.states else copy.deepcopy(self.initial_state)
        new_state = self.reduce(state, event)
        if new_state is not None:
            state = new_state
        self.states[path] = state
        return state

    def run(self, client: Client, stop: Optional[threading.Event] = None) -> None:
        """Runs until ``stop`` is set (forever without one)."""
        try:
            self._run(client, stop)
        except _Stopped:
            pass

    def _run(self, client: Client, stop: Optional[threading.Event]) -> None:
        self.states = {}
        checkpoint = self._retrying(stop, lambda: client.get_checkpoint(self.name))
        after = 0
        while after < checkpoint:
            page = self._retrying(stop, lambda: client.read_feed(self.prefix, after=after, limit=1000))
            for event in page:
                if event["position"] > checkpoint:
                    break
                self._reduce(event)
            if not page or page[-1]["position"] >= checkpoint or len(page) < 1000:
                break
            after = page[-1]["position"]
        self.checkpoint = checkpoint
        logger.info("processor %s: resuming after position %d (%d streams)", self.name, checkpoint, len(self.states))
        events = client.feed(self.prefix, after=checkpoint, stop=stop)
        try:
            for event in events:
                state = self._reduce(event)
                if self.after_append is not None and not self._is_own_failure(event):
                    self._handle(client, event, state, stop)
                position = event["position"]
                self._retrying(stop, lambda: client.put_checkpoint(self.name, position))
                self.checkpoint = position
                self.handled += 1
                if stop is not None and stop.is_set():
                    return
        finally:
            events.close()

    def _is_own_failure(self, event: Event) -> bool:
        """Its own failure records are reduced but not handled, so a handler that always fails cannot loop."""
        payload = event.get("payload") or {}
        return event.get("type") == "spool/processor-failed" and payload.get("processor") == self.name

    def _handle(self, client: Client, event: Event, state: Any, stop: Optional[threading.Event]) -> None:
        for attempt in range(1, self.max_attempts + 1):
            context = ProcessorContext(client, self.name, event)
            try:
                self.after_append(event, state, context)
                return
            except Exception as error:  # noqa: BLE001 - a handler may fail in any way
                if attempt == self.max_attempts:
                    self._record_failure(client, event, error)
                    return
                logger.warning(
                    "processor %s: after_append failed for %s@%s (attempt %d): %s",
                    self.name, event["streamPath"], event["offset"], attempt, error,
                )
                if _wait(stop, self.retry_delay * 2 ** (attempt - 1)):
                    raise _Stopped() from None

    def _record_failure(self, client: Client, event: Event, error: Exception) -> None:
        logger.error("processor %s: giving up on %s@%s: %s", self.name, event["streamPath"], event["offset"], error)
        try:
            client.append(
                event["streamPath"],
                "spool/processor-failed",
                {"processor": self.name, "sourceOffset": event["offset"], "error": str(error)[:2000]},
                idempotency_key=f"{self.name}:{event['streamPath']}@{event['offset']}#failed"[:256],
            )
        except (SpoolError, OSError, http.client.HTTPException) as failure:
            logger.error("processor %s: could not record the failure: %s", self.name, failure)

    def _retrying(self, stop: Optional[threading.Event], call: Callable[[], T]) -> T:
        """Runs ``call``, retrying connection failures and 5xx answers with backoff until ``stop``."""
        delay = 0.1
        while True:
            try:
                return call()
            except SpoolError as error:
                if not _is_transient_status(error.status):
                    raise
                failure: Exception = error
            except (OSError, http.client.HTTPException) as error:
                failure = error
            logger.warning("processor %s: server unavailable (%s); retrying in %.1fs", self.name, failure, delay)
            if _wait(stop, delay):
                raise _Stopped()
            delay = min(delay * 2, 5.0)


def _wait(stop: Optional[threading.Event], seconds: float) -> bool:
    """Sleeps; True if ``stop`` was set meanwhile."""
    if stop is None:
        threading.Event().wait(seconds)
        return False
    return stop.wait(seconds)


def processor(
    name: str,
    prefix: str = "/",
    initial_state: Any = None,
    reduce: Optional[Callable[[Any, Event], Any]] = None,
    **options: Any,
) -> Callable[[Any], Processor]:
    """Decorator form of ``Processor``.

    On a function, the function is ``after_append``::

        @processor("echo", prefix="/demo", initial_state={"pings": 0}, reduce=count_pings)
        def echo(event, state, ctx): ...

    On a class, its ``reduce`` and ``after_append`` methods (and an optional
    ``initial_state`` attribute) are used, on an instance made without arguments::

        @processor("echo", prefix="/demo")
        class Echo:
            initial_state = {"pings": 0}
            def reduce(self, state, event): ...
            def after_append(self, event, state, ctx): ...
    """

    def wrap(target: Any) -> Processor:
        if isinstance(target, type):
            instance = target()
            state = initial_state if initial_state is not None else getattr(instance, "initial_state", None)
            return Processor(
                name, prefix, state,
                reduce or getattr(instance, "reduce", None),
                getattr(instance, "after_append", None),
                **options,
            )
        return Processor(name, prefix, initial_state, reduce, target, **options)

    return wrap
