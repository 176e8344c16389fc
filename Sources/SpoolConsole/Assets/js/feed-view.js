// The event feed of one stream: a virtualised list of cards, live, with a type filter,
// jump to offset and "load earlier" paging.

import { eventCard, placeholderCard } from './event-card.js';
import { PAGE_SIZE } from './event-window.js';
import { frameThrottled, h, replaceChildren } from './dom.js';
import { count } from './format.js';
import { VirtualList } from './virtual-list.js';

export class FeedView {
  /**
   * @param window the stream's `EventWindow`
   * @param onOffsetChosen (offset) → called when a jump makes an offset current (to update the URL)
   */
  constructor(window, { onOffsetChosen = () => {} } = {}) {
    this.window = window;
    this.onOffsetChosen = onOffsetChosen;
    this.highlighted = null;
    this.filter = '';
    this.matches = null;
    this.scanGeneration = 0;

    this.typeInput = h('input', { id: 'feed-type-filter', type: 'search', placeholder: 'e.g. llm/', list: 'feed-types', autocomplete: 'off', onInput: () => this.scheduleFilter() });
    this.typeList = h('datalist', { id: 'feed-types' });
    this.jumpInput = h('input', { id: 'feed-jump', type: 'number', min: '1', inputmode: 'numeric', placeholder: 'offset' });
    this.loadEarlierButton = h('button', { type: 'button', id: 'feed-load-earlier', onClick: () => this.loadEarlier() }, 'Load earlier');
    this.summary = h('span', { className: 'feed-summary', role: 'status', 'aria-live': 'polite' });
    this.message = h('p', { className: 'feed-message', role: 'status', hidden: true });
    this.viewport = h('div', {
      className: 'feed-viewport',
      role: 'feed',
      tabindex: '0',
      'aria-label': `Events of ${window.path}`,
      'aria-busy': 'false',
      onKeydown: (event) => this.onKey(event),
    });
    this.element = h(
      'section',
      { className: 'feed', 'aria-label': 'Event feed' },
      h(
        'div',
        { className: 'feed-toolbar' },
        h('label', { for: 'feed-type-filter' }, 'Type'),
        this.typeInput,
        this.typeList,
        h(
          'form',
          { className: 'feed-jump', onSubmit: (event) => { event.preventDefault(); this.jumpTo(Number(this.jumpInput.value), true); } },
          h('label', { for: 'feed-jump' }, 'Jump to'),
          this.jumpInput,
          h('button', { type: 'submit' }, 'Go'),
        ),
        this.loadEarlierButton,
        this.summary,
      ),
      this.message,
      this.viewport,
    );
    this.list = new VirtualList(this.viewport, {
      renderRow: (index) => this.renderRow(index),
      keyOf: (index) => {
        const offset = this.offsetAt(index);
        return `${offset}:${this.window.event(offset) ? 1 : 0}:${offset === this.highlighted ? 1 : 0}`;
      },
    });
    this.refreshSummary = frameThrottled(() => this.updateSummary());
    this.recomputeMatches = frameThrottled(() => this.applyFilter());
    this.unsubscribe = window.subscribe((change) => this.onWindowChange(change));
    this.clock = setInterval(() => this.list.invalidate(), 15000);
  }

  destroy() {
    this.unsubscribe();
    clearInterval(this.clock);
  }

  /** Shows the window as it is after `open()`, at `offset` if given, else at the newest event. */
  start(offset) {
    this.list.setCount(this.rowCount());
    if (offset) this.jumpTo(offset, false);
    else this.list.scrollToBottom();
    this.updateSummary();
  }

  rowCount() {
    return this.matches ? this.matches.length : this.window.rowCount;
  }

  offsetAt(index) {
    return this.matches ? this.matches[index] : this.window.start + index;
  }

  renderRow(index) {
    const offset = this.offsetAt(index);
    const event = this.window.event(offset);
    if (!event) {
      this.window.ensureLoaded(offset, offset + PAGE_SIZE - 1);
      return placeholderCard(offset);
    }
    const card = eventCard(event, { highlighted: offset === this.highlighted });
    card.setAttribute('aria-posinset', String(index + 1));
    card.setAttribute('aria-setsize', String(this.rowCount()));
    return card;
  }

  onWindowChange({ kind }) {
    if (kind === 'start' && !this.matches) return; // loadEarlier() prepends itself
    if (this.matches) {
      this.recomputeMatches();
    } else if (kind === 'head') {
      this.list.setCount(this.window.rowCount);
    } else {
      this.list.schedule();
    }
    if (kind === 'events' || kind === 'head') this.refreshTypes();
    this.refreshSummary();
  }

