import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db';
import { workspaces } from '../../db/schema';
import { createContact } from '../audience/contacts/contacts';
import { createJourney } from '../automation/journeys/journeys';
import { journeyTemplates } from '../automation/journeys/templates';
import { authenticateKey } from '../identity/api-keys';
import { createWorkspace } from '../identity/workspaces';

export interface DemoWorkspace {
  id: string;
  secretKey: string;
  writeKey: string;
  created: boolean;
}

/**
 * The demo workspace of `npm start`: created once with sample contacts and template drafts; its
 * keys are kept in the data folder (readable by this user only) so restarts print the same key.
 */
export async function ensureDemoWorkspace(db: Db, dataDir: string): Promise<DemoWorkspace> {
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
  for (const person of people) await createContact(db, workspace.id, person);
  for (const template of journeyTemplates) await createJourney(db, workspace.id, template.graph);
  const saved = { id: workspace.id, secretKey: workspace.secretKey, writeKey: workspace.writeKey };
  writeFileSync(file, JSON.stringify(saved, null, 2), { mode: 0o600 });
  return { ...saved, created: true };
}
