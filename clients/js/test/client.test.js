// Appends, reads, errors, idempotency, listing, checkpoints and auth against a real server.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { SSEDecoder, SpoolClient, SpoolError, deriveIdempotencyKey, fnv1a64 } from '../src/index.js';
import { startServer, testClient } from '../support/spool-server.js';

const TIMEOUT = { timeout: 20_000 };

async function rejectsWith(promise, code, status) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof SpoolError, `expected a SpoolError, got ${error}`);
    if (code) assert.equal(error.code, code);
    if (status) assert.equal(error.status, status);
    return true;
  });
}

describe('client', () => {
  let server;
  let client;
  beforeEach(async () => {
    server = await startServer();
    client = testClient(server.url);
  });
  afterEach(async () => {
    await server?.stop();
  });

  test('health', TIMEOUT, async () => {
    assert.deepEqual(await client.health(), { status: 'ok' });
  });

  test('append and read', TIMEOUT, async () => {
    const first = await client.append('/demo/a', 'demo/ping', { n: 1 }, { metadata: { source: 'test' } });
    assert.equal(first.streamPath, '/demo/a');
    assert.equal(first.offset, 1);
    assert.equal(first.type, 'demo/ping');
    assert.deepEqual(first.payload, { n: 1 });
    assert.deepEqual(first.metadata, { source: 'test' });
    assert.match(first.createdAt, /Z$/);
    const second = await client.append('demo/a', { type: 'demo/ping' }); // input object form, no leading slash
    assert.equal(second.offset, 2);
    assert.deepEqual(second.payload, {});
    assert.ok(second.position > first.position);

    const events = await client.read('/demo/a');
    assert.deepEqual(events.map((e) => e.offset), [1, 2]);
    assert.deepEqual(events[0], first);
    assert.deepEqual((await client.read('/demo/a', { after: 1 })).map((e) => e.offset), [2]);
    assert.deepEqual((await client.read('/demo/a', { limit: 1 })).map((e) => e.offset), [1]);
  });

  test('append a batch atomically', TIMEOUT, async () => {
    const events = await client.appendBatch('/demo/batch', [
      { type: 'demo/a', payload: { i: 1 } },
      { type: 'demo/b', idempotencyKey: 'b' },
    ]);
    assert.deepEqual(events.map((e) => [e.offset, e.type]), [[1, 'demo/a'], [2, 'demo/b']]);
    assert.equal(events[1].idempotencyKey, 'b');
    await rejectsWith(client.appendBatch('/demo/batch', [{ type: 'demo/c' }, { type: 'bad type' }]), undefined, 400);
    assert.equal((await client.read('/demo/batch')).length, 2);
  });

  test('idempotency', TIMEOUT, async () => {
    const original = await client.append('/jobs/1', 'job/started', { x: 1 }, { idempotencyKey: 'start' });
    const replay = await client.append('/jobs/1', 'job/started', { x: 1 }, { idempotencyKey: 'start' });
    assert.deepEqual(replay, original);
    assert.equal((await client.read('/jobs/1')).length, 1);
    await rejectsWith(client.append('/jobs/1', 'job/started', { x: 2 }, { idempotencyKey: 'start' }), 'idempotency_conflict', 409);
  });

  test('expected offset', TIMEOUT, async () => {
    await client.append('/jobs/2', 'job/started', undefined, { expectedOffset: 0 });
    await client.append('/jobs/2', 'job/progress', undefined, { expectedOffset: 1 });
    const error = await client.append('/jobs/2', 'job/finished', undefined, { expectedOffset: 1 }).catch((e) => e);
    assert.ok(error instanceof SpoolError);
    assert.equal(error.code, 'offset_conflict');
    assert.equal(error.status, 409);
    assert.equal(error.details.headOffset, 2);
    assert.ok(error.spoolMessage);
  });

  test('errors', TIMEOUT, async () => {
    await rejectsWith(client.read('/never/written'), 'stream_not_found', 404);
    await rejectsWith(client.append('/bad path/x', 'demo/ping'), 'invalid_path', 400);
    await rejectsWith(client.append('/demo/a', 'has spaces'), 'invalid_event', 400);
    await rejectsWith(client.append('/demo/a', 'demo/ping', {}, { idempotencyKey: 'k'.repeat(300) }), undefined, 400);
  });

  test('list streams', TIMEOUT, async () => {
    await client.append('/agents/ada', 'agent/input-added');
    await client.append('/agents/bob', 'agent/input-added');
    await client.append('/agents/bob', 'agent/input-added');
    await client.append('/other/x', 'x/y');
    const streams = Object.fromEntries((await client.listStreams('/agents')).map((s) => [s.path, s.headOffset]));
    assert.deepEqual(streams, { '/agents/ada': 1, '/agents/bob': 2 });
    assert.ok((await client.listStreams()).some((s) => s.path === '/other/x'));
  });

  test('checkpoints', TIMEOUT, async () => {
    assert.equal(await client.getCheckpoint('never-saved'), 0);
    const head = (await client.appendBatch('/ckpt/a', [{ type: 't' }, { type: 't' }])).at(-1).position;
    assert.deepEqual(await client.putCheckpoint('echo:v1', head - 1), { consumer: 'echo:v1', position: head - 1 });
    assert.equal(await client.getCheckpoint('echo:v1'), head - 1);
    await client.putCheckpoint('echo:v1', head);
    assert.equal(await client.getCheckpoint('echo:v1'), head);
    // Past the head, or a server processor's own checkpoint: refused, nothing moved.
    for (const [consumer, position] of [['echo:v1', head + 1_000_000], ['processor:scheduler', 0]]) {
      const refused = await client.putCheckpoint(consumer, position).catch((e) => e);
      assert.ok(refused instanceof SpoolError && refused.status === 400, String(refused));
    }
    assert.equal(await client.getCheckpoint('echo:v1'), head);
    const error = await client.getCheckpoint('bad name!').catch((e) => e);
    assert.ok(error instanceof SpoolError && error.status >= 400 && error.status < 500);
  });
});

