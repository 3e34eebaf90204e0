/** A promise a test resolves by hand: a node waits on it, or the test waits for a node. */
export function latch(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
