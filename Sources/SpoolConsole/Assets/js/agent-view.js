// The agent view: the chat an agent's stream tells (the answer streaming in as
// llm/output-delta events arrive, tool calls folded, approval buttons for pending tools)
// and a box to talk to it. The raw feed stays beside it.

import { append } from './api.js';
import { frameThrottled, h, replaceChildren } from './dom.js';
import { foldAgent } from './agent-model.js';
import { toYAML } from './yaml-render.js';

/** How much history the chat folds: enough for long conversations, bounded for huge streams. */
const CHAT_HISTORY = 5000;

export class AgentView {
  constructor(window) {
    this.window = window;
    this.openCalls = new Set();
    this.transcript = h('ol', { className: 'chat-transcript', id: 'chat-transcript', 'aria-label': 'Conversation', 'aria-live': 'polite', tabindex: '0' });
    this.input = h('textarea', {
      id: 'chat-input',
      rows: '2',
      placeholder: 'Message the agent (Enter sends, Shift+Enter for a new line)',
      onKeydown: (event) => {
        if (event.key === 'Enter' && !event.shiftKey) {
          event.preventDefault();
          this.send();
        }
      },
    });
    this.error = h('p', { className: 'composer-error', role: 'alert', hidden: true });
    this.element = h(
      'section',
      { className: 'agent-view', 'aria-label': 'Agent chat' },
      h('h3', {}, 'Chat'),
      this.transcript,
      h('form', { className: 'chat-form', onSubmit: (event) => { event.preventDefault(); this.send(); } },
        h('label', { for: 'chat-input', className: 'visually-hidden' }, 'Message'),
        this.input,
        h('button', { type: 'submit', id: 'chat-send' }, 'Send')),
      this.error,
    );
    this.render = frameThrottled(() => this.draw());
    this.unsubscribe = window.subscribe(({ kind }) => {
      if (kind === 'events' || kind === 'head') this.render();
    });
  }

  destroy() {
    this.unsubscribe();
  }

  async load() {
    const from = Math.max(1, this.window.head - CHAT_HISTORY + 1);
    this.from = from;
    await this.window.loadAll(from, () => this.render());
    this.render();
  }

  events() {
    const events = [];
    for (let offset = this.from ?? 1; offset <= this.window.head; offset += 1) {
      const event = this.window.event(offset);
      if (event) events.push(event);
    }
    return events;
  }

  draw() {
    const atBottom = this.transcript.scrollTop + this.transcript.clientHeight >= this.transcript.scrollHeight - 8;
    const { items } = foldAgent(this.events());
    replaceChildren(this.transcript, items.length ? items.map((item) => this.drawItem(item)) : h('li', { className: 'chat-empty' }, 'No messages yet. Say something below.'));
    if (atBottom) this.transcript.scrollTop = this.transcript.scrollHeight;
  }

  drawItem(item) {
    if (item.kind === 'message') {
      return h('li', { className: `chat-message role-${item.role}`, 'data-offset': item.offset },
        h('span', { className: 'chat-author' }, item.from ? `${item.role} (from ${item.from})` : item.role),
        h('p', { className: 'chat-text' }, item.content));
    }
    if (item.kind === 'answer') {
      return h('li', { className: `chat-message role-assistant${item.streaming ? ' streaming' : ''}`, 'data-offset': item.offset, 'aria-busy': item.streaming ? 'true' : 'false' },
        h('span', { className: 'chat-author' }, item.streaming ? 'assistant (writing…)' : 'assistant'),
        h('p', { className: 'chat-text chat-answer' }, item.text),
        item.error ? h('p', { className: 'error' }, `Request failed: ${item.error}`) : null,
        item.cancelled ? h('p', { className: 'hint' }, `Cancelled: ${item.cancelled}`) : null);
    }
    return this.drawTool(item);
  }

  drawTool(item) {
    const statusText = {
      requested: 'running…',
      'awaiting-approval': 'waiting for approval',
      approved: 'approved, running…',
      denied: `denied${item.reason ? `: ${item.reason}` : ''}`,
      completed: item.isError ? 'failed' : 'done',
    }[item.status];
    const actions = item.status === 'awaiting-approval'
      ? h('div', { className: 'tool-actions' },
        h('button', { type: 'button', className: 'approve', onClick: () => this.decide(item, true) }, `Approve ${item.name}`),
        h('button', { type: 'button', className: 'deny', onClick: () => this.decide(item, false) }, `Deny ${item.name}`))
      : null;
    return h('li', { className: `chat-tool tool-${item.status}${item.isError ? ' tool-error' : ''}`, 'data-call-id': item.callId, 'data-offset': item.offset },
      h('details', {
        open: item.status === 'awaiting-approval' || this.openCalls.has(item.callId),
        // The chat is redrawn as events arrive: remember what the reader unfolded.
        onToggle: (event) => (event.target.open ? this.openCalls.add(item.callId) : this.openCalls.delete(item.callId)),
      },
        h('summary', {}, h('span', { className: 'tool-name' }, `→ ${item.name}`), h('span', { className: 'tool-status' }, statusText)),
        h('pre', { className: 'yaml', 'aria-label': 'arguments' }, toYAML(item.arguments ?? {})),
        item.output !== undefined ? h('pre', { className: `tool-output${item.isError ? ' error' : ''}`, 'aria-label': 'result' }, typeof item.output === 'string' ? item.output : toYAML(item.output)) : null),
      actions);
  }

  async decide(item, approve) {
    try {
      await append(this.window.path, approve
        ? { type: 'tool/approval-granted', payload: { callId: item.callId } }
        : { type: 'tool/approval-denied', payload: { callId: item.callId, reason: 'denied in the console' } });
      this.showError('');
    } catch (error) {
      this.showError(`${error.message} (${error.code})`);
    }
  }

  async send() {
    const content = this.input.value.trim();
    if (!content) return;
    try {
      await append(this.window.path, { type: 'agent/input-added', payload: { content }, metadata: { source: 'console' } });
      this.input.value = '';
      this.showError('');
    } catch (error) {
      this.showError(`${error.message} (${error.code})`);
    }
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = !text;
  }
}
