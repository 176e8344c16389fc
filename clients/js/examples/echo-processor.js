#!/usr/bin/env node
// Echo: for every `demo/ping` under /demo, append `demo/pong {count}` to the same
// stream, where count is the number of pings that stream has seen.
//
//   node examples/echo-processor.js --server http://127.0.0.1:4437
//   curl -X POST http://127.0.0.1:4437/streams/demo/a -d '{"type":"demo/ping"}'
//   curl http://127.0.0.1:4437/streams/demo/a
//
// Stop it with Ctrl-C (or SIGTERM) and start it again: it resumes from its
// checkpoint, and the idempotency keys of its appends make sure no pong is
// appended twice even if it was killed mid-way.

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SpoolClient, defineProcessor, runProcessor } from '../src/index.js';

export function echoProcessor({ name = 'js-echo', prefix = '/demo' } = {}) {
  return defineProcessor({
    name,
    prefix,
    initialState: { pings: 0 },
    reduce: (state, event) => (event.type === 'demo/ping' ? { pings: state.pings + 1 } : state),
    afterAppend: async (event, state, ctx) => {
      if (event.type === 'demo/ping') await ctx.append('demo/pong', { count: state.pings });
    },
  });
}

async function main() {
  const { values } = parseArgs({
    options: {
      server: { type: 'string', default: process.env.SPOOL_URL ?? 'http://127.0.0.1:4437' },
      name: { type: 'string', default: 'js-echo' },
      prefix: { type: 'string', default: '/demo' },
    },
  });
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => controller.abort());
  const client = new SpoolClient({ baseUrl: values.server });
  console.log(`echo processor '${values.name}' following ${values.prefix} on ${values.server}`);
  const { checkpoint } = await runProcessor(echoProcessor(values), client, { signal: controller.signal });
  console.log(`stopped at position ${checkpoint}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
