import { describe, expect, it } from 'vitest';
import { safeReturnTo, signInPath } from '../../../builder-ui/src/auth/return-to';

describe('the page to come back to after signing in', () => {
  it('keeps a path of this site with its query', () => {
    expect(safeReturnTo('/settings/members')).toBe('/settings/members');
    expect(safeReturnTo('/accept-invitation?token=abc')).toBe('/accept-invitation?token=abc');
  });

  it('refuses other sites, protocol-relative and backslash tricks, and the sign-in page itself', () => {
    for (const value of [
      'https://evil.example',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      '/sign-in?returnTo=/x',
      '',
      null,
    ])
      expect(safeReturnTo(value)).toBe('/');
  });

  it('builds the sign-in address that returns to the page', () => {
    expect(signInPath('/')).toBe('/sign-in');
    expect(signInPath('/contacts?q=ann')).toBe('/sign-in?returnTo=%2Fcontacts%3Fq%3Dann');
  });
});
