// The console's entry point: wires the sidebar tree, the token dialog and the page
// the URL names (#/streams/…, #/processors).

import { storedToken } from './api.js';
import { h } from './dom.js';
import { readLocation } from './location.js';
import { ProcessorsView } from './processors-view.js';
import { StreamView } from './stream-view.js';
import { TokenDialog } from './token-dialog.js';
import { TreeView } from './tree-view.js';

const main = document.getElementById('main');
const tokenDialog = new TokenDialog();
const tree = new TreeView(document.getElementById('tree'), document.getElementById('tree-filter'), document.getElementById('tree-status'));
let page = null;

window.addEventListener('spool:unauthorized', () =>
  tokenDialog.open(storedToken() ? 'The server refused this token. Enter the right one.' : 'This server needs a bearer token.'));
document.getElementById('token-button').addEventListener('click', () => tokenDialog.open());

function route() {
  const place = readLocation();
  for (const link of document.querySelectorAll('.topbar nav a')) {
    const current = (place.page === 'processors') === (link.id === 'nav-processors');
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (place.page === 'stream' && page instanceof StreamView && page.path === place.stream) {
    // Same stream: only the offset or the tab changed (a link to an event, say).
    if (place.offset) page.feed.jumpTo(place.offset, false);
    if (place.tab && place.tab !== page.tab) page.showTab(place.tab, false);
    return;
  }
  page?.close?.();
  page?.destroy?.();
  page = null;
  tree.select(place.page === 'stream' ? place.stream : null);
  if (place.page === 'stream') {
    page = new StreamView(place.stream);
    main.replaceChildren(page.element);
    page.open(place);
    document.title = `${place.stream} · Spool`;
  } else if (place.page === 'processors') {
    page = new ProcessorsView();
    main.replaceChildren(page.element);
    page.start();
    document.title = 'Processors · Spool';
  } else {
    main.replaceChildren(
      h('section', { className: 'welcome' },
        h('h2', {}, 'Spool console'),
        h('p', {}, 'Pick a stream on the left to read its events live, append to it, travel through its state, or chat with it if it is an agent.'),
        h('p', {}, 'The processors page shows checkpoints, lag, failures and paused streams.')),
    );
    document.title = 'Spool console';
  }
}

window.addEventListener('hashchange', route);
// Back from the back/forward cache: its live reads were closed on the way out.
window.addEventListener('pageshow', (event) => {
  if (event.persisted) window.location.reload();
});
tree.start();
route();
