import type { DeliveredEvent } from './deliver';
import type { Dispatcher } from './dispatcher';

/**
 * Hands freshly committed outbox rows to this process's dispatcher. With no budget (the
 * default) the answer never waits for Temporal: `delivering` lets the API answer 200, the rows
 * being safe in the outbox and on their way. `pending` (no dispatcher here, Temporal known to be
 * away, or a caller's budget ran out) means the background loop delivers them later: answer 202.
 * `events`: the rows' events as stored, handed over so delivery need not read them back.
 */
export async function dispatchAfterCommit(
  dispatcher: Dispatcher | undefined,
  ids: number[],
  budgetMs = 0,
  events?: DeliveredEvent[],
): Promise<'delivered' | 'delivering' | 'pending'> {
  if (ids.length === 0) return 'delivered';
  if (!dispatcher) return 'pending';
  // While Temporal is known to be away, the loop delivers once it is back.
  if (!dispatcher.healthy()) {
    dispatcher.kick();
    return 'pending';
  }
  const delivery = dispatcher.deliver(ids, events).catch(() => false);
  if (budgetMs <= 0) return 'delivering';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), budgetMs);
  });
  const delivered = await Promise.race([delivery, timeout]);
  clearTimeout(timer);
  return delivered ? 'delivered' : 'pending';
}
