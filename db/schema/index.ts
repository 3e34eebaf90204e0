// One file per area; drizzle-kit reads them all through this index.

export * from './analytics';
export * from './audience';
export * from './automation';
export * from './campaigns';
export * from './content';
export * from './deals';
export * from './identity';
export * from './jobs';
export * from './journey-holdouts';
export * from './messaging';
export * from './tickets';
export * from './timeline';
export * from './workspaces';
