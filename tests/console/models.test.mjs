// Unit tests of the console's pure modules (run with `node --test tests/console`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldAgent } from '../../Sources/SpoolConsole/Assets/js/agent-model.js';
import { HeightIndex } from '../../Sources/SpoolConsole/Assets/js/height-index.js';
import { jsonDiff } from '../../Sources/SpoolConsole/Assets/js/json-diff.js';
import { patternMatches, processorsFor } from '../../Sources/SpoolConsole/Assets/js/processor-match.js';
import { SSEParser } from '../../Sources/SpoolConsole/Assets/js/sse.js';
import { buildTree, visibleNodes } from '../../Sources/SpoolConsole/Assets/js/stream-tree.js';
import { parseComposerInput } from '../../Sources/SpoolConsole/Assets/js/composer.js';

const event = (offset, type, payload = {}) => ({ offset, type, payload });

test('an agent stream folds into a chat with a streaming answer and tool states', () => {
  const events = [
    event(1, 'agent/input-added', { content: 'hi' }),
    event(2, 'llm/request-started', { requestId: 'r1' }),
    event(3, 'llm/output-delta', { requestId: 'r1', text: 'You said' }),
    event(4, 'llm/output-delta', { requestId: 'r1', text: ': hi' }),
  ];
  let chat = foldAgent(events);
  assert.deepEqual(chat.items.map((item) => [item.kind, item.text ?? item.content, item.streaming]), [
    ['message', 'hi', undefined], ['answer', 'You said: hi', true]]);
  events.push(event(5, 'llm/response-completed', { requestId: 'r1', content: 'You said: hi', toolCalls: [] }));
  events.push(event(6, 'tool/call-requested', { requestId: 'r2', callId: 'c1', name: 'wait', arguments: { seconds: 1 } }));
  events.push(event(7, 'tool/approval-requested', { callId: 'c1' }));
  chat = foldAgent(events);
  assert.equal(chat.items[1].streaming, false);
  assert.deepEqual(chat.pendingApprovals.map((item) => item.callId), ['c1']);
  events.push(event(8, 'tool/approval-granted', { callId: 'c1' }), event(9, 'tool/call-completed', { callId: 'c1', name: 'wait', output: 'ok', isError: false }));
  chat = foldAgent(events);
  assert.equal(chat.pendingApprovals.length, 0);
  assert.deepEqual(chat.items[2], { kind: 'tool', callId: 'c1', name: 'wait', arguments: { seconds: 1 }, status: 'completed', output: 'ok', isError: false, offset: 6 });
});

test('an SSE stream splits into frames across chunks', () => {
  const parser = new SSEParser();
  assert.deepEqual(parser.push(': keep-alive\n\nid: 1\ndata: {"a"'), []);
  assert.deepEqual(parser.push(':1}\n\nid: 2\r\ndata: {}\r\n\r\n'), [{ id: '1', data: '{"a":1}' }, { id: '2', data: '{}' }]);
});

test('row heights answer positions and rows', () => {
  const index = new HeightIndex(10);
  index.resize(100_000);
  assert.equal(index.total(), 1_000_000);
  index.set(0, 50);
  assert.equal(index.top(1), 50);
  assert.equal(index.indexAt(55), 1);
  assert.equal(index.indexAt(999_999 + 40), 99_999);
  index.prepend(5);
  assert.equal(index.count, 100_005);
  assert.equal(index.top(6), 100);
  index.resize(3);
  assert.equal(index.total(), 30);
});

test('a diff lists changed, added and removed paths', () => {
  assert.deepEqual(jsonDiff({ pings: 1, list: [1], gone: true }, { pings: 3, list: [1, 2] }), [
    { path: 'pings', kind: 'changed', before: 1, after: 3 },
    { path: 'list[1]', kind: 'added', after: 2 },
    { path: 'gone', kind: 'removed', before: true },
  ]);
  assert.deepEqual(jsonDiff({ a: 1 }, { a: 1 }), []);
});

test('processors are matched by pattern, the narrowest first', () => {
  assert.ok(patternMatches('/demo/**', '/demo/a/b'));
  assert.ok(patternMatches('/demo/*', '/demo/a'));
  assert.ok(!patternMatches('/demo/*', '/demo/a/b'));
  assert.ok(!patternMatches('/demo/**', '/demolition'));
  const processors = [{ name: 'circuit-breaker', streams: '/**' }, { name: 'agent', streams: '/**' }, { name: 'demo-ping-pong', streams: '/demo/**' }];
  assert.deepEqual(processorsFor(processors, '/demo/x').map((p) => p.name), ['demo-ping-pong', 'agent', 'circuit-breaker']);
  assert.deepEqual(processorsFor(processors, '/agents/x').map((p) => p.name), ['agent', 'circuit-breaker']);
});

test('stream paths become a tree; collapsed nodes hide their children', () => {
  const root = buildTree([{ path: '/agents/ada' }, { path: '/agents/bob' }, { path: '/demo' }, { path: '/demo/x' }]);
  assert.deepEqual(visibleNodes(root, new Set()).map(({ node, depth }) => [node.path, depth, Boolean(node.info)]), [
    ['/agents', 1, false], ['/agents/ada', 2, true], ['/agents/bob', 2, true], ['/demo', 1, true], ['/demo/x', 2, true]]);
  assert.deepEqual(visibleNodes(root, new Set(['/agents'])).map(({ node }) => node.path), ['/agents', '/demo', '/demo/x']);
  assert.deepEqual(visibleNodes(buildTree([{ path: '/agents/ada' }, { path: '/demo' }], '/ag'), new Set()).map(({ node }) => node.path), ['/agents', '/agents/ada']);
});

test('the composer reads YAML or JSON and explains what is wrong', () => {
  assert.deepEqual(parseComposerInput('type: a/b\npayload: {x: 1}\n'), { type: 'a/b', payload: { x: 1 } });
  assert.deepEqual(parseComposerInput('[{"type": "a"}, {"type": "b"}]'), [{ type: 'a' }, { type: 'b' }]);
  assert.throws(() => parseComposerInput('{"type": '), /^Error: JSON error/);
  assert.throws(() => parseComposerInput('type: a\n  bad: 1\n'), /YAML error: line 2/);
  assert.throws(() => parseComposerInput('just text'), /An event is a mapping/);
  assert.throws(() => parseComposerInput('   '), /Type an event first/);
});
