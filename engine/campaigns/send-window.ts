import { nextLocalTime, wallClockAt } from '../time/zoned';

/**
 * Milliseconds until a send window opens in `zone`, 0 inside it. A window whose end is before its
 * start runs over midnight (22:00–06:00). Pure, so the broadcast workflow can call it.
 */
export function msUntilWindow(
  now: number,
  zone: string,
  window: { start: string; end: string } | null,
): number {
  if (!window) return 0;
  const clock = wallClockAt(now, zone);
  const minutes = clock.hour * 60 + clock.minute;
  const toMinutes = (hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number);
    return h * 60 + m;
  };
  const start = toMinutes(window.start);
  const end = toMinutes(window.end);
  const inside = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
  if (inside) return 0;
  return nextLocalTime(now, zone, window.start) - now;
}
