/** The page areas that have pages, in navigation order; add one here when its first page lands. */
export const areas = [
  { path: '/journeys', label: 'Journeys' },
  { path: '/contacts', label: 'Contacts' },
  { path: '/messages', label: 'Messages' },
] as const;
