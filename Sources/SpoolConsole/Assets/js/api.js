// The Spool HTTP API as the console uses it. Every call sends the bearer token kept in
// session storage; a 401 announces itself with a `spool:unauthorized` window event.

const TOKEN_KEY = 'spool.token';

/** An error answer of the API: `{"error":{"code","message",…}}`, or a network failure. */
export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export function storedToken() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function storeToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Headers every call sends. */
export function authHeaders(extra = {}) {
  const token = storedToken();
  return token ? { ...extra, Authorization: `Bearer ${token}` } : { ...extra };
}

/** `/streams/agents/ada` for the stream `/agents/ada`. */
export function streamURL(path, query = {}) {
  const segments = path.split('/').filter(Boolean).map(encodeURIComponent);
  return withQuery(`/streams/${segments.join('/')}`, query);
}

export function withQuery(url, query) {
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') parameters.set(key, String(value));
  }
  const text = parameters.toString();
  return text ? `${url}?${text}` : url;
}

/** Turns a non-2xx response into an `ApiError` carrying the contract's code. */
export async function errorFrom(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: keep the status alone.
  }
  const error = body && body.error ? body.error : {};
  if (response.status === 401) window.dispatchEvent(new CustomEvent('spool:unauthorized'));
  const { code = `http_${response.status}`, message = response.statusText || 'request failed', ...details } = error;
  return new ApiError(response.status, code, message, details);
}

/** Sends a request; answers `{ status, headers, body }` with the JSON body parsed. */
export async function call(method, url, { json, signal } = {}) {
  let response;
  try {
    response = await fetch(url, {
      method,
      signal,
      headers: authHeaders(json === undefined ? { Accept: 'application/json' } : { 'Content-Type': 'application/json', Accept: 'application/json' }),
      body: json === undefined ? undefined : JSON.stringify(json),
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', `cannot reach the server (${error.message})`);
  }
  if (!response.ok) throw await errorFrom(response);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

/** `GET /streams`: every stream with `path`, `headOffset`, `updatedAt`, `paused`. */
export async function listStreams() {
  return (await call('GET', '/streams')).body;
}

/** Events `after` an offset, and the stream's head offset (0 for a stream with no events). */
export async function readStream(path, { after = 0, limit = 200, signal } = {}) {
  try {
    const { body, headers } = await call('GET', streamURL(path, { after, limit }), { signal });
    return { events: body, head: Number(headers.get('Spool-Head-Offset') || 0) };
  } catch (error) {
    if (error.code === 'stream_not_found') return { events: [], head: 0 };
    throw error;
  }
}

/** Appends one input (an object) or a batch (an array); answers the stored event(s). */
export async function append(path, input) {
  return (await call('POST', streamURL(path), { json: input })).body;
}

/** `GET /state/{path}?processor=NAME[&at=N]`: `{ processor, streamPath, offset, state }`. */
export async function processorState(path, processor, at) {
  const segments = path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  return (await call('GET', withQuery(`/state/${segments}`, { processor, at }))).body;
}

/** `GET /processors`: `name`, `streams`, `checkpoint`, `headPosition`, `lag`, `failures`. */
export async function listProcessors() {
  return (await call('GET', '/processors')).body;
}
