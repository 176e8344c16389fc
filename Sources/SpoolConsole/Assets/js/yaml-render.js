// JSON values as YAML for people: as text, or as coloured DOM (one <span> per token).

const PLAIN_UNSAFE = /^[\s\-?:,[\]{}#&*!|>'"%@`]|^(?:true|false|null|yes|no|on|off|~)$|^[-+.]?\d|: |\s#|[:\s]$|[\u0000-\u001f]/i;

/** The tokens of `value` as YAML: `[className, text]` pairs; '' for plain punctuation and spaces. */
export function yamlTokens(value) {
  const tokens = [];
  writeValue(tokens, value, 0, false);
  if (tokens.length && tokens[tokens.length - 1][1] === '\n') tokens.pop();
  return tokens;
}

/** `value` as YAML text. */
export function toYAML(value) {
  return yamlTokens(value).map(([, text]) => text).join('');
}

/** `value` as coloured YAML: a fragment of spans for a <pre>. */
export function renderYAML(value) {
  const fragment = document.createDocumentFragment();
  for (const [className, text] of yamlTokens(value)) {
    if (className) {
      const span = document.createElement('span');
      span.className = className;
      span.textContent = text;
      fragment.append(span);
    } else {
      fragment.append(text);
    }
  }
  return fragment;
}

function isCollection(value) {
  return value !== null && typeof value === 'object' && Object.keys(value).length > 0;
}

// Writes `value` as the rest of a line (after "key:" or "- ") and the lines under it.
function writeValue(tokens, value, indent, inline) {
  if (Array.isArray(value) && value.length) {
    if (inline) tokens.push(['', '\n']);
    value.forEach((item, index) => {
      const pad = inline || index > 0 ? ' '.repeat(indent) : '';
      tokens.push(['', pad], ['y-punct', '- ']);
      if (isCollection(item) && !Array.isArray(item)) writeMapping(tokens, item, indent + 2, true);
      else writeValue(tokens, item, indent + 2, false);
    });
  } else if (isCollection(value)) {
    if (inline) tokens.push(['', '\n']);
    writeMapping(tokens, value, indent, !inline);
  } else {
    if (inline) tokens.push(['', ' ']);
    writeScalar(tokens, value, indent);
  }
}

function writeMapping(tokens, object, indent, firstOnThisLine) {
  Object.entries(object).forEach(([key, item], index) => {
    if (!(firstOnThisLine && index === 0)) tokens.push(['', ' '.repeat(indent)]);
    tokens.push(['y-key', scalarText(key)], ['y-punct', ':']);
    writeValue(tokens, item, indent + 2, true);
  });
}

function writeScalar(tokens, value, indent) {
  if (value === null) tokens.push(['y-null', 'null']);
  else if (typeof value === 'boolean') tokens.push(['y-bool', String(value)]);
  else if (typeof value === 'number') tokens.push(['y-number', String(value)]);
  else if (Array.isArray(value)) tokens.push(['y-punct', '[]']);
  else if (typeof value === 'object') tokens.push(['y-punct', '{}']);
  else if (value.includes('\n') && !/[\u0000-\u0009\u000b-\u001f]/.test(value) && !/^\s|\s$/.test(value)) {
    const lines = value.split('\n');
    tokens.push(['y-punct', '|-']);
    for (const line of lines) tokens.push(['', '\n' + (line ? ' '.repeat(indent) : '')], ['y-string', line]);
  } else tokens.push(['y-string', scalarText(value)]);
  tokens.push(['', '\n']);
}

/** A string as a plain scalar when that reads back the same, else double-quoted. */
function scalarText(text) {
  return text === '' || PLAIN_UNSAFE.test(text) ? JSON.stringify(text) : text;
}
