// Appends an event typed as YAML or JSON. A document that does not parse, or an append
// the server refuses, shows its error right under the editor.

import { append } from './api.js';
import { h } from './dom.js';
import { parseYAML } from './yaml-parse.js';

const TEMPLATE = 'type: note/added\npayload:\n  text: hello\n';

/** The append input typed in `text`: JSON when it starts with { or [, else YAML. */
export function parseComposerInput(text) {
  const trimmed = text.trim();
  if (!trimmed) throw new Error('Type an event first, e.g. "type: note/added".');
  let value;
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new Error(`JSON error: ${error.message}`);
    }
  } else {
    try {
      value = parseYAML(text);
    } catch (error) {
      throw new Error(`YAML error: ${error.message}`);
    }
  }
  const inputs = Array.isArray(value) ? value : [value];
  if (!inputs.length || inputs.some((input) => input === null || typeof input !== 'object' || Array.isArray(input))) {
    throw new Error('An event is a mapping with at least "type" (a list of them appends a batch).');
  }
  return value;
}

export class Composer {
  constructor(path, { onAppended = () => {} } = {}) {
    this.path = path;
    this.onAppended = onAppended;
    this.editor = h('textarea', {
      id: 'composer-input',
      className: 'composer-input',
      rows: '5',
      spellcheck: 'false',
      'aria-describedby': 'composer-help composer-error',
      onKeydown: (event) => {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          this.submit();
        }
      },
    });
    this.editor.value = TEMPLATE;
    this.error = h('p', { id: 'composer-error', className: 'composer-error', role: 'alert', hidden: true });
    this.result = h('p', { className: 'composer-result', role: 'status', 'aria-live': 'polite' });
    this.button = h('button', { type: 'submit', id: 'composer-append' }, 'Append');
    this.element = h(
      'form',
      { className: 'composer', 'aria-label': 'Append an event', onSubmit: (event) => { event.preventDefault(); this.submit(); } },
      h('label', { for: 'composer-input' }, `Append to ${path}`),
      h('p', { id: 'composer-help', className: 'hint' }, 'YAML or JSON: type, payload, metadata, idempotencyKey, expectedOffset. Ctrl+Enter appends.'),
      this.editor,
      this.error,
      h('div', { className: 'composer-actions' }, this.button, this.result),
    );
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = !text;
    this.editor.setAttribute('aria-invalid', text ? 'true' : 'false');
  }

  async submit() {
    this.result.textContent = '';
    let input;
    try {
      input = parseComposerInput(this.editor.value);
    } catch (error) {
      this.showError(error.message);
      return;
    }
    this.button.disabled = true;
    try {
      const stored = await append(this.path, input);
      const events = Array.isArray(stored) ? stored : [stored];
      this.showError('');
      this.result.textContent = `Appended ${events.map((event) => `#${event.offset}`).join(', ')}`;
      this.onAppended(events);
    } catch (error) {
      this.showError(`${error.message}${error.code ? ` (${error.code})` : ''}`);
    } finally {
      this.button.disabled = false;
    }
  }
}
