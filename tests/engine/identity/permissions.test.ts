import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../../db/schema';
import {
  PERMISSIONS,
  permissionsOfRole,
  permissionsOfScopes,
  ROUTE_PERMISSIONS,
  rolesMarkdown,
} from '../../../engine/identity/permissions';

const docs = path.resolve(import.meta.dirname, '..', '..', '..', 'docs', 'security.md');

describe('the permission table', () => {
  it('is what docs/security.md shows (regenerate the section with rolesMarkdown())', () => {
    const text = readFileSync(docs, 'utf8');
    const section = /<!-- roles:start -->\n([\s\S]*?)\n<!-- roles:end -->/.exec(text)?.[1];
    expect(section, 'docs/security.md has no roles section').toBeDefined();
    expect(section).toBe(rolesMarkdown());
  });

  it('gives the owner everything, the analyst nothing that writes, and each role what issue 11 says', () => {
    expect(permissionsOfRole('owner')).toEqual(PERMISSIONS);
    const analyst = permissionsOfRole('analyst');
    expect(analyst.filter((p) => p.endsWith(':write') || p.endsWith(':manage'))).toEqual([]);
    expect(analyst).toEqual(
      expect.arrayContaining(['analytics:run', 'exports', 'journeys:read', 'contacts:read']),
    );
    expect(permissionsOfRole('admin')).toEqual(
      expect.arrayContaining([
        'members:manage',
        'keys:manage',
        'channels:manage',
        'secrets:manage',
        'settings:manage',
      ]),
    );
    expect(permissionsOfRole('admin')).not.toContain('workspace:delete');
    expect(permissionsOfRole('marketer')).toEqual(
      expect.arrayContaining([
        'journeys:write',
        'segments:write',
        'templates:write',
        'campaigns:write',
        'contacts:write',
      ]),
    );
    expect(permissionsOfRole('marketer')).not.toContain('members:manage');
    expect(permissionsOfRole('sales')).toEqual(expect.arrayContaining(['contacts:write', 'deals:write']));
    expect(permissionsOfRole('sales')).not.toContain('journeys:read');
    expect(permissionsOfRole('support')).toEqual(expect.arrayContaining(['contacts:write', 'tickets:write']));
    expect(permissionsOfRole('developer')).toEqual(
      expect.arrayContaining([
        'keys:manage',
        'hooks:manage',
        'secrets:manage',
        'nodes:manage',
        'journeys:read',
      ]),
    );
    expect(permissionsOfRole('developer')).not.toContain('journeys:write');
    for (const role of ROLES) expect(permissionsOfRole(role).length).toBeGreaterThan(0);
  });

  it('limits key scopes: ingest to tracking, read to reads, write to marketing objects, admin to the admin role', () => {
    expect(permissionsOfScopes(['ingest'])).toEqual(['ingest']);
    expect(permissionsOfScopes(['read']).every((p) => p.endsWith(':read'))).toBe(true);
    expect(permissionsOfScopes(['write'])).toContain('journeys:write');
    expect(permissionsOfScopes(['write'])).not.toContain('members:manage');
    expect(permissionsOfScopes(['admin'])).toEqual(permissionsOfRole('admin'));
  });

  it('names only known permissions in the route table', () => {
    for (const [route, access] of Object.entries(ROUTE_PERMISSIONS)) {
      expect(route).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \/v1\//);
      expect(['public', 'signed-in', ...PERMISSIONS], route).toContain(access);
    }
  });
});
