import { useState } from 'react';
import { type Member, useChangeRole, useMembers, useRemoveMember } from '../api/members';
import { type Role, useCan, useMe } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { Modal } from '../components/Modal';
import { formatDate } from '../lib/format';
import { InvitationsSection } from './InvitationsSection';
import { grantableRoles, ROLE_SUMMARIES } from './roles';

/** The workspace's members with their roles; owners and admins change roles, remove and invite. */
export function MembersPage() {
  const members = useMembers();
  const can = useCan();
  const manage = can('members:manage');
  const changeRole = useChangeRole();
  const remove = useRemoveMember();
  const [removing, setRemoving] = useState<Member | null>(null);
  const error = changeRole.error ?? remove.error;

  return (
    <div className="page" data-testid="members-page">
      <div className="page-head">
        <h1>Members</h1>
      </div>
      <ErrorAlert error={members.error ?? error} />
      {members.data && (
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Email</th>
              <th>Role</th>
              <th>Joined</th>
              {manage && <th />}
            </tr>
          </thead>
          <tbody>
            {members.data.map((member) => (
              <MemberRow
                key={member.userId}
                member={member}
                manage={manage}
                busy={changeRole.isPending}
                onRole={(role) => changeRole.mutate({ userId: member.userId, role })}
                onRemove={() => setRemoving(member)}
              />
            ))}
          </tbody>
        </table>
      )}
      {members.isPending && <p className="muted">Loading…</p>}
      <InvitationsSection />
      {removing && (
        <ConfirmRemove
          member={removing}
          onClose={() => setRemoving(null)}
          onConfirm={() => {
            remove.mutate(removing.userId);
            setRemoving(null);
          }}
        />
      )}
    </div>
  );
}

function MemberRow(props: {
  member: Member;
  manage: boolean;
  busy: boolean;
  onRole: (role: Role) => void;
  onRemove: () => void;
}) {
  const me = useMe();
  const { member } = props;
  const isMe = member.userId === me.user.id;
  // Only an owner changes an owner's role or removes one.
  const editable = props.manage && (member.role !== 'owner' || me.role === 'owner');
  return (
    <tr data-member={member.email}>
      <td>
        {member.name || '—'}
        {isMe && <span className="you">(you)</span>}
      </td>
      <td>{member.email}</td>
      <td>
        {editable ? (
          <select
            aria-label={`Role of ${member.email}`}
            value={member.role}
            disabled={props.busy}
            title={ROLE_SUMMARIES[member.role]}
            onChange={(e) => props.onRole(e.target.value as Role)}
          >
            {grantableRoles(me.role)
              .concat(grantableRoles(me.role).includes(member.role) ? [] : [member.role])
              .map((role) => (
                <option key={role} value={role}>
                  {role}
                </option>
              ))}
          </select>
        ) : (
          <span className="badge" title={ROLE_SUMMARIES[member.role]}>
            {member.role}
          </span>
        )}
      </td>
      <td>{formatDate(member.joinedAt)}</td>
      {props.manage && (
        <td>
          <div className="row-actions">
            {(editable || isMe) && (
              <button type="button" className="link-button danger" onClick={props.onRemove}>
                {isMe ? 'Leave' : 'Remove'}
              </button>
            )}
          </div>
        </td>
      )}
    </tr>
  );
}

function ConfirmRemove(props: { member: Member; onClose: () => void; onConfirm: () => void }) {
  const me = useMe();
  const isMe = props.member.userId === me.user.id;
  return (
    <Modal title={isMe ? 'Leave this workspace?' : `Remove ${props.member.email}?`} onClose={props.onClose}>
      <p>
        {isMe
          ? 'You lose access to this workspace at once.'
          : `${props.member.name || props.member.email} loses access to this workspace at once.`}
      </p>
      <div className="modal-actions">
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={props.onConfirm}>
          {isMe ? 'Leave' : 'Remove'}
        </button>
      </div>
    </Modal>
  );
}
