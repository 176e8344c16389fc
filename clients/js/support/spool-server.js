// Test support: a real Spool server per test, a connection-dropping proxy, polling.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpoolClient } from '../src/index.js';

export const JS_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(JS_ROOT, '..', '..');

export function spoolBinary() {
  const configured = process.env.SPOOL_BINARY || '.build/debug/spool';
  const binary = path.isAbsolute(configured) ? configured : path.join(REPO_ROOT, configured);
  if (!existsSync(binary)) {
    throw new Error(`Spool binary not found at ${binary}; build it with \`swift build --product spool\` or set SPOOL_BINARY`);
  }
  return binary;
}

/** Environment without SPOOL_* variables (so a developer's token does not leak into tests). */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('SPOOL_')) env[key] = value;
  return { ...env, ...extra };
}

/** Starts `spool serve --port 0` on a temporary directory; resolves once it announced its URL. */
export async function startServer({ token } = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'spool-js-test-'));
  const child = spawn(
    spoolBinary(),
    ['serve', '--host', '127.0.0.1', '--port', '0', '--data', dataDir, '--log-level', 'warning'],
    { env: cleanEnv(token ? { SPOOL_AUTH_TOKEN: token } : {}), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  let spawnError;
  child.once('error', (error) => {
    spawnError = error; // e.g. ENOENT or ETXTBSY while the binary is being rebuilt
  });
  const stop = async () => {
    if (child.pid !== undefined && !spawnError && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`spool serve did not announce its address: ${out}${stderr}`)), 15_000);
      child.stdout.on('data', (chunk) => {
        out += chunk;
        const newline = out.indexOf('\n');
        if (newline < 0) return;
        clearTimeout(timer);
        const match = /^Spool listening on (http:\/\/\S+)/.exec(out.slice(0, newline));
        if (match) resolve(match[1]);
        else reject(new Error(`unexpected first line from spool serve: ${out.slice(0, newline)}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`spool serve exited (${code}): ${stderr}`));
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`could not start spool serve: ${error.message}`));
      });
    });
    child.stdout.resume();
    return { url, port: Number(new URL(url).port), stop, child };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function testClient(url, options = {}) {
  return new SpoolClient({
    baseUrl: url, token: '', timeoutMs: 10_000, idleTimeoutMs: 20_000, reconnectDelayMs: 50, maxReconnectDelayMs: 500, ...options,
  });
}

/** A TCP proxy to 127.0.0.1:port whose open connections can be cut, to test reconnects. */
export async function startProxy(port) {
  const sockets = new Set();
  let connections = 0;
  const server = net.createServer((client) => {
    connections += 1;
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    get connections() {
      return connections;
    },
    dropAll() {
      for (const socket of [...sockets]) socket.destroy();
      sockets.clear();
    },
    async close() {
      for (const socket of [...sockets]) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Polls `predicate` (sync or async) until truthy; rejects after `timeoutMs`. */
export async function waitFor(predicate, { timeoutMs = 10_000, intervalMs = 20, message = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Iterates a live async iterator in the background, collecting events until stopped. */
export function collect(makeIterator) {
  const controller = new AbortController();
  const events = [];
  const state = { error: undefined };
  const done = (async () => {
    try {
      for await (const event of makeIterator(controller.signal)) events.push(event);
    } catch (error) {
      state.error = error;
    }
  })();
  return {
    events,
    get error() {
      return state.error;
    },
    async waitCount(count, timeoutMs = 10_000) {
      await waitFor(() => events.length >= count || state.error, { timeoutMs, message: `${count} events (have ${events.length})` });
      if (state.error) throw state.error;
      return events;
    },
    async close(timeoutMs = 5_000) {
      controller.abort();
      let timer;
      await Promise.race([
        done,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('live iterator did not stop')), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
