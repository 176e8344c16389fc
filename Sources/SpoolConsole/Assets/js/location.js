// What the console shows, kept in the URL fragment so a link can be shared:
// #/streams/agents/ada?offset=42&tab=agent, #/processors.

/** The current place: `{ page: 'home' | 'stream' | 'processors', stream?, offset?, tab? }`. */
export function readLocation(hash = window.location.hash) {
  const [route, query = ''] = hash.replace(/^#/, '').split('?');
  const parameters = new URLSearchParams(query);
  if (route === '/processors') return { page: 'processors' };
  if (route.startsWith('/streams/') && route.length > '/streams/'.length) {
    const offset = Number(parameters.get('offset'));
    return {
      page: 'stream',
      stream: decodeURIComponent(route.slice('/streams'.length)),
      offset: Number.isInteger(offset) && offset > 0 ? offset : null,
      tab: parameters.get('tab'),
    };
  }
  return { page: 'home' };
}

/** The fragment of a stream, optionally at an offset and on a tab. */
export function streamHash(path, { offset, tab } = {}) {
  const parameters = new URLSearchParams();
  if (offset) parameters.set('offset', String(offset));
  if (tab && tab !== 'events') parameters.set('tab', tab);
  const query = parameters.toString();
  return `#/streams${path}${query ? `?${query}` : ''}`;
}

/** Changes the URL without adding a history entry or re-routing. */
export function replaceHash(hash) {
  if (window.location.hash !== hash) history.replaceState(null, '', hash);
}