test('auth', TIMEOUT, async () => {
  const server = await startServer({ token: 's3cret' });
  try {
    const anonymous = testClient(server.url);
    await rejectsWith(anonymous.append('/demo/a', 'demo/ping'), 'unauthorized', 401);
    // A live read does not retry a 401 forever.
    await rejectsWith(anonymous.tail('/demo/a').next(), 'unauthorized', 401);
    const authorized = testClient(server.url, { token: 's3cret' });
    assert.equal((await authorized.append('/demo/a', 'demo/ping')).offset, 1);
    assert.deepEqual(await anonymous.health(), { status: 'ok' });
  } finally {
    await server.stop();
  }
});

test('token from the environment', () => {
  const saved = process.env.SPOOL_AUTH_TOKEN;
  try {
    process.env.SPOOL_AUTH_TOKEN = 'from-env';
    assert.equal(new SpoolClient().token, 'from-env');
    assert.equal(new SpoolClient({ token: 'explicit' }).token, 'explicit');
    delete process.env.SPOOL_AUTH_TOKEN;
    assert.equal(new SpoolClient().token, undefined);
    assert.equal(new SpoolClient().baseUrl, 'http://127.0.0.1:4437');
  } finally {
    if (saved === undefined) delete process.env.SPOOL_AUTH_TOKEN;
    else process.env.SPOOL_AUTH_TOKEN = saved;
  }
});

test('derived idempotency keys', () => {
  assert.equal(deriveIdempotencyKey('echo', { streamPath: '/demo/a', offset: 7 }, 0), 'echo:/demo/a@7#0');
  assert.equal(fnv1a64(''), 0xcbf29ce484222325n);
  assert.equal(fnv1a64('a'), 0xaf63dc4c8601ec8cn);
  const longPath = '/' + Array.from({ length: 12 }, (_, i) => 'segment-' + String(i).repeat(20)).join('/');
  const key = deriveIdempotencyKey('echo', { streamPath: longPath, offset: 3 }, 2);
  assert.equal(key, `echo:${fnv1a64(longPath).toString(16)}@3#2`);
  assert.ok(key.length <= 256);
});

test('SSE decoder', () => {
  const decoder = new SSEDecoder();
  const bytes = (text) => new TextEncoder().encode(text);
  assert.deepEqual(decoder.feed(bytes(': connected\n\nid: 1\r\ndata: {"a":')), []);
  const messages = decoder.feed(bytes('1}\r\n\r\nid: 2\ndata: x\ndata: y\n\n'));
  assert.deepEqual(messages.map((m) => [m.id, m.data]), [['1', '{"a":1}'], ['2', 'x\ny']]);
  assert.equal(decoder.lastEventId, '2');
  // A multi-byte character split across chunks.
  const euro = bytes('data: €\n\n');
  assert.deepEqual(decoder.feed(euro.slice(0, 7)), []);
  assert.deepEqual(decoder.feed(euro.slice(7)).map((m) => m.data), ['€']);
});
