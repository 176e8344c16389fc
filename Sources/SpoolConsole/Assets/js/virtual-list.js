// A scrolling list that puts only the rows in view (and a few around) in the DOM.
// Rows may have any height: each is measured once rendered, and the scroll position
// is kept steady when rows above the view change height.

import { HeightIndex } from './height-index.js';

const OVERSCAN_PIXELS = 600;

export class VirtualList {
  /**
   * @param viewport a scrollable element (overflow: auto) that the list fills
   * @param renderRow (index) → Element for the row
   * @param keyOf (index) → a key that changes when the row must be drawn anew
   */
  constructor(viewport, { renderRow, keyOf, estimate = 90 }) {
    this.viewport = viewport;
    this.renderRow = renderRow;
    this.keyOf = keyOf;
    this.index = new HeightIndex(estimate);
    this.rows = new Map();
    this.spacer = document.createElement('div');
    this.spacer.className = 'virtual-spacer';
    this.viewport.append(this.spacer);
    this.scheduled = false;
    this.viewport.addEventListener('scroll', () => this.schedule());
    // <details> open/close changes a row's height.
    this.viewport.addEventListener('toggle', () => this.schedule(), true);
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  get count() {
    return this.index.count;
  }

  /** The list now has `count` rows (rows are added or removed at the end). */
  setCount(count) {
    const stick = this.isAtBottom();
    this.index.resize(count);
    if (stick) this.pendingBottom = true;
    this.schedule();
  }

  /** `rows` rows were inserted at the start: the rows in view stay where they are. */
  prepend(rows) {
    const scrollTop = this.viewport.scrollTop;
    this.index.prepend(rows);
    this.viewport.scrollTop = scrollTop + rows * this.index.estimate;
    this.render();
  }

  /** Draws every row again (their data changed). */
  invalidate() {
    for (const element of this.rows.values()) element.remove();
    this.rows.clear();
    this.schedule();
  }

  isAtBottom() {
    const { scrollTop, clientHeight, scrollHeight } = this.viewport;
    return scrollTop + clientHeight >= scrollHeight - 8;
  }

  scrollToBottom() {
    this.pendingBottom = true;
    this.render();
  }

  /** Scrolls so row `index` is at the top of the view (measuring rows on the way). */
  scrollToIndex(index) {
    this.pendingBottom = false;
    for (let pass = 0; pass < 3; pass += 1) {
      this.viewport.scrollTop = this.index.top(index);
      this.render();
    }
  }

  /** The element of row `index` if it is drawn. */
  elementAt(index) {
    for (const element of this.rows.values()) if (Number(element.dataset.index) === index) return element;
    return null;
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  render() {
    const stickToBottom = this.pendingBottom;
    this.pendingBottom = false;
    // Measuring can change heights, which can bring other rows into view: a few passes settle it.
    for (let pass = 0; pass < 4; pass += 1) {
      if (stickToBottom) this.viewport.scrollTop = this.index.total();
      if (!this.renderPass(!stickToBottom)) break;
    }
  }

  /** Draws the rows in view; answers whether measuring changed any height. */
  renderPass(keepAnchor) {
    const count = this.index.count;
    const top = this.viewport.scrollTop;
    const bottom = top + this.viewport.clientHeight + OVERSCAN_PIXELS;
    const first = count ? this.index.indexAt(Math.max(0, top - OVERSCAN_PIXELS)) : 0;
    const wanted = new Map();
    for (let index = first, y = this.index.top(first); index < count && y < bottom; index += 1) {
      const key = this.keyOf(index);
      let element = this.rows.get(key);
      if (!element || Number(element.dataset.index) !== index) {
        element?.remove();
        element = this.renderRow(index);
        element.dataset.index = String(index);
        element.classList.add('virtual-row');
        this.viewport.append(element);
      }
      wanted.set(key, element);
      y += this.index.height(index);
    }
    for (const [key, element] of this.rows) if (wanted.get(key) !== element) element.remove();
    this.rows = wanted;

    // Measure, and keep what is in view still when rows above it change height.
    let shift = 0;
    let changed = false;
    for (const element of wanted.values()) {
      const index = Number(element.dataset.index);
      const height = element.offsetHeight;
      if (height && height !== this.index.height(index)) {
        if (this.index.top(index) < top) shift += height - this.index.height(index);
        this.index.set(index, height);
        changed = true;
      }
    }
    for (const element of wanted.values()) {
      element.style.transform = `translateY(${this.index.top(Number(element.dataset.index))}px)`;
    }
    this.spacer.style.height = `${this.index.total()}px`;
    if (keepAnchor && shift) this.viewport.scrollTop = top + shift;
    return changed;
  }
}
