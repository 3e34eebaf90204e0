import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db';
import { ATTRIBUTE_TYPES, attributeDefinitions } from '../../../db/schema';
import { Conflict, InvalidInput, NotFound } from '../../errors';
import { pgErrorCode } from '../ingest/tx';

export type AttributeDefinition = typeof attributeDefinitions.$inferSelect;

const RESERVED = new Set(['email', 'phone', 'timezone', 'userId', 'anonymousId', 'tags', 'subscriptions']);

export const attributeDefinitionInputSchema = z
  .object({
    key: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'letters, digits and _ only, starting with a letter or _')
      .refine((key) => !RESERVED.has(key), 'is a built-in contact field')
      .describe('The attribute key in the contact, e.g. "plan"'),
    label: z.string().min(1).max(100),
    type: z.enum(ATTRIBUTE_TYPES),
    options: z
      .array(z.string().min(1).max(100))
      .max(200)
      .default([])
      .describe('The allowed values of an enum'),
  })
  .refine((d) => d.type !== 'enum' || d.options.length > 0, {
    message: 'an enum needs at least one option',
    path: ['options'],
  });

export type AttributeDefinitionInput = z.infer<typeof attributeDefinitionInputSchema>;

export async function listAttributeDefinitions(db: Db, workspaceId: string): Promise<AttributeDefinition[]> {
  return db
    .select()
    .from(attributeDefinitions)
    .where(eq(attributeDefinitions.workspaceId, workspaceId))
    .orderBy(asc(attributeDefinitions.key));
}

export async function createAttributeDefinition(
  db: Db,
  workspaceId: string,
  input: AttributeDefinitionInput,
): Promise<AttributeDefinition> {
  const [row] = await db
    .insert(attributeDefinitions)
    .values({ workspaceId, ...input, options: input.type === 'enum' ? input.options : [] })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new Conflict('attribute_exists', `An attribute named ${input.key} already exists`, 'key');
  return row;
}

export async function updateAttributeDefinition(
  db: Db,
  workspaceId: string,
  id: string,
  input: AttributeDefinitionInput,
): Promise<AttributeDefinition> {
  try {
    const [row] = await db
      .update(attributeDefinitions)
      .set({ ...input, options: input.type === 'enum' ? input.options : [], updatedAt: new Date() })
      .where(and(eq(attributeDefinitions.workspaceId, workspaceId), eq(attributeDefinitions.id, id)))
      .returning();
    if (!row) throw new NotFound('Attribute', id);
    return row;
  } catch (error) {
    if (pgErrorCode(error) === '23505')
      throw new Conflict('attribute_exists', `An attribute named ${input.key} already exists`, 'key');
    throw error;
  }
}

export async function deleteAttributeDefinition(db: Db, workspaceId: string, id: string): Promise<void> {
  const deleted = await db
    .delete(attributeDefinitions)
    .where(and(eq(attributeDefinitions.workspaceId, workspaceId), eq(attributeDefinitions.id, id)))
    .returning({ id: attributeDefinitions.id });
  if (deleted.length === 0) throw new NotFound('Attribute', id);
}

/** Why a value does not fit its definition, or the value as stored (text from a CSV cell becomes typed). */
export function coerceAttribute(
  definition: Pick<AttributeDefinition, 'type' | 'options'>,
  value: unknown,
): { value: unknown } | { error: string } {
  if (value === null) return { value };
  switch (definition.type) {
    case 'text':
      return typeof value === 'string' ? { value } : { error: 'must be text' };
    case 'number': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isFinite(n) ? { value: n } : { error: 'must be a number' };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { value };
      const text = String(value).toLowerCase();
      if (text === 'true' || text === 'yes' || text === '1') return { value: true };
      if (text === 'false' || text === 'no' || text === '0') return { value: false };
      return { error: 'must be true or false' };
    }
    case 'date': {
      if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value))
        return { error: 'must be a date, e.g. 2026-03-01' };
      return Number.isNaN(Date.parse(value)) ? { error: 'must be a valid date' } : { value };
    }
    case 'enum':
      return typeof value === 'string' && definition.options.includes(value)
        ? { value }
        : { error: `must be one of ${definition.options.join(', ')}` };
  }
}

/**
 * Checks the attributes that have a definition (others pass as they are); throws naming the first
 * bad one as `attributes.<key>`.
 */
export function checkAttributes(
  definitions: AttributeDefinition[],
  attributes: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!attributes || definitions.length === 0) return attributes;
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) {
    const definition = byKey.get(key);
    if (!definition) {
      out[key] = value;
      continue;
    }
    const checked = coerceAttribute(definition, value);
    if ('error' in checked)
      throw new InvalidInput(
        'attribute_invalid',
        `${definition.label} ${checked.error}`,
        `attributes.${key}`,
      );
    out[key] = checked.value;
  }
  return out;
}

export async function validateAttributes(
  db: Db,
  workspaceId: string,
  attributes: Record<string, unknown> | undefined,
): Promise<Record<string, unknown> | undefined> {
  if (!attributes || Object.keys(attributes).length === 0) return attributes;
  return checkAttributes(await listAttributeDefinitions(db, workspaceId), attributes);
}
