/**
 * A process-wide memo that cannot grow without end: a `Map` that forgets its oldest entry once
 * it holds `limit` (first in, first out; reading an entry does not renew it).
 */
export class BoundedCache<K, V> extends Map<K, V> {
  constructor(readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (this.size >= this.limit && !this.has(key)) this.delete(this.keys().next().value as K);
    return super.set(key, value);
  }
}
