// Stream paths as a tree: `/agents/ada` and `/agents/bob` under `agents`. Pure.

/** A root node `{ name, path, info, children: Map }`; `info` is the listing entry of a stream. */
export function buildTree(streams, prefix = '') {
  const root = { name: '', path: '', info: null, children: new Map() };
  for (const stream of streams) {
    if (prefix && !stream.path.startsWith(prefix)) continue;
    let node = root;
    let path = '';
    for (const segment of stream.path.split('/').filter(Boolean)) {
      path += `/${segment}`;
      if (!node.children.has(segment)) node.children.set(segment, { name: segment, path, info: null, children: new Map() });
      node = node.children.get(segment);
    }
    node.info = stream;
  }
  return root;
}

/** The nodes a reader sees, in order, with their depth: collapsed nodes hide their children. */
export function visibleNodes(root, collapsed) {
  const nodes = [];
  const walk = (node, depth) => {
    const children = [...node.children.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) {
      nodes.push({ node: child, depth });
      if (!collapsed.has(child.path)) walk(child, depth + 1);
    }
  };
  walk(root, 1);
  return nodes;
}
