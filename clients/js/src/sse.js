/**
 * Incremental Server-Sent Events decoder (the subset Spool uses): feed it bytes
 * as they arrive, get complete messages back. Lines end with \n, \r\n or \r;
 * `data:` may span several lines; lines starting with `:` are comments.
 */
export class SSEDecoder {
  #text = new TextDecoder('utf-8');
  #buffer = '';
  #id = undefined;
  #event = undefined;
  #data = [];
  /** The last `id:` seen. */
  lastEventId = undefined;

  /**
   * @param {Uint8Array|string} chunk
   * @returns {{id?: string, event?: string, data: string}[]}
   */
  feed(chunk) {
    this.#buffer += typeof chunk === 'string' ? chunk : this.#text.decode(chunk, { stream: true });
    const messages = [];
    const buffer = this.#buffer;
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const c = buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (c === 13 && i + 1 === buffer.length) break; // wait to see whether \n follows
      const line = buffer.slice(start, i);
      if (c === 13 && buffer.charCodeAt(i + 1) === 10) i++;
      const message = this.#process(line);
      if (message) messages.push(message);
      start = i + 1;
    }
    this.#buffer = buffer.slice(start);
    return messages;
  }

  #process(line) {
    if (line === '') {
      const data = this.#data;
      const event = this.#event;
      this.#data = [];
      this.#event = undefined;
      if (data.length === 0) return undefined;
      return { id: this.#id, event, data: data.join('\n') };
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'id' && !value.includes('\0')) {
      this.#id = value;
      this.lastEventId = value;
    } else if (field === 'event') this.#event = value;
    return undefined;
  }
}
