// Unit tests of the console's YAML parser and writer (run with `node --test tests/console`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYAML, YAMLError } from '../../Sources/SpoolConsole/Assets/js/yaml-parse.js';
import { toYAML } from '../../Sources/SpoolConsole/Assets/js/yaml-render.js';

test('parses an event typed by hand', () => {
  const text = `# a note
type: note/added
payload:
  text: "hello: world"
  count: 3
  ratio: 0.5
  done: false
  tags: [a, "b c", 1]
  nested: {x: 1, y: [true, null]}
  steps:
    - first
    - name: second
      ok: yes
  empty:
metadata:
  source: console   # trailing comment
`;
  assert.deepEqual(parseYAML(text), {
    type: 'note/added',
    payload: {
      text: 'hello: world', count: 3, ratio: 0.5, done: false, tags: ['a', 'b c', 1],
      nested: { x: 1, y: [true, null] }, steps: ['first', { name: 'second', ok: 'yes' }], empty: null,
    },
    metadata: { source: 'console' },
  });
});

test('block scalars and sequences at the key indentation', () => {
  assert.deepEqual(parseYAML('a: |\n  line 1\n  line 2\nb: >-\n  folded\n  text\nc:\n- 1\n- 2\n'), {
    a: 'line 1\nline 2\n', b: 'folded text', c: [1, 2],
  });
});

test('malformed documents name the line', () => {
  const cases = [
    ['type: x\npayload:\n  a: 1\n b: 2\n', /line 4/],
    ['type: x\npayload: {a: 1\n', /line 2: .*"}" is missing/],
    ['type: "x\n', /line 1: unterminated/],
    ['type: x\ntype: y\n', /line 2: the key "type" appears twice/],
    ['just text\nmore: 1\n', /line 2/],
    ['', /empty/],
    ['a:\n\tb: 1\n', /tabs/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseYAML(text), (error) => error instanceof YAMLError && message.test(error.message), text);
  }
});

test('what the writer prints reads back the same', () => {
  const values = [
    { type: 'agent/input-added', payload: { content: 'You said: hi\nsecond line', n: 1, f: 1.5, t: true, z: null } },
    { list: [{ a: 1, b: [1, 2, { c: 'x' }] }, [], {}, 'true', '42', '', ' padded', '- dash', 'a: b', '#x'] },
    { 'key with: colon': 'v', empty: {}, nested: { deeper: { deepest: [[1, 2], [3]] } } },
  ];
  for (const value of values) assert.deepEqual(parseYAML(toYAML(value)), value, toYAML(value));
});
