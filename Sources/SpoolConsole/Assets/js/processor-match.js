// Which processors follow a stream, by their stream pattern (`/x`, `/x/*`, `/x/**`).

export function patternMatches(pattern, path) {
  if (pattern === '/**') return true;
  if (pattern.endsWith('/**')) {
    const base = pattern.slice(0, -3);
    return path === base || path.startsWith(`${base}/`);
  }
  if (pattern.endsWith('/*')) {
    const base = pattern.slice(0, -2);
    return path.startsWith(`${base}/`) && !path.slice(base.length + 1).includes('/');
  }
  return pattern === path;
}

const BUILT_IN = ['circuit-breaker', 'scheduler', 'subscriptions', 'workers'];

/** The processors following `path`: the narrowest pattern first, then the system's own last. */
export function processorsFor(processors, path) {
  const specificity = (pattern) => pattern.replace(/\/\*\*?$/, '').length;
  return processors
    .filter((processor) => patternMatches(processor.streams, path))
    .sort((a, b) => specificity(b.streams) - specificity(a.streams)
      || Number(BUILT_IN.includes(a.name)) - Number(BUILT_IN.includes(b.name)));
}
