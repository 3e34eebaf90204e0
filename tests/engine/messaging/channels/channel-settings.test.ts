import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../../db';
import { channelSettings } from '../../../../db/schema';
import { SecretBox } from '../../../../engine/identity/secret-box';
import { createWorkspace } from '../../../../engine/identity/workspaces';
import { resolveChannel, saveChannelSettings } from '../../../../engine/messaging/channels/channel-settings';
import { testSecretBox } from '../../../helpers/channels';
import { databaseKinds, openTestDb } from '../../../helpers/databases';

describe.each(databaseKinds())('channel provider settings (%s)', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDb(kind);
  });
  afterAll(() => database?.close());

  const smtp = {
    host: 'smtp.acme.test',
    port: 587,
    from: 'Acme <news@acme.test>',
    user: 'news',
    password: 'hunter2-very-secret',
  };

  it('stores secret fields only encrypted and never returns them', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Secrets');
    const view = await saveChannelSettings(db, testSecretBox, workspace.id, 'email', {
      provider: 'smtp',
      config: smtp,
    });

    expect(view.config).not.toHaveProperty('password');
    expect(view.secretsSet).toEqual(['password']);
    const [row] = await db
      .select()
      .from(channelSettings)
      .where(eq(channelSettings.workspaceId, workspace.id));
    expect(JSON.stringify(row)).not.toContain('hunter2');
    expect((await resolveChannel(db, testSecretBox, workspace.id, 'email')).config).toMatchObject({
      password: 'hunter2-very-secret',
    });
  });

  it('keeps a stored secret when an update omits it', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Keep');
    await saveChannelSettings(db, testSecretBox, workspace.id, 'email', { provider: 'smtp', config: smtp });
    const { password: _omitted, ...rest } = smtp;
    await saveChannelSettings(db, testSecretBox, workspace.id, 'email', {
      provider: 'smtp',
      config: { ...rest, port: 2525 },
    });
    expect((await resolveChannel(db, testSecretBox, workspace.id, 'email')).config).toMatchObject({
      port: 2525,
      password: 'hunter2-very-secret',
    });
  });

  it('refuses a config the provider schema rejects, naming the field', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Bad');
    await expect(
      saveChannelSettings(db, testSecretBox, workspace.id, 'sms', {
        provider: 'twilio',
        config: { accountSid: 'AC1', from: '+1555' },
      }),
    ).rejects.toMatchObject({ code: 'provider_config_invalid', field: 'config.authToken' });
    await expect(
      saveChannelSettings(db, testSecretBox, workspace.id, 'sms', { provider: 'smtp', config: smtp }),
    ).rejects.toMatchObject({ code: 'provider_unknown', field: 'provider' });
  });

  it('cannot read secrets with a different key', async () => {
    const { db } = database;
    const workspace = await createWorkspace(db, 'Rotated');
    await saveChannelSettings(db, testSecretBox, workspace.id, 'email', { provider: 'smtp', config: smtp });
    await expect(
      resolveChannel(db, new SecretBox(Buffer.alloc(32, 9)), workspace.id, 'email'),
    ).rejects.toMatchObject({
      code: 'secret_unreadable',
    });
  });
});
