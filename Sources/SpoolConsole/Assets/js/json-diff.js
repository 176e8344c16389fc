// The differences between two JSON values, as a flat list of changed paths.

/** `[{ path, kind: 'added' | 'removed' | 'changed', before?, after? }]`, paths like `items[2].name`. */
export function jsonDiff(before, after, path = '') {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => {
      const child = path ? `${path}.${key}` : key;
      if (!(key in after)) return [{ path: child, kind: 'removed', before: before[key] }];
      if (!(key in before)) return [{ path: child, kind: 'added', after: after[key] }];
      return jsonDiff(before[key], after[key], child);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const changes = [];
    for (let index = 0; index < Math.max(before.length, after.length); index += 1) {
      const child = `${path}[${index}]`;
      if (index >= after.length) changes.push({ path: child, kind: 'removed', before: before[index] });
      else if (index >= before.length) changes.push({ path: child, kind: 'added', after: after[index] });
      else changes.push(...jsonDiff(before[index], after[index], child));
    }
    return changes;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path: path || '(state)', kind: 'changed', before, after }];
}

function isPlainObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
