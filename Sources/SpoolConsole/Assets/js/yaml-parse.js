// A YAML subset for the composer, enough to type events by hand: block mappings and
// sequences, flow collections ({a: 1}, [1, 2]), quoted and plain scalars, | and >
// block scalars, comments. Anything outside it is an error naming the line.

/** A YAML error with the 1-based line it was found on. */
export class YAMLError extends Error {
  constructor(message, line) {
    super(line ? `line ${line}: ${message}` : message);
    this.line = line;
  }
}

/** Parses one YAML document into a JSON value. */
export function parseYAML(text) {
  const lines = text.split(/\r?\n/).map((raw, index) => ({ raw, number: index + 1 }));
  const parser = new BlockParser(lines);
  const value = parser.parseDocument();
  return value;
}

class BlockParser {
  constructor(lines) {
    this.lines = lines;
    this.index = 0;
  }

  parseDocument() {
    this.skipBlank();
    if (this.index < this.lines.length && /^---\s*(#.*)?$/.test(this.lines[this.index].raw)) {
      this.index += 1;
      this.skipBlank();
    }
    if (this.index >= this.lines.length) throw new YAMLError('the document is empty');
    const first = this.current();
    if (first.indent !== 0) throw new YAMLError('the document must start at the first column', first.number);
    const value = this.parseBlock(0);
    this.skipBlank();
    if (this.index < this.lines.length) {
      const line = this.current();
      if (/^(---|\.\.\.)\s*$/.test(line.text)) throw new YAMLError('only one document can be appended at a time', line.number);
      throw new YAMLError(`unexpected indentation or content: "${line.text}"`, line.number);
    }
    return value;
  }

  /** The current line: its indentation and its text without the comment. */
  current() {
    const { raw, number } = this.lines[this.index];
    const tab = raw.match(/^ *\t/);
    if (tab) throw new YAMLError('tabs cannot indent YAML; use spaces', number);
    const indent = raw.length - raw.trimStart().length;
    return { indent, text: stripComment(raw.slice(indent)).trimEnd(), number };
  }

  skipBlank() {
    while (this.index < this.lines.length) {
      const text = stripComment(this.lines[this.index].raw).trim();
      if (text !== '') return;
      this.index += 1;
    }
  }

  /** The next non-blank line if it continues a block at `indent`; null when the block ended. */
  nextLineAt(indent, siblings) {
    this.skipBlank();
    if (this.index >= this.lines.length) return null;
    const line = this.current();
    if (line.indent < indent) return null;
    if (line.indent > indent) throw new YAMLError(`this line is indented more than ${siblings} above it`, line.number);
    return line;
  }

  /** A block node whose lines are indented by exactly `indent`. */
  parseBlock(indent) {
    const line = this.current();
    if (isSequenceItem(line.text)) return this.parseSequence(indent);
    if (findMappingColon(line.text, line.number) >= 0) return this.parseMapping(indent);
    this.index += 1;
    return this.parseInlineValue(line.text, line.number, indent);
  }

  parseSequence(indent) {
    const items = [];
    for (;;) {
      const line = this.nextLineAt(indent, 'the list items');
      if (!line || !isSequenceItem(line.text)) break;
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        this.index += 1;
        items.push(this.parseNested(indent, line.number));
      } else {
        // "- key: value" starts a mapping indented at the key; "- - x" a nested list.
        const childIndent = indent + line.text.length - rest.length;
        this.lines[this.index] = { raw: ' '.repeat(childIndent) + rest, number: line.number };
        items.push(this.parseBlock(childIndent));
      }
    }
    return items;
  }

  parseMapping(indent) {
    const object = {};
    for (;;) {
      const line = this.nextLineAt(indent, 'the keys');
      if (!line || isSequenceItem(line.text)) break;
      const colon = findMappingColon(line.text, line.number);
      if (colon < 0) throw new YAMLError(`expected "key: value", found "${line.text}"`, line.number);
      const key = parseKey(line.text.slice(0, colon).trim(), line.number);
      if (Object.prototype.hasOwnProperty.call(object, key)) throw new YAMLError(`the key "${key}" appears twice`, line.number);
      const rest = line.text.slice(colon + 1).trim();
      this.index += 1;
      if (rest === '') {
        object[key] = this.parseNested(indent, line.number, true);
      } else {
        object[key] = this.parseInlineValue(rest, line.number, indent);
      }
    }
    return object;
  }

