import type { Db } from '../../db';
import { getContact } from '../audience/contacts/contacts';
import { getJourney, getVersion } from '../automation/journeys/journeys';
import type { JourneyGraph } from '../automation/journeys/model';
import { Conflict } from '../errors';
import type { SimulationRequest } from './script';
import type { SimulationResult, Simulator } from './simulator';

/**
 * Simulates a journey of the workspace: its draft (compiled as publishing would) or its active
 * version, for a described contact or a copy of one of the workspace's contacts.
 */
export async function simulateJourney(
  db: Db,
  simulator: Simulator,
  workspaceId: string,
  journeyId: string,
  request: SimulationRequest,
): Promise<SimulationResult & { source: 'draft' | 'active'; version: number | null }> {
  const journey = await getJourney(db, workspaceId, journeyId);
  let graph = journey.draft as unknown as JourneyGraph;
  let version: number | null = null;
  if (request.source === 'active') {
    if (journey.activeVersion === null) {
      throw new Conflict(
        'journey_unpublished',
        'The journey has no active version; simulate the draft',
        'source',
      );
    }
    graph = (await getVersion(db, workspaceId, journeyId, journey.activeVersion))
      .graph as unknown as JourneyGraph;
    version = journey.activeVersion;
  }
  const { contactId, ...described } = request.contact;
  let contact = described;
  if (contactId) {
    const row = await getContact(db, workspaceId, contactId);
    contact = {
      email: row.email ?? undefined,
      phone: row.phone ?? undefined,
      timezone: row.timezone ?? undefined,
      attributes: { ...row.attributes, ...described.attributes },
      tags: row.tags,
      ...Object.fromEntries(
        Object.entries(described).filter(([k, v]) => k !== 'attributes' && v !== undefined),
      ),
    };
  }
  const result = await simulator.run({ graph, contact, events: request.events });
  return { ...result, source: request.source, version };
}
