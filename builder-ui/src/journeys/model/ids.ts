/** A readable node id from its type that no node of the graph has yet: "sms-send-2". */
export function newNodeId(type: string, taken: Set<string>): string {
  const base =
    type
      .replace(/[^a-z0-9]+/gi, '-')
      .replace(/^-|-$/g, '')
      .toLowerCase() || 'node';
  for (let n = 1; ; n++) {
    const id = `${base}-${n}`;
    if (!taken.has(id)) return id;
  }
}

export function newEdgeId(source: string, port: string, target: string, taken: Set<string>): string {
  const base = `e-${source}-${port}-${target}`.slice(0, 58).replace(/[^A-Za-z0-9_-]/g, '-');
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}
