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

/** The processors following `path`, the most specific (not built in) first. */
export function processorsFor(processors, path) {
  const matching = processors.filter((processor) => patternMatches(processor.streams, path));
  return matching.sort((a, b) => Number(BUILT_IN.includes(a.name)) - Number(BUILT_IN.includes(b.name)));
}
