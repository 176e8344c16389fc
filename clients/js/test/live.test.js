// Live tails and feeds over SSE: history then live, resuming, reconnecting without duplicates.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { collect, delay, startProxy, startServer, testClient } from '../support/spool-server.js';

const TIMEOUT = { timeout: 20_000 };
const offsets = (events) => events.map((e) => e.offset);

describe('live', () => {
  let server;
  let client;
  let proxy;
  beforeEach(async () => {
    server = await startServer();
    client = testClient(server.url);
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await server?.stop();
  });

  test('tail: history, then live', TIMEOUT, async () => {
    for (let i = 0; i < 3; i++) await client.append('/demo/t', 'demo/ping', { i });
    const tail = collect((signal) => client.tail('/demo/t', { signal }));
    try {
      await tail.waitCount(3);
      await client.append('/demo/t', 'demo/ping', { i: 3 });
      await client.appendBatch('/demo/t', [{ type: 'demo/ping', payload: { i: 4 } }]);
      const events = await tail.waitCount(5);
      assert.deepEqual(offsets(events), [1, 2, 3, 4, 5]);
      assert.deepEqual(events.map((e) => e.payload.i), [0, 1, 2, 3, 4]);
    } finally {
      await tail.close();
    }
  });

  test('tail after an offset; breaking out closes it', TIMEOUT, async () => {
    for (let i = 0; i < 4; i++) await client.append('/demo/after', 'demo/ping');
    const seen = [];
    for await (const event of client.tail('/demo/after', { after: 2 })) {
      seen.push(event.offset);
      if (seen.length === 2) break;
    }
    assert.deepEqual(seen, [3, 4]);
  });

  test('tail waits for a stream that has no events yet', TIMEOUT, async () => {
    const tail = collect((signal) => client.tail('/demo/not-yet', { signal }));
    try {
      await delay(200);
      assert.equal(tail.events.length, 0);
      await client.append('/demo/not-yet', 'demo/ping');
      assert.deepEqual(offsets(await tail.waitCount(1)), [1]);
    } finally {
      await tail.close();
    }
  });

  test('tail stops promptly while idle', TIMEOUT, async () => {
    await client.append('/demo/idle', 'demo/ping');
    const tail = collect((signal) => client.tail('/demo/idle', { signal }));
    await tail.waitCount(1);
    const started = Date.now();
    await tail.close(3_000);
    assert.ok(Date.now() - started < 2_000);
  });

  test('tail reconnects without losing or repeating events', TIMEOUT, async () => {
    proxy = await startProxy(server.port);
    const viaProxy = testClient(proxy.url, { reconnectDelayMs: 50, maxReconnectDelayMs: 200 });
    for (let i = 0; i < 3; i++) await client.append('/demo/r', 'demo/ping', { i });
    const tail = collect((signal) => viaProxy.tail('/demo/r', { signal }));
    try {
      await tail.waitCount(3);
      proxy.dropAll();
      await client.append('/demo/r', 'demo/ping', { i: 3 });
      await tail.waitCount(4);
      proxy.dropAll();
      proxy.dropAll();
      await client.appendBatch('/demo/r', [
        { type: 'demo/ping', payload: { i: 4 } },
        { type: 'demo/ping', payload: { i: 5 } },
      ]);
      await tail.waitCount(6);
      await delay(200);
      assert.deepEqual(offsets(tail.events), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual(tail.events.map((e) => e.payload.i), [0, 1, 2, 3, 4, 5]);
      assert.ok(proxy.connections >= 2);
    } finally {
      await tail.close();
    }
  });

  test('tail keeps retrying while the server is away', TIMEOUT, async () => {
    const away = testClient('http://127.0.0.1:1', { reconnectDelayMs: 10, maxReconnectDelayMs: 50 });
    const tail = collect((signal) => away.tail('/demo/x', { signal }));
    await delay(300);
    assert.equal(tail.error, undefined);
    assert.equal(tail.events.length, 0);
    await tail.close();
  });

  test('readFeed', TIMEOUT, async () => {
    const a1 = await client.append('/feedtest/a', 'demo/ping');
    await client.append('/other/x', 'demo/ping');
    const b1 = await client.append('/feedtest/b', 'demo/ping');
    const a2 = await client.append('/feedtest/a', 'demo/ping');
    const events = await client.readFeed('/feedtest');
    assert.deepEqual(events.map((e) => [e.streamPath, e.offset]), [['/feedtest/a', 1], ['/feedtest/b', 1], ['/feedtest/a', 2]]);
    assert.deepEqual(events.map((e) => e.position), [a1.position, b1.position, a2.position]);
    assert.deepEqual((await client.readFeed('/feedtest', { after: a1.position, limit: 1 })).map((e) => e.position), [b1.position]);
    assert.equal((await client.readFeed('/')).length, 4);
  });

  test('feed: history, then live, in position order', TIMEOUT, async () => {
    await client.append('/feedlive/a', 'demo/ping');
    await client.append('/elsewhere', 'demo/ping');
    await client.append('/feedlive/b/c', 'demo/ping');
    const feed = collect((signal) => client.feed('/feedlive', { signal }));
    try {
      await feed.waitCount(2);
      await client.append('/feedlive/b', 'demo/ping');
      await client.append('/elsewhere', 'demo/ping');
      await client.append('/feedlive/a', 'demo/ping');
      const events = await feed.waitCount(4);
      await delay(100);
      assert.deepEqual(feed.events.map((e) => [e.streamPath, e.offset]), [
        ['/feedlive/a', 1], ['/feedlive/b/c', 1], ['/feedlive/b', 1], ['/feedlive/a', 2],
      ]);
      const positions = events.map((e) => e.position);
      assert.deepEqual(positions, [...positions].sort((x, y) => x - y));
    } finally {
      await feed.close();
    }
  });

  test('feed after a position', TIMEOUT, async () => {
    const first = await client.append('/feedafter/a', 'demo/ping');
    await client.append('/feedafter/b', 'demo/ping');
    const iterator = client.feed('/feedafter', { after: first.position });
    try {
      assert.equal((await iterator.next()).value.streamPath, '/feedafter/b');
    } finally {
      await iterator.return();
    }
  });

  test('feed reconnects without losing or repeating events', TIMEOUT, async () => {
    proxy = await startProxy(server.port);
    const viaProxy = testClient(proxy.url, { reconnectDelayMs: 50, maxReconnectDelayMs: 200 });
    await client.append('/feedr/a', 'demo/ping');
    await client.append('/feedr/b', 'demo/ping');
    const feed = collect((signal) => viaProxy.feed('/feedr', { signal }));
    try {
      await feed.waitCount(2);
      proxy.dropAll();
      await client.append('/feedr/a', 'demo/ping');
      await client.append('/feedr/c', 'demo/ping');
      await feed.waitCount(4);
      proxy.dropAll();
      await client.append('/feedr/b', 'demo/ping');
      await feed.waitCount(5);
      await delay(200);
      assert.deepEqual(feed.events.map((e) => [e.streamPath, e.offset]), [
        ['/feedr/a', 1], ['/feedr/b', 1], ['/feedr/a', 2], ['/feedr/c', 1], ['/feedr/b', 2],
      ]);
    } finally {
      await feed.close();
    }
  });
});
