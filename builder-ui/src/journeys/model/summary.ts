import { formatDuration } from '../../lib/format';

function short(text: string, max = 32): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function describe(value: unknown): string | undefined {
  const duration = formatDuration(value);
  if (duration) return duration;
  if (typeof value === 'string') return value ? `“${short(value)}”` : undefined;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return undefined;
  if (Array.isArray(value))
    return value.length ? `${value.length} item${value.length === 1 ? '' : 's'}` : undefined;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length ? short(keys.join(', ')) : undefined;
  }
  return undefined;
}

/**
 * The line under a node's title, from its config alone so custom nodes get one too. The
 * built-in shapes read like the engine's summaries; anything else lists its first settings.
 */
export function summarize(type: string, config: Record<string, any>): string {
  const d = formatDuration;
  switch (type) {
    case 'trigger.event':
      if (!config.event) return 'Choose an event';
      return config.key
        ? `On “${config.event}” per ${String(config.key).replace(/^properties\./, '')}`
        : `On “${config.event}”`;
    case 'trigger.date':
      return config.attribute
        ? `On ${config.attribute} at ${String(config.hour ?? 9).padStart(2, '0')}:${String(config.minute ?? 0).padStart(2, '0')}`
        : 'Choose a date attribute';
    case 'trigger.holiday': {
      const names: string[] = Array.isArray(config.holidays) ? config.holidays : [];
      const at = `${String(config.hour ?? 9).padStart(2, '0')}:${String(config.minute ?? 0).padStart(2, '0')}`;
      return `On ${names.length ? short(names.join(', '), 24) : 'each holiday'} at ${at}`;
    }
    case 'wait.condition': {
      const n = Array.isArray(config.when?.conditions) ? config.when.conditions.length : 0;
      return `${n} condition${n === 1 ? '' : 's'} within ${d(config.timeout) ?? '?'}`;
    }
    case 'wait.duration':
      return d(config.duration) ? `Wait ${d(config.duration)}` : 'Set a duration';
    case 'wait.event':
      return config.event
        ? `“${short(config.event, 20)}” within ${d(config.timeout) ?? '?'}`
        : 'Choose an event';
    case 'wait.until':
      if (config.mode === 'date') return `Until ${config.at ?? '?'}`;
      if (config.mode === 'time-of-day') return `Until ${config.time ?? '?'} local`;
      return `Until ${config.attribute ?? '?'}`;
    case 'branch.condition': {
      const n = Array.isArray(config.conditions) ? config.conditions.length : 0;
      return `${n} condition${n === 1 ? '' : 's'} (${config.match ?? 'all'})`;
    }
    case 'branch.switch': {
      const n = Array.isArray(config.cases) ? config.cases.length : 0;
      return `${n} case${n === 1 ? '' : 's'} + else`;
    }
    case 'split.random':
      return Array.isArray(config.branches)
        ? config.branches.map((b: any) => `${b.port} ${b.weight}`).join(' / ')
        : '';
    case 'email.send':
      return config.template ? `Email “${short(config.template, 24)}”` : 'Choose a template';
    case 'sms.send':
      return config.text ? `SMS “${short(config.text, 24)}”` : 'Write the text';
    case 'contact.update': {
      const parts = [
        ...Object.keys(config.set ?? {}).map((k) => `set ${k}`),
        ...(config.unset ?? []).map((k: string) => `clear ${k}`),
        ...(config.addTags ?? []).map((t: string) => `+#${t}`),
        ...(config.removeTags ?? []).map((t: string) => `-#${t}`),
      ];
      return parts.length ? short(parts.join(', '), 40) : 'Choose what to change';
    }
    case 'exit':
      return 'End';
    case 'goal':
      return config.name ? `Goal: ${config.name}` : 'Conversion';
  }
  const parts = Object.entries(config ?? {})
    .map(([, value]) => describe(value))
    .filter(Boolean);
  return parts.slice(0, 2).join(' · ');
}
