"""Python client for Spool, an event-sourced agent harness with an HTTP API.

    from spool_client import Client
    spool = Client("http://127.0.0.1:4437")
    spool.append("/agents/ada", "agent/input-added", {"content": "hi"})
    for event in spool.tail("/agents/ada"):
        print(event["offset"], event["type"])
"""

from .client import DEFAULT_URL, Client, Event, SpoolError
from .processor import Processor, ProcessorContext, derive_idempotency_key, processor
from .sse import SSEDecoder

__all__ = [
    "DEFAULT_URL",
    "Client",
    "Event",
    "SpoolError",
    "Processor",
    "ProcessorContext",
    "processor",
    "derive_idempotency_key",
    "SSEDecoder",
]
__version__ = "0.1.0"
