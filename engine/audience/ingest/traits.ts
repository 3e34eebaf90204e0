import { z } from 'zod';
import { isValidTimeZone, parseCalendarDate } from '../../time/zoned';
import type { Rejection } from './normalize';

/** What an identify call changes on a contact: columns it names, attributes merged over the old ones. */
export interface ContactUpdate {
  email?: string | null;
  phone?: string | null;
  timezone?: string | null;
  attributes: Record<string, unknown>;
}

const email = z.email();
const e164 = /^\+[1-9]\d{6,14}$/;
/** Traits that are identities, not attributes. */
const identityTraits = new Set(['id', 'userId', 'anonymousId']);

/**
 * Maps Segment traits onto a contact: `email`, `phone`, `timezone` to their columns (validated),
 * `birthday` to a `YYYY-MM-DD` attribute, every other trait to an attribute. `null` clears.
 */
export function contactUpdateFromTraits(
  traits: Record<string, unknown>,
): { ok: true; update: ContactUpdate } | { ok: false; rejection: Rejection } {
  const update: ContactUpdate = { attributes: {} };
  for (const [key, value] of Object.entries(traits)) {
    if (identityTraits.has(key)) continue;
    switch (key) {
      case 'email': {
        if (value === null) update.email = null;
        else if (typeof value === 'string' && email.safeParse(value.trim()).success)
          update.email = value.trim().toLowerCase();
        else return invalid('traits.email', 'must be an e-mail address');
        break;
      }
      case 'phone': {
        const phone = typeof value === 'string' ? value.replace(/[\s().-]/g, '') : value;
        if (phone === null) update.phone = null;
        else if (typeof phone === 'string' && e164.test(phone)) update.phone = phone;
        else return invalid('traits.phone', 'must be an international number, e.g. +14155550100');
        break;
      }
      case 'timezone': {
        if (value === null) update.timezone = null;
        else if (typeof value === 'string' && isValidTimeZone(value)) update.timezone = value;
        else return invalid('traits.timezone', 'must be an IANA time zone, e.g. Europe/Paris');
        break;
      }
      case 'birthday': {
        const date = parseCalendarDate(value);
        if (value !== null && !date) return invalid('traits.birthday', 'must be a date, e.g. 1990-05-17');
        update.attributes.birthday = date
          ? `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`
          : null;
        break;
      }
      default:
        update.attributes[key] = value;
    }
  }
  return { ok: true, update };
}

function invalid(field: string, message: string): { ok: false; rejection: Rejection } {
  return { ok: false, rejection: { code: 'invalid_trait', field, message } };
}
