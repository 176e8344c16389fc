// One stream: its header and tabs (Events, Agent, State), the live feed with the
// composer under it, and the agent chat or the state beside the feed.

import { AgentView } from './agent-view.js';
import { Composer } from './composer.js';
import { h } from './dom.js';
import { EventWindow } from './event-window.js';
import { FeedView } from './feed-view.js';
import { count } from './format.js';
import { replaceHash, streamHash } from './location.js';
import { StateView } from './state-view.js';

const TABS = [
  { id: 'events', title: 'Events' },
  { id: 'agent', title: 'Agent' },
  { id: 'state', title: 'State' },
];

export class StreamView {
  constructor(path) {
    this.path = path;
    this.tab = 'events';
    this.window = new EventWindow(path);
    this.feed = new FeedView(this.window, {
      onOffsetChosen: (offset) => replaceHash(streamHash(path, { offset, tab: this.tab })),
    });
    this.composer = new Composer(path);
    this.headLabel = h('span', { className: 'stream-head', role: 'status', 'aria-live': 'off' });
    this.liveLabel = h('span', { className: 'live-indicator', role: 'status', 'aria-live': 'polite' });
    this.tabButtons = TABS.map(({ id, title }) => h('button', {
      type: 'button', role: 'tab', id: `tab-${id}`, 'aria-controls': 'stream-side', 'aria-selected': 'false',
      onClick: () => this.showTab(id, true),
      onKeydown: (event) => this.onTabKey(event),
    }, title));
    this.side = h('div', { id: 'stream-side', className: 'stream-side', role: 'tabpanel' });
    this.element = h(
      'section',
      { className: 'stream-view', 'aria-labelledby': 'stream-title' },
      h('header', { className: 'stream-header' },
        h('h2', { id: 'stream-title' }, path),
        this.headLabel,
        this.liveLabel,
        h('div', { role: 'tablist', 'aria-label': 'Stream views', className: 'tabs' }, this.tabButtons)),
      h('div', { className: 'stream-body' },
        this.side,
        h('div', { className: 'feed-column' }, this.feed.element, this.composer.element)),
    );
    this.unsubscribe = this.window.subscribe(() => this.updateHeader());
  }

  /** Loads the stream, at `offset` if given, on `tab` (else the agent view for agents). */
  async open({ offset, tab }) {
    try {
      await this.window.open(offset);
    } catch (error) {
      this.feed.showMessage(`Could not read ${this.path}: ${error.message}`);
    }
    this.feed.start(offset);
    this.updateHeader();
    this.showTab(tab || (this.path.startsWith('/agents/') ? 'agent' : 'events'), false);
  }

  close() {
    this.unsubscribe();
    this.feed.destroy();
    this.panel?.destroy();
    this.window.close();
  }

  updateHeader() {
    this.headLabel.textContent = `head ${count(this.window.head)}`;
    this.liveLabel.textContent = { live: '● live', reconnecting: '○ reconnecting…', unauthorized: '○ token needed', connecting: '○ connecting…' }[this.window.status] || '';
    this.liveLabel.className = `live-indicator status-${this.window.status}`;
  }

  showTab(id, fromUser) {
    if (!TABS.some((tab) => tab.id === id)) id = 'events';
    this.tab = id;
    for (const button of this.tabButtons) {
      const selected = button.id === `tab-${id}`;
      button.setAttribute('aria-selected', String(selected));
      button.tabIndex = selected ? 0 : -1;
    }
    this.side.setAttribute('aria-labelledby', `tab-${id}`);
    this.panel?.destroy();
    this.panel = null;
    this.side.replaceChildren();
    this.element.classList.toggle('with-side', id !== 'events');
    if (id === 'agent') this.panel = new AgentView(this.window);
    if (id === 'state') this.panel = new StateView(this.window);
    if (this.panel) {
      this.side.append(this.panel.element);
      this.panel.load();
    }
    this.feed.list.schedule();
    if (fromUser) replaceHash(streamHash(this.path, { tab: id }));
  }

  onTabKey(event) {
    const index = TABS.findIndex((tab) => tab.id === this.tab);
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (!step) return;
    event.preventDefault();
    const next = TABS[(index + step + TABS.length) % TABS.length];
    this.showTab(next.id, true);
    this.tabButtons[TABS.indexOf(next)].focus();
  }
}
