// The selected stream as the console knows it: a window of offsets [start, head],
// events loaded page by page as they come into view, and new events live over SSE.

import { readStream, streamURL } from './api.js';
import { followSSE } from './sse.js';

export const PAGE_SIZE = 200;
const SCAN_PAGE_SIZE = 1000;

export class EventWindow {
  constructor(path) {
    this.path = path;
    this.events = new Map();
    this.loadingPages = new Set();
    this.loadedPages = new Set();
    this.head = 0;
    this.start = 1;
    this.listeners = new Set();
    this.status = 'connecting';
    this.error = null;
    this.types = new Set();
    this.tail = null;
  }

  /** Calls `listener(change)` on every change: `{ kind: 'events' | 'head' | 'status' | 'start' }`. */
  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(kind) {
    for (const listener of this.listeners) listener({ kind });
  }

  /** Reads the head, shows the last page (or from `fromOffset`), then follows the stream live. */
  async open(fromOffset) {
    const { head } = await readStream(this.path, { after: 0, limit: 1 });
    this.head = head;
    this.start = Math.max(1, head - PAGE_SIZE + 1);
    if (fromOffset && fromOffset < this.start) this.start = Math.max(1, fromOffset);
    this.tail = followSSE(streamURL(this.path, { live: 'true', after: head }), {
      onEvent: (event) => this.receive([event]),
      onStatus: (status) => {
        this.status = status;
        this.emit('status');
      },
    });
    this.emit('head');
  }

  close() {
    this.tail?.close();
    this.listeners.clear();
  }

  get rowCount() {
    return Math.max(0, this.head - this.start + 1);
  }

  event(offset) {
    return this.events.get(offset);
  }

  /** Shows `pages` more pages before the first shown offset; answers how many rows were added. */
  extendStart(rows = PAGE_SIZE) {
    const start = Math.max(1, this.start - rows);
    const added = this.start - start;
    this.start = start;
    if (added) this.emit('start');
    return added;
  }

  /** Makes sure offset `offset` is in the window (for a jump). */
  include(offset) {
    if (offset >= 1 && offset < this.start) return this.extendStart(this.start - offset);
    return 0;
  }

  receive(events) {
    let headMoved = false;
    for (const event of events) {
      this.events.set(event.offset, event);
      this.types.add(event.type);
      if (event.offset > this.head) {
        this.head = event.offset;
        headMoved = true;
      }
    }
    this.emit(headMoved ? 'head' : 'events');
  }

  /** Loads the pages holding offsets `from`…`to` that are not loaded yet. */
  ensureLoaded(from, to) {
    const first = Math.floor((Math.max(1, from) - 1) / PAGE_SIZE);
    const last = Math.floor((Math.max(1, to) - 1) / PAGE_SIZE);
    for (let page = first; page <= last; page += 1) {
      if (this.loadedPages.has(page) || this.loadingPages.has(page)) continue;
      this.loadingPages.add(page);
      readStream(this.path, { after: page * PAGE_SIZE, limit: PAGE_SIZE })
        .then(({ events }) => {
          this.loadedPages.add(page);
          this.receive(events);
        })
        .catch((error) => {
          this.error = error;
          this.emit('status');
        })
        .finally(() => this.loadingPages.delete(page));
    }
  }

  /** Loads every event from `from` to the head, in large pages; `onProgress(loadedUpTo)`. */
  async loadAll(from, onProgress = () => {}, shouldStop = () => false) {
    let after = from - 1;
    while (after < this.head && !shouldStop()) {
      const missing = [];
      for (let offset = after + 1; offset <= Math.min(this.head, after + SCAN_PAGE_SIZE); offset += 1) {
        if (!this.events.has(offset)) missing.push(offset);
      }
      if (missing.length) {
        const { events } = await readStream(this.path, { after, limit: SCAN_PAGE_SIZE });
        if (!events.length) break;
        this.receive(events);
      }
      after = Math.min(this.head, after + SCAN_PAGE_SIZE);
      onProgress(after);
    }
  }
}
