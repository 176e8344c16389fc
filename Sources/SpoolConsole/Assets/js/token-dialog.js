// Asks for the bearer token when the server wants one (401) and keeps it in session
// storage: it lasts until the tab is closed and is never written to disk by the console.

import { storeToken, storedToken } from './api.js';
import { h } from './dom.js';

export class TokenDialog {
  constructor() {
    this.input = h('input', { id: 'token-input', type: 'password', autocomplete: 'off', spellcheck: 'false' });
    this.reason = h('p', { className: 'hint', id: 'token-reason' });
    this.dialog = h(
      'dialog',
      { id: 'token-dialog', 'aria-labelledby': 'token-title', 'aria-describedby': 'token-reason' },
      h('form', { method: 'dialog', onSubmit: (event) => this.onSubmit(event) },
        h('h2', { id: 'token-title' }, 'Bearer token'),
        this.reason,
        h('label', { for: 'token-input' }, 'Token (SPOOL_AUTH_TOKEN)'),
        this.input,
        h('div', { className: 'dialog-actions' },
          h('button', { type: 'submit', value: 'save', id: 'token-save' }, 'Save'),
          h('button', { type: 'submit', value: 'clear' }, 'Forget token'),
          h('button', { type: 'submit', value: 'cancel', formnovalidate: true }, 'Cancel'))),
    );
    document.body.append(this.dialog);
  }

  open(reason = 'Sent as "Authorization: Bearer …" with every request; kept for this tab only.') {
    if (this.dialog.open) return;
    this.reason.textContent = reason;
    this.input.value = storedToken();
    this.dialog.showModal();
    this.input.focus();
  }

  onSubmit(event) {
    const action = event.submitter?.value;
    if (action === 'save') storeToken(this.input.value.trim());
    else if (action === 'clear') storeToken('');
    else return;
    // Every view reconnects with the new token.
    window.location.reload();
  }
}