  loadEarlier() {
    const added = this.window.extendStart(PAGE_SIZE * 5);
    if (!this.matches && added) this.list.prepend(added);
    if (this.matches) this.startScan();
    this.updateSummary();
  }

  /** Scrolls to `offset` and marks it; `fromUser` also records it in the URL. */
  jumpTo(offset, fromUser) {
    if (!Number.isInteger(offset) || offset < 1) {
      this.showMessage('Enter an offset of 1 or more.');
      return;
    }
    if (offset > this.window.head) {
      this.showMessage(`Offset ${offset} is past the head of this stream (${this.window.head}).`);
      return;
    }
    this.showMessage('');
    if (this.matches) this.clearFilter();
    const added = this.window.include(offset);
    if (added) this.list.prepend(added);
    this.highlighted = offset;
    const index = offset - this.window.start;
    this.list.scrollToIndex(Math.max(0, index - 1));
    this.list.elementAt(index)?.focus({ preventScroll: true });
    if (fromUser) this.onOffsetChosen(offset);
    this.updateSummary();
  }

  showMessage(text) {
    this.message.textContent = text;
    this.message.hidden = !text;
  }

  // MARK: Filter by type

  scheduleFilter() {
    clearTimeout(this.filterTimer);
    this.filterTimer = setTimeout(() => this.setFilter(this.typeInput.value.trim()), 200);
  }

  setFilter(text) {
    this.filter = text.toLowerCase();
    if (!this.filter) {
      this.clearFilter();
      return;
    }
    this.matches = [];
    this.applyFilter();
    this.startScan();
  }

  clearFilter() {
    this.filter = '';
    this.typeInput.value = '';
    this.matches = null;
    this.scanGeneration += 1;
    this.list.index.resize(0);
    this.list.setCount(this.window.rowCount);
    this.list.invalidate();
    this.list.scrollToBottom();
    this.updateSummary();
  }

  /** The filter applies to the whole window: load every event in it, in the background. */
  startScan() {
    const generation = ++this.scanGeneration;
    this.scanning = true;
    this.updateSummary();
    this.window
      .loadAll(this.window.start, () => this.recomputeMatches(), () => generation !== this.scanGeneration)
      .catch((error) => this.showMessage(`Could not load events: ${error.message}`))
      .finally(() => {
        if (generation === this.scanGeneration) this.scanning = false;
        this.recomputeMatches();
      });
  }

  applyFilter() {
    if (!this.matches) return;
    const stick = this.list.isAtBottom();
    const matches = [];
    for (let offset = this.window.start; offset <= this.window.head; offset += 1) {
      const event = this.window.event(offset);
      if (event && event.type.toLowerCase().includes(this.filter)) matches.push(offset);
    }
    const changed = matches.length !== this.matches.length || matches.some((offset, index) => this.matches[index] !== offset);
    this.matches = matches;
    if (changed) {
      this.list.index.resize(0);
      this.list.setCount(matches.length);
      this.list.invalidate();
      if (stick) this.list.scrollToBottom();
    }
    this.updateSummary();
  }

  refreshTypes() {
    if (this.window.types.size === this.knownTypes) return;
    this.knownTypes = this.window.types.size;
    replaceChildren(this.typeList, [...this.window.types].sort().map((type) => h('option', { value: type })));
  }

  updateSummary() {
    const { start, head } = this.window;
    this.loadEarlierButton.disabled = start <= 1;
    this.viewport.setAttribute('aria-busy', this.scanning ? 'true' : 'false');
    if (!head) {
      this.summary.textContent = 'No events yet · waiting for the first';
      return;
    }
    const range = `offsets ${count(start)}–${count(head)} of ${count(head)}`;
    this.summary.textContent = this.matches
      ? `${count(this.matches.length)} matching "${this.filter}" in ${range}${this.scanning ? ' · scanning…' : ''}`
      : range;
  }

  // MARK: Keyboard

  onKey(event) {
    const keys = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1, PageDown: 10, PageUp: -10 };
    const rows = this.rowCount();
    if (!rows) return;
    let index;
    const focused = document.activeElement?.closest?.('.virtual-row');
    const current = focused && this.viewport.contains(focused) ? Number(focused.dataset.index) : null;
    if (event.key in keys) index = current === null ? rows - 1 : current + keys[event.key];
    else if (event.key === 'Home') index = 0;
    else if (event.key === 'End') index = rows - 1;
    else return;
    event.preventDefault();
    index = Math.max(0, Math.min(rows - 1, index));
    let element = this.list.elementAt(index);
    if (!element) {
      this.list.scrollToIndex(index);
      element = this.list.elementAt(index);
    }
    element?.focus();
  }
}
