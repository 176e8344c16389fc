import { SpoolError, sleep } from './client.js';

export const MAXIMUM_IDEMPOTENCY_KEY_LENGTH = 256;
const NAME = /^[A-Za-z0-9._~:-]{1,128}$/;

/** 64-bit FNV-1a of `text`'s UTF-8 bytes, as a BigInt (as Spool's Swift runtime computes it). */
export function fnv1a64(text) {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash;
}

/** `<processor>:<source path>@<source offset>#<ordinal>`; the path part is hashed when the key would be too long. */
export function deriveIdempotencyKey(processor, event, ordinal) {
  const key = `${processor}:${event.streamPath}@${event.offset}#${ordinal}`;
  if (Buffer.byteLength(key, 'utf8') <= MAXIMUM_IDEMPOTENCY_KEY_LENGTH) return key;
  return `${processor.slice(0, 160)}:${fnv1a64(event.streamPath).toString(16)}@${event.offset}#${ordinal}`;
}

/** What `afterAppend` may do: append events with derived idempotency keys. */
export class ProcessorContext {
  #ordinal = 0;

  constructor(client, processorName, event) {
    this.client = client;
    this.processorName = processorName;
    this.event = event;
  }

  /**
   * Appends to `path` (default: the source event's stream). Without an explicit key, the
   * n-th append of this handling gets `{name}:{streamPath}@{offset}#{n}` (n from 0).
   * `append(type, payload?, {path, metadata, idempotencyKey}?)`; the third argument may also be a path.
   */
  append(type, payload, options = {}) {
    const { path, metadata, idempotencyKey } = typeof options === 'string' ? { path: options } : options;
    const key = idempotencyKey ?? deriveIdempotencyKey(this.processorName, this.event, this.#ordinal++);
    return this.client.append(path ?? this.event.streamPath, type, payload, { metadata, idempotencyKey: key });
  }
}

class Stopped extends Error {}

/** Server unavailable (connection failure, timeout, 5xx, 429): worth retrying. */
function isTransient(error) {
  if (error instanceof SpoolError) return error.status >= 500 || error.status === 429;
  if (error?.name === 'TimeoutError' || error?.name === 'AbortError') return true;
  return error instanceof TypeError && (error.message === 'fetch failed' || error.cause !== undefined);
}

/**
 * Runs a remote stream processor until `signal` aborts. Resolves to
 * `{checkpoint, handled, states}` (states: a Map of stream path → state).
 *
 * It reads its checkpoint (`/checkpoints/{name}`), rebuilds each stream's state by
 * reducing the feed under `prefix` up to the checkpoint, then follows the live feed:
 * every event is reduced, `afterAppend(event, state, ctx)` runs for events after the
 * checkpoint, and the checkpoint is saved after each. `reduce(state, event)` returns the
 * new state (returning `undefined` keeps the — possibly mutated — state). A throwing
 * `afterAppend` is retried (`maxAttempts` in all, with backoff), then recorded as
 * `spool/processor-failed {processor, sourceOffset, error}` on the source stream.
 */
export async function runProcessor(
  { name, prefix = '/', initialState = null, reduce, afterAppend, maxAttempts = 3, retryDelayMs = 200, onHandled },
  client,
  { signal } = {},
) {
  if (!NAME.test(name ?? '')) throw new TypeError(`processor name must be 1–128 characters of A-Za-z0-9._~:-, got ${name}`);
  prefix = prefix.startsWith('/') ? prefix : `/${prefix}`;
  const states = new Map();
  const result = { checkpoint: 0, handled: 0, states };

  const reduceEvent = (event) => {
    const path = event.streamPath;
    let state = states.has(path) ? states.get(path) : structuredClone(initialState);
    if (reduce) {
      const next = reduce(state, event);
      if (next !== undefined) state = next;
    }
    states.set(path, state);
    return state;
  };

  const retrying = async (call) => {
    let delay = 100;
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (signal?.aborted) throw new Stopped();
        if (!isTransient(error)) throw error;
      }
      if (await sleep(delay, signal)) throw new Stopped();
      delay = Math.min(delay * 2, 5000);
    }
  };

  const handle = async (event, state) => {
    for (let attempt = 1; ; attempt++) {
      const context = new ProcessorContext(client, name, event);
      try {
        await afterAppend(event, state, context);
        return;
      } catch (error) {
        if (attempt >= maxAttempts) {
          try {
            await client.append(
              event.streamPath,
              'spool/processor-failed',
              { processor: name, sourceOffset: event.offset, error: String(error?.message ?? error).slice(0, 2000) },
              { idempotencyKey: `${name}:${event.streamPath}@${event.offset}#failed`.slice(0, 256) },
            );
          } catch (failure) {
            console.error(`processor ${name}: could not record the failure of ${event.streamPath}@${event.offset}:`, failure);
          }
          return;
        }
        if (await sleep(retryDelayMs * 2 ** (attempt - 1), signal)) throw new Stopped();
      }
    }
  };

  const isOwnFailure = (event) => event.type === 'spool/processor-failed' && event.payload?.processor === name;

  try {
    const checkpoint = await retrying(() => client.getCheckpoint(name));
    let after = 0;
    while (after < checkpoint) {
      const page = await retrying(() => client.readFeed(prefix, { after, limit: 1000 }));
      for (const event of page) {
        if (event.position > checkpoint) break;
        reduceEvent(event);
      }
      if (page.length < 1000 || page[page.length - 1].position >= checkpoint) break;
      after = page[page.length - 1].position;
    }
    result.checkpoint = checkpoint;
    for await (const event of client.feed(prefix, { after: checkpoint, signal })) {
      const state = reduceEvent(event);
      if (afterAppend && !isOwnFailure(event)) await handle(event, state);
      await retrying(() => client.putCheckpoint(name, event.position));
      result.checkpoint = event.position;
      result.handled += 1;
      onHandled?.(event, state);
      if (signal?.aborted) break;
    }
  } catch (error) {
    if (!(error instanceof Stopped)) throw error;
  }
  return result;
}

/** A processor definition, for `runProcessor` (a no-op helper that validates and documents the shape). */
export function defineProcessor(definition) {
  if (!NAME.test(definition?.name ?? '')) throw new TypeError(`invalid processor name ${definition?.name}`);
  return Object.freeze({ ...definition });
}
