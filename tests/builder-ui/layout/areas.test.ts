import { describe, expect, it } from 'vitest';
import { areasFor } from '../../../builder-ui/src/layout/areas';
import { ROLE_PERMISSIONS } from '../../../engine/identity/permissions';

const labels = (role: keyof typeof ROLE_PERMISSIONS) => areasFor(ROLE_PERMISSIONS[role]).map((a) => a.label);

describe('the navigation a role sees', () => {
  it('shows settings to owners, admins, analysts and developers, not to marketers', () => {
    expect(labels('owner')).toContain('Settings');
    expect(labels('admin')).toContain('Settings');
    expect(labels('analyst')).toContain('Settings');
    expect(labels('developer')).toContain('Settings');
    expect(labels('marketer')).not.toContain('Settings');
  });

  it('shows sales people contacts but no journeys', () => {
    expect(labels('sales')).toContain('Contacts');
    expect(labels('sales')).not.toContain('Journeys');
  });
});