  /** The block under a "key:" or "-" with nothing after it; null when there is none. */
  parseNested(parentIndent, number, allowSameIndentSequence = false) {
    this.skipBlank();
    if (this.index >= this.lines.length) return null;
    const next = this.current();
    if (next.indent > parentIndent) return this.parseBlock(next.indent);
    if (allowSameIndentSequence && next.indent === parentIndent && isSequenceItem(next.text)) {
      return this.parseSequence(parentIndent);
    }
    return null;
  }

  /** The value after "key: " or "- ": a flow collection, a quoted or plain scalar, or a block scalar. */
  parseInlineValue(text, number, indent) {
    if (text.startsWith('|') || text.startsWith('>')) return this.parseBlockScalar(text, number, indent);
    if (text.startsWith('{') || text.startsWith('[')) {
      // A flow collection may continue over the next lines until its brackets close.
      let source = text;
      while (!bracketsClosed(source) && this.index < this.lines.length) {
        source += ' ' + stripComment(this.lines[this.index].raw).trim();
        this.index += 1;
      }
      return parseFlow(source, number);
    }
    return parseScalar(text, number);
  }

  parseBlockScalar(header, number, indent) {
    const match = header.match(/^([|>])([+-]?)$/);
    if (!match) throw new YAMLError(`unsupported block scalar header "${header}" (use |, |-, > or >-)`, number);
    const [, style, chomping] = match;
    const collected = [];
    let blockIndent = null;
    while (this.index < this.lines.length) {
      const raw = this.lines[this.index].raw;
      if (raw.trim() === '') {
        collected.push('');
        this.index += 1;
        continue;
      }
      const lineIndent = raw.length - raw.trimStart().length;
      if (blockIndent === null) blockIndent = lineIndent;
      if (lineIndent < blockIndent || lineIndent <= indent) break;
      collected.push(raw.slice(blockIndent));
      this.index += 1;
    }
    while (collected.length && collected[collected.length - 1] === '' && chomping !== '+') collected.pop();
    let text = style === '|' ? collected.join('\n') : collected.join('\n').replace(/([^\n])\n(?=[^\n])/g, '$1 ');
    if (chomping !== '-') text += '\n';
    return text;
  }
}

function isSequenceItem(text) {
  return text === '-' || text.startsWith('- ');
}

/**
 * Calls `visit(character, index)` for each character outside quoted strings, and stops at
 * the first answer that is not undefined. A quote only opens where a scalar can start.
 * Answers `{ result, openQuote }`: the visitor's answer, and the quote left unclosed.
 */
function scanUnquoted(text, visit) {
  let quote = null;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index];
    if (quote) {
      if (character === '\\' && quote === '"') index += 1;
      else if (character === quote) quote = null;
    } else if ((character === '"' || character === "'") && (index === 0 || /[\s[{,:]/.test(text[index - 1]))) {
      quote = character;
    } else {
      const result = visit(character, index);
      if (result !== undefined) return { result, openQuote: quote };
    }
  }
  return { result: undefined, openQuote: quote };
}

/** Drops a `#` comment that is outside quotes (a comment needs a space before it). */
function stripComment(text) {
  const { result } = scanUnquoted(text, (character, index) =>
    character === '#' && (index === 0 || /\s/.test(text[index - 1])) ? index : undefined);
  return result === undefined ? text : text.slice(0, result);
}

/** The index of the colon separating key from value, outside quotes and brackets; -1 if none. */
function findMappingColon(text, number) {
  if (text.startsWith('{') || text.startsWith('[')) return -1;
  const { result, openQuote } = scanUnquoted(text, (character, index) =>
    character === ':' && (index + 1 === text.length || text[index + 1] === ' ') ? index : undefined);
  if (result !== undefined) return result;
  if (openQuote) throw new YAMLError(`unterminated ${openQuote === '"' ? 'double' : 'single'}-quoted string`, number);
  return -1;
}

