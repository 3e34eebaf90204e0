import type { Role } from '../api/session';

/** What each role may do, in the words of docs/security.md (keyed by role: a new role fails to compile). */
export const ROLE_SUMMARIES: Record<Role, string> = {
  owner: 'Everything, including deleting the workspace',
  admin: 'Members, API keys, channels, secrets, settings, inbound hooks; reads everything',
  marketer: 'Journeys, segments, templates, content, campaigns, broadcasts, contacts',
  analyst: 'Reads everything, runs analytics, exports reports; changes nothing',
  sales: 'Contacts and deals',
  support: 'Contacts and service tickets',
  developer: 'API keys, inbound hooks, secrets, custom-node settings; reads journeys',
};

export const ROLES = Object.keys(ROLE_SUMMARIES) as Role[];

/** Only an owner grants, changes or removes the owner role (the server enforces it). */
export function grantableRoles(myRole: Role | null): Role[] {
  return myRole === 'owner' ? ROLES : ROLES.filter((role) => role !== 'owner');
}
