import { z } from 'zod';
import { hookActionSchema } from './actions';
import { jsonPath, valueAt } from './json-path';

export const hookMappingSchema = z
  .object({
    eventName: z.string().min(1).max(255).optional().describe('A fixed event name for every delivery'),
    eventPath: jsonPath.optional().describe('Where the event name is in the payload, e.g. "type"'),
    userIdPath: jsonPath.optional(),
    anonymousIdPath: jsonPath.optional(),
    emailPath: jsonPath.optional(),
    propertiesPath: jsonPath.optional().describe('The event properties; the whole payload when absent'),
    timestampPath: jsonPath.optional().describe('When it happened; the delivery time when absent'),
    actions: z
      .array(hookActionSchema)
      .max(5)
      .optional()
      .describe('Deals to open or update and tickets to open for the sender of each delivery'),
  })
  .superRefine((mapping, ctx) => {
    if (!mapping.eventName === !mapping.eventPath) {
      ctx.addIssue({
        code: 'custom',
        path: ['eventName'],
        message: 'give exactly one of eventName or eventPath',
      });
    }
    if (!mapping.userIdPath && !mapping.anonymousIdPath && !mapping.emailPath) {
      ctx.addIssue({
        code: 'custom',
        path: ['userIdPath'],
        message: 'give at least one of userIdPath, anonymousIdPath or emailPath',
      });
    }
  });

export type HookMapping = z.infer<typeof hookMappingSchema>;

export interface MappedEvent {
  event: string;
  userId?: string;
  anonymousId?: string;
  email?: string;
  properties: Record<string, unknown>;
  timestamp?: string;
}

const at = valueAt;

function idAt(payload: unknown, path: string | undefined): string | undefined {
  const value = at(payload, path);
  return typeof value === 'string' || typeof value === 'number' ? String(value) || undefined : undefined;
}

/** Reads the event a delivery describes; `field` names the mapping entry that found nothing usable. */
export function mapPayload(
  mapping: HookMapping,
  payload: unknown,
): { ok: true; event: MappedEvent } | { ok: false; field: string; message: string } {
  const name = mapping.eventName ?? at(payload, mapping.eventPath);
  if (typeof name !== 'string' || name === '') {
    return { ok: false, field: 'eventPath', message: `no event name at ${mapping.eventPath}` };
  }
  const userId = idAt(payload, mapping.userIdPath);
  const anonymousId = idAt(payload, mapping.anonymousIdPath);
  const email = at(payload, mapping.emailPath);
  const normalizedEmail =
    typeof email === 'string' && email.includes('@') ? email.trim().toLowerCase() : undefined;
  if (!userId && !anonymousId && !normalizedEmail) {
    return {
      ok: false,
      field: 'userIdPath',
      message: 'the payload holds no user id, anonymous id or e-mail at the mapped paths',
    };
  }
  const properties = mapping.propertiesPath ? at(payload, mapping.propertiesPath) : payload;
  const timestamp = at(payload, mapping.timestampPath);
  return {
    ok: true,
    event: {
      event: name,
      userId,
      anonymousId,
      email: normalizedEmail,
      properties:
        properties && typeof properties === 'object' && !Array.isArray(properties)
          ? (properties as Record<string, unknown>)
          : { value: properties },
      timestamp:
        typeof timestamp === 'string' && !Number.isNaN(Date.parse(timestamp)) ? timestamp : undefined,
    },
  };
}
