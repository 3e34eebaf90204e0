import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAcceptInvitation } from '../api/auth';
import { useSession } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { AuthFrame } from './AuthFrame';
import { PasswordFields } from './PasswordFields';
import { signInPath } from './return-to';

/**
 * `/accept-invitation?token=…`, the link of the invitation email (engine/identity/invitations.ts).
 * A signed-in user joins as themselves; a new person chooses a name and a password; someone with
 * an account signs in first and comes back here.
 */
export function AcceptInvitationPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const session = useSession();
  const accept = useAcceptInvitation();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const done = () => navigate('/', { replace: true });

  if (!token)
    return (
      <AuthFrame title="Join a workspace">
        <div className="alert error" role="alert">
          This address has no invitation token. Open the whole link from the invitation email.
        </div>
      </AuthFrame>
    );
  if (session.isPending) return <AuthFrame title="Join a workspace">{null}</AuthFrame>;

  const me = session.data;
  return (
    <AuthFrame
      title="Join a workspace"
      footer={
        me ? null : (
          <Link to={signInPath(`/accept-invitation?token=${encodeURIComponent(token)}`)}>
            Already have an account? Sign in first
          </Link>
        )
      }
    >
      <ErrorAlert error={accept.error} />
      {me ? (
        <div className="auth-form">
          <p>
            You are signed in as <strong>{me.user.email}</strong>. Accept the invitation with this account?
          </p>
          <button
            type="button"
            className="primary"
            disabled={accept.isPending}
            onClick={() => accept.mutate({ token }, { onSuccess: done })}
          >
            Accept as {me.user.name || me.user.email}
          </button>
        </div>
      ) : (
        <form
          className="auth-form"
          onSubmit={(e) => {
            e.preventDefault();
            accept.mutate({ token, name: name.trim(), password }, { onSuccess: done });
          }}
        >
          <p className="muted">Choose your name and a password to create your account.</p>
          <label className="field">
            <span>Your name</span>
            <input
              name="name"
              autoComplete="name"
              required
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </label>
          <PasswordFields onChange={setPassword} />
          <button type="submit" className="primary" disabled={!password || !name.trim() || accept.isPending}>
            Join the workspace
          </button>
        </form>
      )}
    </AuthFrame>
  );
}
