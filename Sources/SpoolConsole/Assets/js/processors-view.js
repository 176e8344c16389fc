// The processors page: each processor's checkpoint, lag and failures, and the streams
// the circuit breaker paused, each with a button that resumes it.

import { append, listProcessors, listStreams } from './api.js';
import { h, replaceChildren } from './dom.js';
import { count, relativeTime } from './format.js';
import { streamHash } from './location.js';

const REFRESH_MILLISECONDS = 2000;

export class ProcessorsView {
  constructor() {
    this.table = h('tbody');
    this.paused = h('div', { id: 'paused-streams' });
    this.status = h('p', { className: 'hint', role: 'status', 'aria-live': 'polite' });
    this.element = h(
      'section',
      { className: 'processors-page', 'aria-labelledby': 'processors-title' },
      h('h2', { id: 'processors-title' }, 'Processors'),
      h('p', { className: 'hint' }, 'Checkpoint: the feed position each processor has handled. Lag: events committed since. Failures: afterAppend calls that failed for good since the server started (each also recorded as spool/processor-failed in its stream).'),
      h('table', { className: 'processors-table', id: 'processors-table' },
        h('caption', { className: 'visually-hidden' }, 'Processors'),
        h('thead', {}, h('tr', {}, ['Processor', 'Streams', 'Checkpoint', 'Head position', 'Lag', 'Failures'].map((title) => h('th', { scope: 'col' }, title)))),
        this.table),
      h('h2', {}, 'Paused streams'),
      this.paused,
      this.status,
    );
  }

  start() {
    const tick = async () => {
      if (!document.hidden) await this.refresh();
      this.timer = setTimeout(tick, REFRESH_MILLISECONDS);
    };
    tick();
  }

  destroy() {
    clearTimeout(this.timer);
  }

  async refresh() {
    try {
      const [processors, streams] = await Promise.all([listProcessors(), listStreams()]);
      replaceChildren(this.table, processors.map((processor) => h('tr', { 'data-processor': processor.name },
        h('th', { scope: 'row' }, processor.name),
        h('td', {}, h('code', {}, processor.streams)),
        h('td', { className: 'number' }, count(processor.checkpoint)),
        h('td', { className: 'number' }, count(processor.headPosition)),
        h('td', { className: `number${processor.lag > 0 ? ' warn' : ''}` }, count(processor.lag)),
        h('td', { className: `number${processor.failures > 0 ? ' error' : ''}` }, count(processor.failures)))));
      const paused = streams.filter((stream) => stream.paused);
      replaceChildren(this.paused, paused.length
        ? h('ul', { className: 'paused-list' }, paused.map((stream) => h('li', { 'data-path': stream.path },
          h('a', { href: streamHash(stream.path) }, stream.path),
          h('span', { className: 'hint' }, ` ${count(stream.headOffset)} events, last ${relativeTime(stream.updatedAt)} `),
          h('button', { type: 'button', className: 'resume', onClick: (event) => this.resume(stream.path, event.target) }, `Resume ${stream.path}`))))
        : h('p', { className: 'hint' }, 'No stream is paused.'));
      this.status.textContent = '';
    } catch (error) {
      this.status.textContent = `Could not load: ${error.message}`;
    }
  }

  async resume(path, button) {
    button.disabled = true;
    try {
      await append(path, { type: 'spool/stream-resumed', payload: {}, metadata: { source: 'console' } });
      this.status.textContent = `Resumed ${path}.`;
      await this.refresh();
    } catch (error) {
      this.status.textContent = `Could not resume ${path}: ${error.message} (${error.code})`;
      button.disabled = false;
    }
  }
}
