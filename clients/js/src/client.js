import { SSEDecoder } from './sse.js';

export const DEFAULT_URL = 'http://127.0.0.1:4437';

/**
 * An error answer from the server: `{"error": {"code", "message", ...}}`.
 * `details` holds the error object's other fields (`headOffset` for an `offset_conflict`).
 */
export class SpoolError extends Error {
  constructor(code, message, status = 0, details = {}) {
    super(message ? `${message} (${code})` : code);
    this.name = 'SpoolError';
    this.code = code;
    this.spoolMessage = message;
    this.status = status;
    this.details = { ...details };
  }

  static async fromResponse(response) {
    const text = await response.text().catch(() => '');
    try {
      const { error } = JSON.parse(text);
      const { code, message = '', ...details } = error;
      if (typeof code !== 'string') throw new Error('no code');
      return new SpoolError(code, String(message), response.status, details);
    } catch {
      return new SpoolError(`http_${response.status}`, text.trim().slice(0, 500) || `HTTP ${response.status}`, response.status);
    }
  }
}

const isTransientStatus = (status) => status >= 500 || status === 429;

/** Sleeps `ms`; resolves early (to true) when `signal` aborts. */
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(true);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function appendInput(type, payload, { metadata, idempotencyKey, expectedOffset } = {}) {
  const input = { type };
  if (payload !== undefined && payload !== null) input.payload = payload;
  if (metadata !== undefined && metadata !== null) input.metadata = metadata;
  if (idempotencyKey !== undefined && idempotencyKey !== null) input.idempotencyKey = idempotencyKey;
  if (expectedOffset !== undefined && expectedOffset !== null) input.expectedOffset = expectedOffset;
  return input;
}

const normalizePrefix = (prefix) => (prefix.startsWith('/') ? prefix : `/${prefix}`);
const streamRoute = (path) =>
  '/streams/' + path.replace(/^\/+|\/+$/g, '').split('/').map(encodeURIComponent).join('/');

/**
 * A Spool server. `token` (default: `SPOOL_AUTH_TOKEN`) is sent as a bearer token.
 * `timeoutMs` bounds each non-live request; live reads treat `idleTimeoutMs` without
 * a byte (the server sends a keep-alive at least every 15 s) as a dropped connection.
 */
