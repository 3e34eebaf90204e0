import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../engine/bounded-cache';

describe('BoundedCache', () => {
  it('forgets the oldest entry once full, and keeps its size when an entry is replaced', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1).set('b', 2);
    cache.set('b', 3);
    expect([...cache]).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
    cache.get('a');
    cache.set('c', 4);
    expect([...cache]).toEqual([
      ['b', 3],
      ['c', 4],
    ]);
  });
});
