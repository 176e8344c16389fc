// A processor's state of the stream: at the head or at any offset (a slider over
// offsets), and what changed between two offsets.

import { listProcessors, processorState } from './api.js';
import { h, replaceChildren } from './dom.js';
import { jsonDiff } from './json-diff.js';
import { processorsFor } from './processor-match.js';
import { renderYAML } from './yaml-render.js';

export class StateView {
  constructor(window) {
    this.window = window;
    this.followHead = true;
    this.processorSelect = h('select', { id: 'state-processor', onChange: () => this.refresh() });
    this.slider = h('input', { id: 'state-offset', type: 'range', min: '0', max: '0', step: '1', onInput: () => this.onSlide() });
    this.offsetInput = h('input', { id: 'state-offset-number', type: 'number', min: '0', 'aria-label': 'Offset', onChange: () => this.setOffset(Number(this.offsetInput.value)) });
    this.output = h('pre', { className: 'yaml state-output', id: 'state-output', 'aria-live': 'polite', tabindex: '0' });
    this.caption = h('p', { className: 'state-caption', role: 'status' });
    this.diffFrom = h('input', { id: 'diff-from', type: 'number', min: '0', value: '0' });
    this.diffTo = h('input', { id: 'diff-to', type: 'number', min: '0' });
    this.diffOutput = h('div', { className: 'diff-output', id: 'diff-output', 'aria-live': 'polite' });
    this.element = h(
      'section',
      { className: 'state-view', 'aria-label': 'State and time travel' },
      h('h3', {}, 'State'),
      h('div', { className: 'state-controls' },
        h('label', { for: 'state-processor' }, 'Processor'), this.processorSelect),
      h('div', { className: 'state-controls' },
        h('label', { for: 'state-offset' }, 'At offset'), this.slider, this.offsetInput,
        h('button', { type: 'button', onClick: () => this.setOffset(this.window.head, true) }, 'Head')),
      this.caption,
      this.output,
      h('h3', {}, 'Diff between offsets'),
      h('form', { className: 'state-controls', onSubmit: (event) => { event.preventDefault(); this.showDiff(); } },
        h('label', { for: 'diff-from' }, 'From'), this.diffFrom,
        h('label', { for: 'diff-to' }, 'to'), this.diffTo,
        h('button', { type: 'submit', id: 'diff-button' }, 'Compare')),
      this.diffOutput,
    );
    this.unsubscribe = window.subscribe(({ kind }) => {
      if (kind === 'head') this.onHead();
    });
  }

  destroy() {
    this.unsubscribe();
    clearTimeout(this.timer);
  }

  async load() {
    try {
      const processors = processorsFor(await listProcessors(), this.window.path);
      replaceChildren(this.processorSelect, processors.map((processor) => h('option', { value: processor.name }, processor.name)));
      if (!processors.length) {
        this.caption.textContent = 'No processor follows this stream.';
        return;
      }
    } catch (error) {
      this.caption.textContent = `Could not list processors: ${error.message}`;
      return;
    }
    this.diffTo.value = String(this.window.head);
    this.onHead();
  }

  onHead() {
    this.slider.max = String(this.window.head);
    if (this.followHead) this.setOffset(this.window.head, true);
  }

  onSlide() {
    const offset = Number(this.slider.value);
    this.followHead = offset === this.window.head;
    this.offsetInput.value = String(offset);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 120);
  }

  setOffset(offset, followHead = offset === this.window.head) {
    const clamped = Math.max(0, Math.min(this.window.head, Number.isFinite(offset) ? offset : 0));
    this.followHead = followHead;
    this.slider.value = String(clamped);
    this.offsetInput.value = String(clamped);
    this.refresh();
  }

  async refresh() {
    const processor = this.processorSelect.value;
    if (!processor) return;
    const at = Number(this.slider.value);
    const request = (this.request = {});
    try {
      const answer = await processorState(this.window.path, processor, at);
      if (request !== this.request) return;
      this.caption.textContent = `${processor} after offset ${answer.offset}${at === this.window.head ? ' (head)' : ''}`;
      replaceChildren(this.output, renderYAML(answer.state));
      this.output.dataset.offset = String(answer.offset);
    } catch (error) {
      if (request !== this.request) return;
      this.caption.textContent = `Could not fold the state: ${error.message}`;
    }
  }

  async showDiff() {
    const processor = this.processorSelect.value;
    const from = Number(this.diffFrom.value);
    const to = Number(this.diffTo.value);
    if (!processor) return;
    try {
      const [before, after] = await Promise.all([
        processorState(this.window.path, processor, from),
        processorState(this.window.path, processor, to),
      ]);
      const changes = jsonDiff(before.state, after.state);
      if (!changes.length) {
        replaceChildren(this.diffOutput, h('p', {}, `No change between offsets ${from} and ${to}.`));
        return;
      }
      replaceChildren(
        this.diffOutput,
        h('ul', { className: 'diff-list', 'aria-label': `Changes from offset ${from} to ${to}` },
          changes.map((change) => h('li', { className: `diff-${change.kind}` },
            h('code', { className: 'diff-path' }, change.path),
            change.kind !== 'added' ? h('span', { className: 'diff-before' }, `− ${JSON.stringify(change.before)}`) : null,
            change.kind !== 'removed' ? h('span', { className: 'diff-after' }, `+ ${JSON.stringify(change.after)}`) : null))),
      );
    } catch (error) {
      replaceChildren(this.diffOutput, h('p', { className: 'error', role: 'alert' }, error.message));
    }
  }
}
