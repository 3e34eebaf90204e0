import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { type AnyConnector, type Channel, channels, findConnector } from '../../../connectors';
import type { Db } from '../../../db';
import { type ChannelPolicySettings, channelSettings } from '../../../db/schema';
import { InvalidInput } from '../../errors';
import type { SecretBox } from '../../identity/secret-box';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24-hour)');

export const channelPolicySchema = z.object({
  frequencyCap: z
    .object({
      max: z.number().int().min(1).max(1000),
      windowHours: z
        .number()
        .positive()
        .max(24 * 31),
    })
    .optional()
    .describe('At most `max` marketing sends per contact on this channel within the window, across journeys'),
  quietHours: z
    .object({ start: hhmm, end: hhmm })
    .refine((q) => q.start !== q.end, { message: 'start and end must differ', path: ['end'] })
    .optional()
    .describe("No marketing sends between start and end, in the contact's local time"),
  rate: z
    .object({ perMinute: z.number().int().min(1).max(100_000) })
    .optional()
    .describe(
      'At most this many marketing sends per minute on this channel for the workspace; the rest wait',
    ),
});

export const channelSettingsInput = z.object({
  provider: z
    .string()
    .nullable()
    .describe(
      "Provider id (smtp, twilio, webhook, slack, web-push, fcm, apns, fcm-apns, wechat, or a plugin's); null = dev outbox",
    ),
  config: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Provider settings; omitted secret fields keep their stored value'),
  policy: channelPolicySchema.default({}),
});

export type ChannelSettingsInput = z.input<typeof channelSettingsInput>;

export interface ChannelSettingsView {
  channel: string;
  provider: string | null;
  config: Record<string, unknown>;
  /** Names of the secret fields that are set; their values are never returned. */
  secretsSet: string[];
  policy: ChannelPolicySettings;
  updatedAt: Date;
}

export interface ResolvedChannel {
  /** null: no provider configured, the message goes to the dev outbox. */
  connector: AnyConnector | null;
  config: Record<string, unknown>;
  policy: ChannelPolicySettings;
}

export function assertChannel(channel: string): Channel {
  if (!channels.includes(channel as Channel)) {
    throw new InvalidInput(
      'channel_unknown',
      `Unknown channel ${channel}; one of ${channels.join(', ')}`,
      'channel',
    );
  }
  return channel as Channel;
}

function splitSecrets(connector: AnyConnector, config: Record<string, unknown>) {
  const plain: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    (connector.secretFields.includes(key) ? secret : plain)[key] = value;
  }
  return { plain, secret };
}

/** Validates a channel's provider settings with the connector's schema and stores secrets encrypted. */
export async function saveChannelSettings(
  db: Db,
  box: SecretBox,
  workspaceId: string,
  channelName: string,
  raw: ChannelSettingsInput,
): Promise<ChannelSettingsView> {
  const channel = assertChannel(channelName);
  const input = channelSettingsInput.parse(raw);
  let plain: Record<string, unknown> = {};
  let sealed: string | null = null;
  if (input.provider !== null) {
    const connector = findConnector(input.provider);
    if (!connector || connector.channel !== channel) {
      throw new InvalidInput(
        'provider_unknown',
        `Provider ${input.provider} does not serve the ${channel} channel`,
        'provider',
      );
    }
    const previous = await resolveChannel(db, box, workspaceId, channel);
    const kept =
      previous.connector?.id === connector.id ? splitSecrets(connector, previous.config).secret : {};
    const parsed = connector.configSchema.safeParse({ ...kept, ...input.config });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = ['config', ...issue.path.map(String)].join('.');
      throw new InvalidInput('provider_config_invalid', `${field}: ${issue.message}`, field);
    }
    const split = splitSecrets(connector, parsed.data as Record<string, unknown>);
    plain = split.plain;
    sealed = Object.keys(split.secret).length > 0 ? box.encrypt(JSON.stringify(split.secret)) : null;
  }
  const values = {
    provider: input.provider,
    config: plain,
    secrets: sealed,
    policy: input.policy,
    updatedAt: new Date(),
  };
  await db
    .insert(channelSettings)
    .values({ workspaceId, channel, ...values })
    .onConflictDoUpdate({ target: [channelSettings.workspaceId, channelSettings.channel], set: values });
  const [view] = (await listChannelSettings(db, box, workspaceId)).filter((v) => v.channel === channel);
  return view;
}

export async function listChannelSettings(
  db: Db,
  box: SecretBox,
  workspaceId: string,
): Promise<ChannelSettingsView[]> {
  const rows = await db.select().from(channelSettings).where(eq(channelSettings.workspaceId, workspaceId));
  return rows.map((row) => ({
    channel: row.channel,
    provider: row.provider,
    config: row.config,
    secretsSet: row.secrets ? Object.keys(JSON.parse(box.decrypt(row.secrets))) : [],
    policy: row.policy,
    updatedAt: row.updatedAt,
  }));
}

export async function deleteChannelSettings(db: Db, workspaceId: string, channel: string): Promise<void> {
  await db
    .delete(channelSettings)
    .where(
      and(eq(channelSettings.workspaceId, workspaceId), eq(channelSettings.channel, assertChannel(channel))),
    );
}

/** The provider (with decrypted config) and policy a send on this channel uses. */
export async function resolveChannel(
  db: Db,
  box: SecretBox,
  workspaceId: string,
  channel: string,
): Promise<ResolvedChannel> {
  const [row] = await db
    .select()
    .from(channelSettings)
    .where(and(eq(channelSettings.workspaceId, workspaceId), eq(channelSettings.channel, channel)));
  return openChannelSettings(box, row);
}

export type ChannelSettingsRow = typeof channelSettings.$inferSelect;

/** A channel's stored settings as a send uses them, secrets opened; none stored: the dev outbox, no policy. */
export function openChannelSettings(
  box: SecretBox,
  row: ChannelSettingsRow | null | undefined,
): ResolvedChannel {
  if (!row) return { connector: null, config: {}, policy: {} };
  const connector = row.provider ? (findConnector(row.provider) ?? null) : null;
  const secrets = row.secrets ? (JSON.parse(box.decrypt(row.secrets)) as Record<string, unknown>) : {};
  return { connector, config: { ...row.config, ...secrets }, policy: row.policy };
}
