// One event as a card: type, offset (a shareable link), relative time, payload as
// coloured YAML, and the rest (metadata, position, key, time) folded away.

import { h } from './dom.js';
import { relativeTime } from './format.js';
import { streamHash } from './location.js';
import { renderYAML } from './yaml-render.js';

/** The family of a type (`agent`, `llm`, `tool`, `spool`, …), for its colour. */
export function typeFamily(type) {
  const family = type.split('/')[0];
  return ['agent', 'llm', 'tool', 'spool', 'webhook', 'demo'].includes(family) ? family : 'other';
}

export function eventCard(event, { highlighted = false } = {}) {
  const titleId = `event-${event.offset}-type`;
  const details = { metadata: event.metadata, position: event.position, idempotencyKey: event.idempotencyKey, createdAt: event.createdAt };
  for (const key of Object.keys(details)) if (details[key] === undefined) delete details[key];
  const payload = event.payload || {};
  return h(
    'article',
    {
      className: `card family-${typeFamily(event.type)}${highlighted ? ' highlighted' : ''}`,
      'aria-labelledby': titleId,
      'aria-current': highlighted ? 'true' : false,
      tabindex: '-1',
      'data-offset': event.offset,
      'data-type': event.type,
    },
    h(
      'header',
      { className: 'card-header' },
      h('a', { className: 'card-offset', href: streamHash(event.streamPath, { offset: event.offset }), title: 'Link to this event' }, `#${event.offset}`),
      h('span', { className: 'card-type', id: titleId }, event.type),
      h('time', { datetime: event.createdAt, title: event.createdAt }, relativeTime(event.createdAt)),
    ),
    Object.keys(payload).length
      ? h('pre', { className: 'yaml card-payload', 'aria-label': 'payload' }, renderYAML(payload))
      : h('p', { className: 'card-empty' }, 'empty payload'),
    h('details', { className: 'card-meta' }, h('summary', {}, 'metadata'), h('pre', { className: 'yaml' }, renderYAML(details))),
  );
}

/** A row whose event is still loading. */
export function placeholderCard(offset) {
  return h('article', { className: 'card placeholder', 'aria-busy': 'true', tabindex: '-1', 'data-offset': offset },
    h('header', { className: 'card-header' }, h('span', { className: 'card-offset' }, `#${offset}`), h('span', { className: 'card-type' }, 'loading…')));
}