function parseKey(text, number) {
  if (text === '') throw new YAMLError('a key is missing before ":"', number);
  const value = parseScalar(text, number);
  if (value !== null && typeof value === 'object') throw new YAMLError('keys must be plain or quoted text', number);
  return String(value);
}

function bracketsClosed(text) {
  let depth = 0;
  scanUnquoted(text, (character) => {
    if (character === '{' || character === '[') depth += 1;
    else if (character === '}' || character === ']') depth -= 1;
  });
  return depth <= 0;
}

/** A scalar written on one line: quoted, or plain (null, booleans and numbers resolved). */
export function parseScalar(text, number) {
  if (text.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) throw new YAMLError(`unterminated or malformed double-quoted string: ${text}`, number);
    try {
      return JSON.parse(text);
    } catch {
      throw new YAMLError(`bad escape in double-quoted string: ${text}`, number);
    }
  }
  if (text.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(text)) throw new YAMLError(`unterminated single-quoted string: ${text}`, number);
    return text.slice(1, -1).replace(/''/g, "'");
  }
  if (/^[&*!%@`]/.test(text)) throw new YAMLError(`anchors, aliases, tags and directives are not supported: ${text}`, number);
  if (/^(?:null|Null|NULL|~)$/.test(text)) return null;
  if (/^(?:true|True|TRUE)$/.test(text)) return true;
  if (/^(?:false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?(?:0|[1-9]\d*)$/.test(text)) return Number(text);
  if (/^[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?$/.test(text)) return Number(text);
  return text;
}

/** A flow collection: JSON, plus plain scalars and unquoted keys. */
function parseFlow(source, number) {
  let index = 0;
  const fail = (message) => {
    throw new YAMLError(`${message} in "${source}"`, number);
  };
  const skipSpace = () => {
    while (index < source.length && /\s/.test(source[index])) index += 1;
  };
  const parseQuoted = () => {
    const quote = source[index];
    let end = index + 1;
    while (end < source.length && source[end] !== quote) end += quote === '"' && source[end] === '\\' ? 2 : 1;
    if (end >= source.length) fail('unterminated string');
    const text = source.slice(index, end + 1);
    index = end + 1;
    return parseScalar(text, number);
  };
  const parsePlain = (stops) => {
    const start = index;
    while (index < source.length && !stops.includes(source[index])) index += 1;
    const text = source.slice(start, index).trim();
    if (text === '') fail('a value is missing');
    return parseScalar(text, number);
  };
  const parseValue = (stops) => {
    skipSpace();
    const character = source[index];
    if (character === '{') return parseObject();
    if (character === '[') return parseArray();
    if (character === '"' || character === "'") return parseQuoted();
    return parsePlain(stops);
  };
  const parseArray = () => {
    index += 1;
    const items = [];
    skipSpace();
    if (source[index] === ']') {
      index += 1;
      return items;
    }
    for (;;) {
      items.push(parseValue([',', ']']));
      skipSpace();
      if (source[index] === ',') index += 1;
      else if (source[index] === ']') {
        index += 1;
        return items;
      } else fail(index >= source.length ? 'a "]" is missing' : `unexpected "${source[index]}"`);
    }
  };
  const parseObject = () => {
    index += 1;
    const object = {};
    skipSpace();
    if (source[index] === '}') {
      index += 1;
      return object;
    }
    for (;;) {
      skipSpace();
      const key = source[index] === '"' || source[index] === "'" ? String(parseQuoted()) : String(parsePlain([':', ',', '}']));
      skipSpace();
      if (source[index] !== ':') fail(index >= source.length ? 'a "}" is missing' : `expected ":" after "${key}"`);
      index += 1;
      object[key] = parseValue([',', '}']);
      skipSpace();
      if (source[index] === ',') index += 1;
      else if (source[index] === '}') {
        index += 1;
        return object;
      } else fail(index >= source.length ? 'a "}" is missing' : `unexpected "${source[index]}"`);
    }
  };
  const value = parseValue([]);
  skipSpace();
  if (index < source.length) fail(`unexpected "${source.slice(index)}" after the value`);
  return value;
}
