import { memo, useMemo, useState } from 'react';
import type { NodeType } from '../../../lib/types';

const order = ['Triggers', 'Timing', 'Flow', 'Messages', 'Contact'];

/** Node types grouped by category; custom categories follow the built-in ones. */
export const Palette = memo(function Palette(props: {
  types: NodeType[];
  onAdd: (type: NodeType) => void;
  disabled?: boolean;
}) {
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => {
    const map = new Map<string, NodeType[]>();
    const needle = filter.trim().toLowerCase();
    for (const type of props.types) {
      if (!type.latest) continue;
      if (needle && !`${type.title} ${type.type} ${type.category}`.toLowerCase().includes(needle)) continue;
      map.set(type.category, [...(map.get(type.category) ?? []), type]);
    }
    const rank = (c: string) => (order.includes(c) ? order.indexOf(c) : order.length);
    return [...map.entries()].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  }, [props.types, filter]);

  return (
    <aside className="palette" aria-label="Node palette">
      <input
        className="palette-search"
        type="search"
        placeholder="Search nodes"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
      />
      {groups.map(([category, types]) => (
        <section key={category} className="palette-group">
          <h3>{category}</h3>
          {types.map((type) => (
            <button
              type="button"
              key={type.type}
              className={`palette-item kind-${type.kind}`}
              data-type={type.type}
              disabled={props.disabled}
              draggable={!props.disabled}
              title={`${type.description ?? type.title}\nClick to add, or drag onto the canvas.`}
              onDragStart={(e) => {
                e.dataTransfer.setData('application/x-wayline-node', type.type);
                e.dataTransfer.effectAllowed = 'move';
              }}
              onClick={() => props.onAdd(type)}
            >
              <span className="palette-title">{type.title}</span>
              {type.description && <span className="palette-description">{type.description}</span>}
            </button>
          ))}
        </section>
      ))}
    </aside>
  );
});
