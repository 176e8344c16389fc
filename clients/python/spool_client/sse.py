"""An incremental Server-Sent Events decoder (the subset Spool uses)."""

from typing import List, NamedTuple, Optional


class Message(NamedTuple):
    """One dispatched SSE message."""

    id: Optional[str]
    event: Optional[str]
    data: str


class SSEDecoder:
    """Feed it bytes as they arrive; get complete messages back.

    Follows the WHATWG event-stream rules: lines end with ``\\n``, ``\\r\\n`` or
    ``\\r``; ``data:`` may span several lines; lines starting with ``:`` are
    comments (``: keep-alive``); a blank line dispatches the message.
    """

    def __init__(self) -> None:
        self._buffer = b""
        self._id: Optional[str] = None
        self._event: Optional[str] = None
        self._data: List[str] = []
        self.last_event_id: Optional[str] = None

    def feed(self, chunk: bytes) -> List[Message]:
        self._buffer += chunk
        messages: List[Message] = []
        start = 0
        index = 0
        buffer = self._buffer
        length = len(buffer)
        while index < length:
            byte = buffer[index]
            if byte == 0x0A or byte == 0x0D:
                if byte == 0x0D:
                    if index + 1 == length:
                        break  # wait to see whether \n follows
                    if buffer[index + 1] == 0x0A:
                        line = buffer[start:index]
                        index += 1
                    else:
                        line = buffer[start:index]
                else:
                    line = buffer[start:index]
                message = self._process(line.decode("utf-8", errors="replace"))
                if message is not None:
                    messages.append(message)
                start = index + 1
            index += 1
        self._buffer = buffer[start:]
        return messages

    def _process(self, line: str) -> Optional[Message]:
        if line == "":
            data, event = self._data, self._event
            self._data, self._event = [], None
            if not data:
                return None
            return Message(self._id, event, "\n".join(data))
        if line.startswith(":"):
            return None
        field, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if field == "data":
            self._data.append(value)
        elif field == "id":
            if "\0" not in value:
                self._id = value
                self.last_event_id = value
        elif field == "event":
            self._event = value
        return None
