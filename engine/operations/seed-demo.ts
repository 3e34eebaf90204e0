import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db';
import { workspaces } from '../../db/schema';
import { createContact } from '../audience/contacts/contacts';
import { createJourney } from '../automation/journeys/journeys';
import { journeyTemplates } from '../automation/journeys/templates';
import type { SlaTemporal } from '../crm/tickets/sla';
import { authenticateKey } from '../identity/api-keys';
import { addMember, roleOf } from '../identity/memberships';
import { verifyPassword } from '../identity/passwords';
import { createUser, findUserByEmail, setPassword } from '../identity/users';
import { createWorkspace } from '../identity/workspaces';
import { seedDemoCrm } from './seed-demo-crm';

export interface DemoWorkspace {
  id: string;
  secretKey: string;
  writeKey: string;
  created: boolean;
}

/**
 * The demo workspace of `npm start`: created once with sample contacts, template drafts and CRM
 * data (a sales pipeline with deals, SLA policies, tickets, their SLA timers started through `sla`); its
 * keys are kept in the data folder (readable by this user only) so restarts print the same key.
 */
export async function ensureDemoWorkspace(
  db: Db,
  dataDir: string,
  sla?: SlaTemporal,
): Promise<DemoWorkspace> {
  const file = path.join(dataDir, 'demo-workspace.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Omit<DemoWorkspace, 'created'>;
    const [row] = await db.select().from(workspaces).where(eq(workspaces.id, saved.id));
    if (row && (await authenticateKey(db, saved.secretKey, 'secret')) === saved.id) {
      return { ...saved, created: false };
    }
  }
  const workspace = await createWorkspace(db, 'Demo workspace', 'Europe/Paris');
  const people = [
    {
      userId: 'demo-ada',
      email: 'ada@example.com',
      phone: '+33612345678',
      timezone: 'Europe/Paris',
      attributes: { firstName: 'Ada', birthday: '1990-12-10', plan: 'pro' },
    },
    {
      userId: 'demo-ken',
      email: 'ken@example.com',
      timezone: 'Asia/Tokyo',
      attributes: { firstName: 'Ken', birthday: '1985-04-02', plan: 'free' },
    },
    {
      userId: 'demo-maya',
      email: 'maya@example.com',
      phone: '+14155550100',
      timezone: 'America/New_York',
      attributes: { firstName: 'Maya', birthday: '1995-02-28', plan: 'free' },
    },
  ];
  const contactIds: string[] = [];
  for (const person of people) contactIds.push((await createContact(db, workspace.id, person)).id);
  await seedDemoCrm(db, workspace.id, contactIds, sla);
  for (const template of journeyTemplates) await createJourney(db, workspace.id, template.graph);
  const saved = { id: workspace.id, secretKey: workspace.secretKey, writeKey: workspace.writeKey };
  // With DATABASE_URL and TEMPORAL_ADDRESS nothing else creates the data folder.
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(saved, null, 2), { mode: 0o600 });
  return { ...saved, created: true };
}

export const DEMO_EMAIL = 'demo@wayline.local';

export interface DemoUser {
  id: string;
  email: string;
  password: string;
}

/**
 * The demo workspace's owner, whose sign-in `npm start` prints. The generated password is kept
 * in the data folder (readable by this user only), like the demo keys, so restarts print the same.
 */
export async function ensureDemoUser(db: Db, dataDir: string, workspaceId: string): Promise<DemoUser> {
  const file = path.join(dataDir, 'demo-user.json');
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { password?: string }) : {};
  const password = saved.password ?? randomBytes(12).toString('base64url');
  let user = await findUserByEmail(db, DEMO_EMAIL);
  if (!user) user = await createUser(db, { email: DEMO_EMAIL, name: 'Demo owner', password });
  else if (!user.passwordHash || !(await verifyPassword(user.passwordHash, password)))
    await setPassword(db, user.id, password);
  if (!(await roleOf(db, workspaceId, user.id))) await addMember(db, workspaceId, user.id, 'owner');
  if (saved.password !== password)
    writeFileSync(file, JSON.stringify({ email: DEMO_EMAIL, password }, null, 2), { mode: 0o600 });
  return { id: user.id, email: DEMO_EMAIL, password };
}
