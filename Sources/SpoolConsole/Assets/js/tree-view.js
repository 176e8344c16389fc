// The stream tree in the sidebar: every stream by path, with its head offset and last
// activity, refreshed every two seconds; a prefix filter; keyboard navigation (arrows,
// Home/End, Enter) following the ARIA tree pattern.

import { listStreams } from './api.js';
import { h, replaceChildren } from './dom.js';
import { count, relativeTime } from './format.js';
import { streamHash } from './location.js';
import { buildTree, visibleNodes } from './stream-tree.js';

const REFRESH_MILLISECONDS = 2000;

export class TreeView {
  constructor(container, filterInput, statusElement) {
    this.container = container;
    this.filterInput = filterInput;
    this.statusElement = statusElement;
    this.streams = [];
    this.collapsed = new Set();
    this.selected = null;
    this.focusedPath = null;
    filterInput.addEventListener('input', () => this.draw());
    container.addEventListener('keydown', (event) => this.onKey(event));
  }

  start() {
    const tick = async () => {
      if (!document.hidden) await this.refresh();
      this.timer = setTimeout(tick, REFRESH_MILLISECONDS);
    };
    tick();
  }

  async refresh() {
    try {
      this.streams = await listStreams();
      this.statusElement.textContent = '';
    } catch (error) {
      this.statusElement.textContent = `Cannot list streams: ${error.message}`;
    }
    this.draw();
  }

  select(path) {
    this.selected = path;
    this.focusedPath = path;
    this.draw();
  }

  draw() {
    const prefix = this.filterInput.value.trim();
    const nodes = visibleNodes(buildTree(this.streams, prefix), this.collapsed);
    const hadFocus = this.container.contains(document.activeElement);
    if (!nodes.some(({ node }) => node.path === this.focusedPath)) this.focusedPath = nodes[0]?.node.path ?? null;
    this.nodes = nodes;
    replaceChildren(
      this.container,
      nodes.length
        ? nodes.map(({ node, depth }) => this.drawNode(node, depth))
        : h('p', { className: 'hint' }, this.streams.length ? `No stream under "${prefix}".` : 'No streams yet.'),
    );
    if (hadFocus) this.focusItem(this.focusedPath);
  }

  drawNode(node, depth) {
    const isFolder = node.children.size > 0;
    const info = node.info;
    const label = h('span', { className: 'tree-name' }, node.name);
    const details = info
      ? [
        h('span', { className: 'tree-head', title: 'head offset' }, count(info.headOffset)),
        h('time', { className: 'tree-time', datetime: info.updatedAt, title: `last event ${info.updatedAt}` }, relativeTime(info.updatedAt)),
        info.paused ? h('span', { className: 'badge paused' }, 'paused') : null,
      ]
      : [];
    return h(
      'div',
      {
        className: `tree-item${node.path === this.selected ? ' selected' : ''}${info ? '' : ' folder-only'}`,
        role: 'treeitem',
        'aria-level': depth,
        'aria-expanded': isFolder ? String(!this.collapsed.has(node.path)) : false,
        'aria-selected': node.path === this.selected ? 'true' : 'false',
        'aria-label': info ? `${node.path}, ${info.headOffset} events${info.paused ? ', paused' : ''}` : node.path,
        tabindex: node.path === this.focusedPath ? '0' : '-1',
        'data-path': node.path,
        'data-stream': info ? 'true' : false,
        onClick: (event) => {
          if (event.target.closest('.tree-toggle')) return;
          this.activate(node);
        },
      },
      indent(depth),
      isFolder
        ? h('span', { className: 'tree-toggle', 'aria-hidden': 'true', onClick: () => this.toggle(node.path) }, this.collapsed.has(node.path) ? '▸' : '▾')
        : h('span', { className: 'tree-toggle', 'aria-hidden': 'true' }, ''),
      label,
      ...details,
    );
  }

  activate(node) {
    this.focusedPath = node.path;
    if (node.info) window.location.hash = streamHash(node.path);
    else this.toggle(node.path);
  }

  toggle(path) {
    if (this.collapsed.has(path)) this.collapsed.delete(path);
    else this.collapsed.add(path);
    this.focusedPath = path;
    this.draw();
    this.focusItem(path);
  }

  focusItem(path) {
    const item = [...this.container.querySelectorAll('[role=treeitem]')].find((element) => element.dataset.path === path);
    item?.focus();
  }

  onKey(event) {
    const index = this.nodes.findIndex(({ node }) => node.path === this.focusedPath);
    if (index < 0) return;
    const { node, depth } = this.nodes[index];
    let target = null;
    switch (event.key) {
      case 'ArrowDown': target = this.nodes[index + 1]; break;
      case 'ArrowUp': target = this.nodes[index - 1]; break;
      case 'Home': target = this.nodes[0]; break;
      case 'End': target = this.nodes[this.nodes.length - 1]; break;
      case 'ArrowRight':
        if (node.children.size && this.collapsed.has(node.path)) { this.toggle(node.path); event.preventDefault(); return; }
        target = node.children.size ? this.nodes[index + 1] : null;
        break;
      case 'ArrowLeft':
        if (node.children.size && !this.collapsed.has(node.path)) { this.toggle(node.path); event.preventDefault(); return; }
        target = this.nodes.slice(0, index).reverse().find((candidate) => candidate.depth === depth - 1);
        break;
      case 'Enter':
      case ' ':
        event.preventDefault();
        this.activate(node);
        return;
      default:
        return;
    }
    event.preventDefault();
    if (!target) return;
    this.focusedPath = target.node.path;
    for (const item of this.container.querySelectorAll('[role=treeitem]')) {
      item.tabIndex = item.dataset.path === this.focusedPath ? 0 : -1;
    }
    this.focusItem(this.focusedPath);
  }
}

function indent(depth) {
  const element = h('span', { className: 'tree-indent' });
  element.style.width = `${(depth - 1) * 0.9}rem`;
  return element;
}