export class SpoolClient {
  constructor({
    baseUrl = DEFAULT_URL,
    token = process.env.SPOOL_AUTH_TOKEN,
    timeoutMs = 30_000,
    idleTimeoutMs = 45_000,
    reconnectDelayMs = 100,
    maxReconnectDelayMs = 5_000,
  } = {}) {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`baseUrl must be http(s), got ${baseUrl}`);
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.token = token || undefined;
    this.timeoutMs = timeoutMs;
    this.idleTimeoutMs = idleTimeoutMs;
    this.reconnectDelayMs = reconnectDelayMs;
    this.maxReconnectDelayMs = maxReconnectDelayMs;
  }

  #headers(extra = {}) {
    const headers = { accept: 'application/json', ...extra };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return headers;
  }

  #url(route, query) {
    let url = this.baseUrl + route;
    if (query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null) params.set(key, String(value));
      const text = params.toString();
      if (text) url += `?${text}`;
    }
    return url;
  }

  async #request(method, route, { query, body, signal } = {}) {
    const headers = this.#headers(body === undefined ? {} : { 'content-type': 'application/json' });
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const response = await fetch(this.#url(route, query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: signal ? anySignal([signal, timeout]) : timeout,
    });
    if (!response.ok) throw await SpoolError.fromResponse(response);
    const text = await response.text();
    return text.trim() ? JSON.parse(text) : null;
  }

  /** `{status: "ok"}` */
  health() {
    return this.#request('GET', '/health');
  }

  /**
   * Appends one event; resolves to the stored event (the original one on an idempotent replay).
   * `append(path, type, payload?, {metadata, idempotencyKey, expectedOffset}?)` or `append(path, inputObject)`.
   */
  append(path, type, payload, options = {}) {
    const input = typeof type === 'object' && type !== null ? { ...type } : appendInput(type, payload, options);
    return this.#request('POST', streamRoute(path), { body: input });
  }

  /** Appends inputs (`{type, payload?, metadata?, idempotencyKey?, expectedOffset?}`) atomically. */
  appendBatch(path, inputs) {
    return this.#request('POST', streamRoute(path), { body: [...inputs] });
  }

  /** Events of one stream with `offset > after` (at most `limit`). */
  read(path, { after = 0, limit = 1000 } = {}) {
    return this.#request('GET', streamRoute(path), { query: { after, limit } });
  }

  /** Streams under `prefix`: `path`, `headOffset`, `createdAt`, `updatedAt`. */
  listStreams(prefix = '/') {
    return this.#request('GET', '/streams', { query: { prefix: normalizePrefix(prefix) } });
  }

  /** Events of every stream under `prefix` with `position > after`, in position order. */
  readFeed(prefix = '/', { after = 0, limit = 1000 } = {}) {
    return this.#request('GET', '/feed', { query: { prefix: normalizePrefix(prefix), after, limit } });
  }

  /** The position `consumer` has handled (0 if it never saved one). */
  async getCheckpoint(consumer) {
    const answer = await this.#request('GET', `/checkpoints/${encodeURIComponent(consumer).replace(/%3A/gi, ':')}`);
    return Number(answer.position);
  }

  /** Saves `position` as `consumer`'s checkpoint; resolves to `{consumer, position}`. */
  putCheckpoint(consumer, position) {
    return this.#request('PUT', `/checkpoints/${encodeURIComponent(consumer).replace(/%3A/gi, ':')}`, {
      body: { position: Number(position) },
    });
  }

  /**
   * Events of one stream with `offset > after`: history, then live (SSE).
   * Reconnects with `Last-Event-ID` (with backoff) when the connection drops and never
   * yields an offset twice. Ends when `signal` aborts or the loop breaks; throws a
   * `SpoolError` for a 4xx answer.
   * @returns {AsyncGenerator<object>}
   */
  tail(path, { after = 0, signal } = {}) {
    return this.#live(streamRoute(path), { live: 'true' }, after, 'offset', signal);
  }

  /** Events of every stream under `prefix` with `position > after`, then live; same semantics as `tail`. */
  feed(prefix = '/', { after = 0, signal } = {}) {
    return this.#live('/feed', { prefix: normalizePrefix(prefix), live: 'true' }, after, 'position', signal);
  }

  async *#live(route, query, after, key, signal) {
    let cursor = Number(after);
    let delay = this.reconnectDelayMs;
    while (!signal?.aborted) {
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      let idleTimer;
      const armIdle = () => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => controller.abort(new Error('idle timeout')), this.idleTimeoutMs);
      };
      let received = false;
      try {
        armIdle();
        const headers = this.#headers({ accept: 'text/event-stream', 'cache-control': 'no-cache' });
        if (cursor > 0) headers['last-event-id'] = String(cursor);
        const response = await fetch(this.#url(route, { ...query, after: cursor }), { headers, signal: controller.signal });
        if (!response.ok) {
          const error = await SpoolError.fromResponse(response);
          if (!isTransientStatus(response.status)) throw error;
        } else {
          const decoder = new SSEDecoder();
          for await (const chunk of response.body) {
            received = true;
            for (const message of decoder.feed(chunk)) {
              const event = JSON.parse(message.data);
              let number = event[key];
              if (number === undefined && message.id !== undefined) number = Number(message.id);
              if (number !== undefined) {
                if (number <= cursor) continue; // already yielded before a reconnect
                cursor = number;
              }
              clearTimeout(idleTimer); // the consumer may take its time
              yield event;
              if (signal?.aborted) return;
            }
            armIdle();
          }
        }
      } catch (error) {
        if (error instanceof SpoolError) throw error;
        if (signal?.aborted) return;
        // dropped, timed out or garbled: reconnect from the cursor
      } finally {
        clearTimeout(idleTimer);
        signal?.removeEventListener('abort', onAbort);
        controller.abort();
      }
      if (received) delay = this.reconnectDelayMs;
      if (await sleep(delay, signal)) return;
      delay = Math.min(delay * 2, this.maxReconnectDelayMs);
    }
  }
}

/** Aborts when any of `signals` aborts (`AbortSignal.any` where Node has it, i.e. ≥ 20.3). */
function anySignal(signals) {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}
