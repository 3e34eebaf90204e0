import { patched } from '@temporalio/workflow';
import type { ControlConfig } from '../../engine/automation/nodes/control';
import type { ContactView } from '../../engine/automation/runs/types';
import { durationMs } from '../../engine/time/duration';
import {
  addDays,
  instantOf,
  nextLocalTime,
  parseCalendarDate,
  parseDateValue,
  resolveTimeZone,
  wallClockAt,
} from '../../engine/time/zoned';
import type { ControlHandler } from './visit';

export const waitUntil: ControlHandler<'wait.until'> = async (node, visit) => {
  const { config } = node;
  // Runs that resolved a date-time attribute to its day's midnight keep doing so on replay.
  const dateTimes = config.mode === 'attribute' && patched('wait-until-date-times');
  const target = resolveUntil(
    config,
    await visit.contact(),
    visit.input.plan.settings.timezone,
    Date.now(),
    dateTimes,
  );
  if (target === 'missing') {
    const attribute = config.mode === 'attribute' ? config.attribute : undefined;
    visit.leave('missing', { reason: `attribute ${attribute} is missing or not a date` });
    visit.state.cursor = node.next.missing;
    return;
  }
  await visit.hold(target);
  const outcome = await visit.waitFor(target, { resumable: true });
  if (outcome === 'continue-as-new') visit.resumeLater();
  if (outcome !== 'deadline') return;
  visit.leave('next', { until: new Date(target).toISOString() });
  visit.state.cursor = node.next.next;
};

/**
 * The instant a wait.until node waits for, seen from `now`; `missing` when none of its date
 * attributes holds a date. A date-time (or Unix time) attribute is that instant; a date alone
 * takes the node's local time of day. `offsetDays` moves by calendar days in the contact's zone,
 * `offset` by its span before or after (days and weeks as calendar days too). Without
 * `dateTimes` (runs started before it existed) only the date part of the first attribute counts.
 */
export function resolveUntil(
  config: ControlConfig<'wait.until'>,
  contact: ContactView,
  fallbackZone: string | undefined,
  now: number,
  dateTimes = true,
): number | 'missing' {
  const zone = resolveTimeZone(contact.timezone, fallbackZone, contact.workspaceTimezone);
  if (config.mode === 'date') return Date.parse(config.at);
  if (config.mode === 'time-of-day') return nextLocalTime(now, zone, config.time, config.weekdays);
  const [hour, minute] = (config.time ?? '00:00').split(':').map(Number);
  if (!dateTimes) {
    const date = parseCalendarDate(contact.attributes[config.attribute]);
    if (!date) return 'missing';
    return instantOf(addDays({ ...date, hour, minute }, config.offsetDays ?? 0), zone);
  }
  const value = [config.attribute, ...(config.fallbackAttributes ?? [])]
    .map((attribute) => contact.attributes[attribute])
    .find((candidate) => candidate !== undefined && candidate !== null && candidate !== '');
  const parsed = parseDateValue(value, zone);
  if (!parsed) return 'missing';
  const days = (config.offsetDays ?? 0) + calendarDays(config.offset);
  let target: number;
  if (parsed.kind === 'date') {
    target = instantOf(addDays({ ...parsed.date, hour, minute }, days), zone);
  } else {
    target = days === 0 ? parsed.at : instantOf(addDays(wallClockAt(parsed.at, zone), days), zone);
  }
  if (config.offset && !isCalendar(config.offset)) {
    target += (config.offset.direction === 'before' ? -1 : 1) * durationMs(config.offset);
  }
  return target;
}

type Offset = NonNullable<Extract<ControlConfig<'wait.until'>, { mode: 'attribute' }>['offset']>;

/** Whole days and weeks move by the calendar (a DST change keeps the local hour); the rest by elapsed time. */
const isCalendar = (offset: Offset) =>
  (offset.unit === 'days' || offset.unit === 'weeks') && Number.isInteger(offset.amount);

function calendarDays(offset: Offset | undefined): number {
  if (!offset || !isCalendar(offset)) return 0;
  const days = offset.unit === 'weeks' ? offset.amount * 7 : offset.amount;
  return offset.direction === 'before' ? -days : days;
}
