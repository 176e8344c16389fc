// Remote processors end to end: the echo example, checkpoints, resuming, replay, failures.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { echoProcessor } from '../examples/echo-processor.js';
import { defineProcessor, runProcessor } from '../src/index.js';
import { JS_ROOT, cleanEnv, delay, startServer, testClient, waitFor } from '../support/spool-server.js';

const TIMEOUT = { timeout: 30_000 };

/** runProcessor in the background; stop() aborts it and resolves to its result. */
function start(definition, client) {
  const controller = new AbortController();
  const running = runProcessor(definition, client, { signal: controller.signal });
  return {
    async stop(timeoutMs = 5_000) {
      controller.abort();
      let timer;
      try {
        return await Promise.race([
          running,
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('processor did not stop')), timeoutMs);
          }),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

async function pongs(client, streamPath) {
  return (await client.read(streamPath)).filter((e) => e.type === 'demo/pong').map((e) => e.payload.count);
}

async function headPosition(client, prefix) {
  const events = await client.readFeed(prefix, { limit: 10_000 });
  return events.length ? events[events.length - 1].position : 0;
}

/** Waits until the processor's saved checkpoint is the last position under prefix. */
async function waitCaughtUp(client, name, prefix, timeoutMs = 10_000) {
  await waitFor(
    async () => {
      const head = await headPosition(client, prefix);
      return head > 0 && (await client.getCheckpoint(name)) === head;
    },
    { timeoutMs, message: `${name} to catch up` },
  );
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

describe('processors', () => {
  let server;
  let client;
  beforeEach(async () => {
    server = await startServer();
    client = testClient(server.url);
  });
  afterEach(async () => {
    await server?.stop();
  });

  test('the echo example end to end, then resumed from its checkpoint', TIMEOUT, async () => {
    const first = start(echoProcessor(), client);
    try {
      await client.append('/demo/a', 'demo/ping');
      await client.append('/demo/a', 'demo/ping');
      await client.append('/demo/b', 'demo/ping');
      await waitFor(async () => same(await pongs(client, '/demo/a'), [1, 2]) && same(await pongs(client, '/demo/b'), [1]), {
        message: 'pongs',
      });
      await waitCaughtUp(client, 'js-echo', '/demo');
    } finally {
      const result = await first.stop();
      assert.deepEqual(result.states.get('/demo/a'), { pings: 2 });
    }
    const checkpoint = await client.getCheckpoint('js-echo');

    // While it is stopped, more pings arrive; nothing answers them.
    await client.append('/demo/a', 'demo/ping');
    await client.append('/demo/c', 'demo/ping');
    await client.append('/demo/a', 'demo/ping');
    await delay(200);
    assert.deepEqual(await pongs(client, '/demo/a'), [1, 2]);

    const second = start(echoProcessor(), client);
    let result;
    try {
      await waitFor(async () => same(await pongs(client, '/demo/a'), [1, 2, 3, 4]) && same(await pongs(client, '/demo/c'), [1]), {
        message: 'pongs after restart',
      });
      await waitCaughtUp(client, 'js-echo', '/demo');
      await delay(200);
      assert.deepEqual(await pongs(client, '/demo/a'), [1, 2, 3, 4]);
      assert.deepEqual(await pongs(client, '/demo/b'), [1]);
      assert.deepEqual(await pongs(client, '/demo/c'), [1]);
      assert.ok((await client.getCheckpoint('js-echo')) > checkpoint);
    } finally {
      result = await second.stop();
    }
    assert.deepEqual(result.states.get('/demo/a'), { pings: 4 });
    assert.deepEqual(result.states.get('/demo/b'), { pings: 1 });
    const events = await client.read('/demo/a');
    assert.deepEqual(
      events.filter((e) => e.type === 'demo/pong').map((e) => e.idempotencyKey),
      events.filter((e) => e.type === 'demo/ping').map((e) => `js-echo:/demo/a@${e.offset}#0`),
    );
  });

  test('replaying after a crash appends nothing twice', TIMEOUT, async () => {
    const first = start(echoProcessor(), client);
    try {
      for (let i = 0; i < 3; i++) await client.append('/demo/a', 'demo/ping');
      await waitFor(async () => same(await pongs(client, '/demo/a'), [1, 2, 3]), { message: 'pongs' });
      await waitCaughtUp(client, 'js-echo', '/demo');
    } finally {
      await first.stop();
    }
    const count = (await client.read('/demo/a')).length;

    // As if it had crashed before saving any checkpoint: everything is handled again.
    await client.putCheckpoint('js-echo', 0);
    const again = start(echoProcessor(), client);
    let result;
    try {
      await waitCaughtUp(client, 'js-echo', '/demo');
    } finally {
      result = await again.stop();
    }
    assert.ok(result.handled >= count);
    assert.deepEqual(await pongs(client, '/demo/a'), [1, 2, 3]);
    assert.equal((await client.read('/demo/a')).length, count);
  });

  test('the example runs as a process', TIMEOUT, async () => {
    const child = spawn(
      process.execPath,
      [path.join(JS_ROOT, 'examples', 'echo-processor.js'), '--server', server.url, '--name', 'echo-cli'],
      { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await client.append('/demo/x', 'demo/ping');
      await client.append('/demo/x', 'demo/ping');
      await waitFor(async () => same(await pongs(client, '/demo/x'), [1, 2]), { timeoutMs: 15_000, message: 'pongs from the script' });
      await waitCaughtUp(client, 'echo-cli', '/demo');
      child.kill('SIGTERM');
      let timer;
      const code = await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 10_000, 'timeout')))]);
      clearTimeout(timer);
      assert.equal(code, 0, output);
      assert.match(output, /stopped at position/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  test('a failing afterAppend is retried, then recorded', TIMEOUT, async () => {
    const attempts = new Map();
    const flaky = start(
      {
        name: 'flaky',
        prefix: '/flaky',
        retryDelayMs: 10,
        afterAppend: async (event, state, ctx) => {
          const key = `${event.streamPath}@${event.offset}`;
          attempts.set(key, (attempts.get(key) ?? 0) + 1);
          if (event.type !== 'demo/ping') return;
          await ctx.append('demo/partial'); // appended before failing; the retry must not append it again
          if (attempts.get(key) === 1) throw new Error('transient');
          await ctx.append('demo/pong', { count: 1 });
        },
      },
      client,
    );
    const broken = start(
      {
        name: 'broken',
        prefix: '/broken',
        maxAttempts: 2,
        retryDelayMs: 10,
        afterAppend: async (event) => {
          if (event.type === 'demo/boom') throw new Error('always broken');
        },
      },
      client,
    );
    try {
      await client.append('/flaky/a', 'demo/ping');
      await client.append('/broken/a', 'demo/boom');
      await client.append('/broken/a', 'demo/fine');
      await waitCaughtUp(client, 'flaky', '/flaky');
      await waitCaughtUp(client, 'broken', '/broken');
    } finally {
      await flaky.stop();
      await broken.stop();
    }
    assert.deepEqual((await client.read('/flaky/a')).map((e) => e.type), ['demo/ping', 'demo/partial', 'demo/pong']);
    assert.equal(attempts.get('/flaky/a@1'), 2);
    const failures = (await client.read('/broken/a')).filter((e) => e.type === 'spool/processor-failed');
    assert.equal(failures.length, 1);
    assert.equal(failures[0].payload.processor, 'broken');
    assert.equal(failures[0].payload.sourceOffset, 1);
    assert.match(failures[0].payload.error, /always broken/);
  });

  test('in-place reducers and appends to other streams', TIMEOUT, async () => {
    const mirror = defineProcessor({
      name: 'mirror',
      prefix: '/in',
      initialState: { seen: 0 },
      reduce: (state) => {
        state.seen += 1; // in place: returning undefined keeps the (mutated) state
      },
      afterAppend: (event, state, ctx) =>
        ctx.append('mirror/copied', { seen: state.seen, from: event.streamPath }, { path: '/out/mirror' }),
    });
    const running = start(mirror, client);
    try {
      await client.append('/in/a', 'x/one');
      await client.append('/in/a', 'x/two');
      await client.append('/in/b', 'x/three');
      await waitFor(async () => (await client.listStreams('/out')).length === 1 && (await client.read('/out/mirror')).length === 3, {
        message: 'copies',
      });
    } finally {
      await running.stop();
    }
    const copies = await client.read('/out/mirror');
    assert.deepEqual(copies.map((c) => [c.payload.from, c.payload.seen]).sort(), [['/in/a', 1], ['/in/a', 2], ['/in/b', 1]]);
    assert.deepEqual(new Set(copies.map((c) => c.idempotencyKey)), new Set(['mirror:/in/a@1#0', 'mirror:/in/a@2#0', 'mirror:/in/b@1#0']));
  });

  test('a processor stops promptly while idle', TIMEOUT, async () => {
    const running = start(echoProcessor(), client);
    await delay(200);
    const started = Date.now();
    await running.stop(3_000);
    assert.ok(Date.now() - started < 2_000);
  });
});

test('processor names are validated', async () => {
  assert.throws(() => defineProcessor({ name: 'has space' }), TypeError);
  await assert.rejects(runProcessor({ name: '' }, testClient('http://127.0.0.1:1')), TypeError);
});
