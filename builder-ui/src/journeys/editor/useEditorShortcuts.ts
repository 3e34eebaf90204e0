import { useEffect } from 'react';
import type { GraphApi } from './useGraph';

/** Undo/redo, copy/paste, delete and select all on the canvas; never while typing in a field. */
export function useEditorShortcuts(graph: GraphApi, readOnly: boolean): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (target.closest('input, textarea, select, [contenteditable="true"]')) return;
      const mod = event.ctrlKey || event.metaKey;
      const key = event.key.toLowerCase();
      if (readOnly) return;
      if (mod && key === 'z' && !event.shiftKey) graph.undo();
      else if (mod && (key === 'y' || (key === 'z' && event.shiftKey))) graph.redo();
      else if (mod && key === 'c') graph.copy();
      else if (mod && key === 'v') graph.paste();
      else if (mod && key === 'a') graph.selectAll();
      else if (key === 'delete' || key === 'backspace') graph.deleteSelection();
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [graph, readOnly]);
}
