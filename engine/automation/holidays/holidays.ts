import { and, asc, eq, gte, inArray, lte } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { holidays } from '../../../db/schema';
import { InvalidInput, NotFound } from '../../errors';
import { parseCalendarDate } from '../../time/zoned';
import { HOLIDAY_COUNTRIES, presetHolidays } from './presets';

export type HolidayRow = typeof holidays.$inferSelect;

export const holidayInputSchema = z.object({
  name: z.string().trim().min(1).max(120),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, e.g. 2026-12-24')
    .refine((value) => !!parseCalendarDate(value), 'must be a real date'),
});

export type HolidayInput = z.infer<typeof holidayInputSchema>;

/** The workspace's holidays in date order, optionally between two dates (inclusive). */
export async function listHolidays(
  db: Db,
  workspaceId: string,
  range: { from?: string; to?: string; names?: string[] } = {},
): Promise<HolidayRow[]> {
  return db
    .select()
    .from(holidays)
    .where(
      and(
        eq(holidays.workspaceId, workspaceId),
        range.from ? gte(holidays.date, range.from) : undefined,
        range.to ? lte(holidays.date, range.to) : undefined,
        range.names?.length ? inArray(holidays.name, range.names) : undefined,
      ),
    )
    .orderBy(asc(holidays.date), asc(holidays.name));
}

/** Adds a custom holiday; the same name on the same date is kept once. */
export async function addHoliday(db: Db, workspaceId: string, input: HolidayInput): Promise<HolidayRow> {
  const [row] = await db
    .insert(holidays)
    .values({ workspaceId, ...input, source: 'custom' })
    .onConflictDoUpdate({
      target: [holidays.workspaceId, holidays.date, holidays.name],
      set: { name: input.name },
    })
    .returning();
  return row;
}

export async function deleteHoliday(db: Db, workspaceId: string, id: string): Promise<void> {
  const deleted = await db
    .delete(holidays)
    .where(and(eq(holidays.workspaceId, workspaceId), eq(holidays.id, id)))
    .returning({ id: holidays.id });
  if (deleted.length === 0) throw new NotFound('Holiday', id);
}

/** Adds a country's preset holidays for the given years to the calendar; returns the ones added. */
export async function applyHolidayPreset(
  db: Db,
  workspaceId: string,
  country: string,
  years: number[],
): Promise<HolidayRow[]> {
  const code = country.toUpperCase();
  if (!HOLIDAY_COUNTRIES.includes(code)) {
    throw new InvalidInput(
      'holiday_preset_unknown',
      `No holiday preset for "${country}"; presets: ${HOLIDAY_COUNTRIES.join(', ')}`,
      'country',
    );
  }
  const rows = years.flatMap((year) =>
    (presetHolidays(code, year) ?? []).map((h) => ({ workspaceId, ...h, source: `preset:${code}` })),
  );
  if (rows.length === 0) return [];
  return db.insert(holidays).values(rows).onConflictDoNothing().returning();
}
