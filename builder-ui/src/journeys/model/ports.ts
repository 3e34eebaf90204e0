import type { GraphEdge, NodeType, PortSpec } from '../../lib/types';

const next: PortSpec = { id: 'next', label: 'Next' };

/**
 * The ports of one node. Fixed ports come from the node type; the built-in nodes whose ports
 * follow their config are computed as the engine does; an unknown dynamic node shows the ports
 * its edges already use, plus "next".
 */
export function portsOf(
  type: NodeType | undefined,
  config: Record<string, any>,
  edges: GraphEdge[] = [],
  nodeId = '',
): PortSpec[] {
  if (!type) return [next];
  if (!type.dynamicPorts) return type.ports;
  switch (type.type) {
    case 'branch.switch':
      return [
        ...(Array.isArray(config.cases) ? config.cases : [])
          .filter((c: any) => c && typeof c.port === 'string' && c.port)
          .map((c: any) => ({ id: c.port, label: c.label || c.port })),
        { id: 'else', label: 'Else' },
      ];
    case 'split.random':
      return (Array.isArray(config.branches) ? config.branches : [])
        .filter((b: any) => b && typeof b.port === 'string' && b.port)
        .map((b: any) => ({ id: b.port, label: `${b.port} (${b.weight ?? '?'})` }));
    case 'wait.until':
      return config.mode === 'attribute' ? [next, { id: 'missing', label: 'Missing date' }] : [next];
    default: {
      const used = edges.filter((e) => e.source === nodeId).map((e) => e.sourceHandle ?? 'next');
      return [...new Set(['next', ...used])].map((id) => ({ id, label: id === 'next' ? 'Next' : id }));
    }
  }
}
