// Server-Sent Events over fetch: EventSource cannot send `Authorization`, fetch can.
// Reconnects after a dropped connection, resuming with `Last-Event-ID`.

import { authHeaders, errorFrom } from './api.js';

/** Splits a text stream into SSE frames: `{ id, data }` for each frame with data. */
export class SSEParser {
  constructor() {
    this.buffer = '';
  }

  /** Feeds a chunk of text; answers the frames it completed. */
  push(text) {
    this.buffer += text.replace(/\r\n?/g, '\n');
    const frames = [];
    let end;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let id = null;
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') id = value;
        else if (field === 'data') data.push(value);
      }
      if (data.length) frames.push({ id, data: data.join('\n') });
    }
    return frames;
  }
}

// Browsers allow six connections to a server: a page that is left (or kept in the
// back/forward cache) must not hold its live reads open, or later pages starve.
const openFollowers = new Set();
globalThis.addEventListener?.('pagehide', () => {
  for (const follower of [...openFollowers]) follower.close();
});

/**
 * Follows `url` (an SSE route) until `close()`: `onEvent(parsedData, id)` per frame,
 * `onStatus('live' | 'reconnecting' | 'unauthorized')` as the connection changes.
 */
export function followSSE(url, { onEvent, onStatus = () => {} }) {
  const controller = new AbortController();
  let lastEventId = null;
  let closed = false;

  async function connectOnce() {
    const headers = authHeaders({ Accept: 'text/event-stream' });
    if (lastEventId !== null) headers['Last-Event-ID'] = lastEventId;
    const response = await fetch(url, { headers, signal: controller.signal });
    if (!response.ok) throw await errorFrom(response);
    onStatus('live');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SSEParser();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const frame of parser.push(value)) {
        if (frame.id !== null) lastEventId = frame.id;
        onEvent(JSON.parse(frame.data), frame.id);
      }
    }
  }

  (async () => {
    let delay = 500;
    while (!closed) {
      try {
        await connectOnce();
        delay = 500;
      } catch (error) {
        if (closed) return;
        if (error.status === 401) {
          onStatus('unauthorized');
          return;
        }
      }
      if (closed) return;
      onStatus('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10000);
    }
  })();

  const follower = {
    close() {
      closed = true;
      controller.abort();
      openFollowers.delete(follower);
    },
  };
  openFollowers.add(follower);
  return follower;
}
