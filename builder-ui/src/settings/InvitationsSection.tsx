import { useState } from 'react';
import { useInvitations, useInvite, useRevokeInvitation } from '../api/invitations';
import { type Role, useCan, useMe } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatDate } from '../lib/format';
import { grantableRoles, ROLE_SUMMARIES } from './roles';

/** Invite by email with a role; the invitations not yet accepted, each revocable. */
export function InvitationsSection() {
  const can = useCan();
  const manage = can('members:manage');
  const invitations = useInvitations();
  const revoke = useRevokeInvitation();
  return (
    <section>
      <h2 className="section-title">Invitations</h2>
      {manage && <InviteForm />}
      <ErrorAlert error={invitations.error ?? revoke.error} />
      {invitations.data?.length === 0 && <p className="muted">No invitations waiting.</p>}
      {!!invitations.data?.length && (
        <table className="table" data-testid="invitations">
          <thead>
            <tr>
              <th>Email</th>
              <th>Role</th>
              <th>Sent</th>
              <th>Expires</th>
              {manage && <th />}
            </tr>
          </thead>
          <tbody>
            {invitations.data.map((invitation) => (
              <tr key={invitation.id} data-invitation={invitation.email}>
                <td>{invitation.email}</td>
                <td>
                  <span className="badge">{invitation.role}</span>
                </td>
                <td>{formatDate(invitation.createdAt)}</td>
                <td>{formatDate(invitation.expiresAt)}</td>
                {manage && (
                  <td>
                    <div className="row-actions">
                      <button
                        type="button"
                        className="link-button danger"
                        disabled={revoke.isPending}
                        onClick={() => revoke.mutate(invitation.id)}
                      >
                        Revoke
                      </button>
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function InviteForm() {
  const me = useMe();
  const invite = useInvite();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('marketer');
  const [sent, setSent] = useState<string | null>(null);
  return (
    <>
      <form
        className="settings-form"
        data-testid="invite-form"
        onSubmit={(e) => {
          e.preventDefault();
          const to = email.trim();
          invite.mutate(
            { email: to, role },
            {
              onSuccess: () => {
                setSent(to);
                setEmail('');
              },
            },
          );
        }}
      >
        <label className="wide">
          Email
          <input
            type="email"
            name="invite-email"
            required
            placeholder="name@company.com"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
        <label>
          Role
          <select name="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {grantableRoles(me.role).map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary" disabled={invite.isPending}>
          Send invitation
        </button>
      </form>
      <p className="help">{ROLE_SUMMARIES[role]}. The emailed link works once and expires after 7 days.</p>
      <ErrorAlert error={invite.error} />
      {sent && !invite.error && (
        <div className="alert ok" role="status">
          Invitation sent to {sent}.
        </div>
      )}
    </>
  );
}
