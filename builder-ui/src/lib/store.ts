import { useSyncExternalStore } from 'react';

/**
 * A keyed store read by single nodes: when counts or problems change, only the nodes whose
 * entry changed re-render, never the whole graph.
 */
export class KeyedStore<V> {
  private values = new Map<string, V>();
  private listeners = new Map<string, Set<() => void>>();
  private all = new Set<() => void>();

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  /** Replaces every entry, notifying only the keys whose value changed (by `same`). */
  replace(next: Map<string, V>, same: (a: V, b: V) => boolean = Object.is): void {
    const changed: string[] = [];
    for (const [key, value] of next) {
      const old = this.values.get(key);
      if (old === undefined || !same(old, value)) changed.push(key);
    }
    for (const key of this.values.keys()) if (!next.has(key)) changed.push(key);
    this.values = next;
    for (const key of changed) for (const listener of this.listeners.get(key) ?? []) listener();
    if (changed.length) for (const listener of this.all) listener();
  }

  subscribe(key: string, listener: () => void): () => void {
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  subscribeAll(listener: () => void): () => void {
    this.all.add(listener);
    return () => this.all.delete(listener);
  }
}

export function useKeyed<V>(store: KeyedStore<V>, key: string): V | undefined {
  return useSyncExternalStore(
    (listener) => store.subscribe(key, listener),
    () => store.get(key),
  );
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
