import type { ControlConfig } from '../../engine/automation/nodes/control';
import type { ContactView } from '../../engine/automation/runs/types';
import {
  addDays,
  instantOf,
  nextLocalTime,
  parseCalendarDate,
  resolveTimeZone,
} from '../../engine/time/zoned';
import type { ControlHandler } from './visit';

export const waitUntil: ControlHandler<'wait.until'> = async (node, visit) => {
  const { config } = node;
  const target = resolveUntil(config, await visit.contact(), visit.input.plan.settings.timezone, Date.now());
  if (target === 'missing') {
    const attribute = config.mode === 'attribute' ? config.attribute : undefined;
    visit.leave('missing', { reason: `attribute ${attribute} is missing or not a date` });
    visit.state.cursor = node.next.missing;
    return;
  }
  await visit.hold();
  const outcome = await visit.waitFor(target, { resumable: true });
  if (outcome === 'continue-as-new') visit.resumeLater();
  if (outcome !== 'deadline') return;
  visit.leave('next', { until: new Date(target).toISOString() });
  visit.state.cursor = node.next.next;
};

/** The instant a wait.until node waits for, seen from `now`; `missing` when its date attribute is not a date. */
export function resolveUntil(
  config: ControlConfig<'wait.until'>,
  contact: ContactView,
  fallbackZone: string | undefined,
  now: number,
): number | 'missing' {
  const zone = resolveTimeZone(contact.timezone, fallbackZone, contact.workspaceTimezone);
  if (config.mode === 'date') return Date.parse(config.at);
  if (config.mode === 'time-of-day') return nextLocalTime(now, zone, config.time, config.weekdays);
  const date = parseCalendarDate(contact.attributes[config.attribute]);
  if (!date) return 'missing';
  const [hour, minute] = (config.time ?? '00:00').split(':').map(Number);
  return instantOf(addDays({ ...date, hour, minute }, config.offsetDays ?? 0), zone);
}
