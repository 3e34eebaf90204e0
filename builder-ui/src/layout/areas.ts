import type { Permission } from '../api/session';

export interface Area {
  path: string;
  label: string;
  /** Shown to a role holding any of these (always when absent); the server still decides. */
  anyOf?: readonly Permission[];
}

/** The page areas that have pages, in navigation order; add one here when its first page lands. */
export const areas: readonly Area[] = [
  { path: '/journeys', label: 'Journeys', anyOf: ['journeys:read'] },
  { path: '/contacts', label: 'Contacts', anyOf: ['contacts:read'] },
  { path: '/segments', label: 'Segments', anyOf: ['segments:read'] },
  { path: '/lists', label: 'Lists', anyOf: ['contacts:read'] },
  { path: '/deals', label: 'Deals', anyOf: ['deals:read'] },
  { path: '/campaigns', label: 'Campaigns', anyOf: ['campaigns:read'] },
  { path: '/messages', label: 'Messages', anyOf: ['messages:read'] },
  { path: '/templates', label: 'Templates', anyOf: ['templates:read'] },
  { path: '/content', label: 'Content', anyOf: ['content:read'] },
  { path: '/channels', label: 'Channels', anyOf: ['channels:read'] },
  { path: '/tickets', label: 'Tickets', anyOf: ['tickets:read'] },
  { path: '/analytics', label: 'Analytics', anyOf: ['analytics:read'] },
  { path: '/settings', label: 'Settings', anyOf: ['members:read', 'keys:manage', 'audit:read'] },
];

/** The areas a holder of these permissions may open, in navigation order. */
export function areasFor(permissions: readonly Permission[]): Area[] {
  return areas.filter((area) => !area.anyOf || area.anyOf.some((p) => permissions.includes(p)));
}
