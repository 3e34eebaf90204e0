import type { Dispatcher } from './dispatcher';

/**
 * Hands freshly committed outbox rows to this process's dispatcher and waits up to `budgetMs`.
 * `delivered` lets the API answer 200; `pending` (no dispatcher here, Temporal away, or slow)
 * means the rows are safe in the outbox and the background loop delivers them: answer 202.
 */
export async function dispatchAfterCommit(
  dispatcher: Dispatcher | undefined,
  ids: number[],
  budgetMs = 1000,
): Promise<'delivered' | 'pending'> {
  if (ids.length === 0) return 'delivered';
  if (!dispatcher) return 'pending';
  const delivery = dispatcher.deliver(ids).catch(() => false);
  // While Temporal is known to be away, answer at once instead of waiting out the budget.
  if (!dispatcher.healthy()) {
    dispatcher.kick();
    return 'pending';
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), budgetMs);
  });
  const delivered = await Promise.race([delivery, timeout]);
  clearTimeout(timer);
  return delivered ? 'delivered' : 'pending';
}
