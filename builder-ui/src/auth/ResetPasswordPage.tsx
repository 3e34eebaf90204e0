import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useConfirmPasswordReset, useRequestPasswordReset } from '../api/auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { AuthFrame } from './AuthFrame';
import { PasswordFields } from './PasswordFields';

/**
 * `/reset-password` asks for the email; the emailed link (`/reset-password?token=…`, made in
 * engine/identity/password-reset.ts) opens the form for the new password.
 */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token');
  return token ? <ChooseNewPassword token={token} /> : <RequestReset />;
}

function RequestReset() {
  const request = useRequestPasswordReset();
  const [email, setEmail] = useState('');
  return (
    <AuthFrame title="Reset your password" footer={<Link to="/sign-in">Back to sign-in</Link>}>
      {request.isSuccess ? (
        <div className="alert ok" role="status">
          If an account uses {email}, a link to choose a new password is on its way. It works once, for one
          hour.
        </div>
      ) : (
        <form
          className="auth-form"
          onSubmit={(e) => {
            e.preventDefault();
            request.mutate(email.trim());
          }}
        >
          <p className="muted">We will email you a link to choose a new password.</p>
          <ErrorAlert error={request.error} />
          <label className="field">
            <span>Email</span>
            <input
              type="email"
              name="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
            />
          </label>
          <button type="submit" className="primary" disabled={request.isPending}>
            Send the link
          </button>
        </form>
      )}
    </AuthFrame>
  );
}

function ChooseNewPassword(props: { token: string }) {
  const confirm = useConfirmPasswordReset();
  const [password, setPassword] = useState('');
  return (
    <AuthFrame title="Choose a new password" footer={<Link to="/sign-in">Back to sign-in</Link>}>
      {confirm.isSuccess ? (
        <>
          <div className="alert ok" role="status">
            Your password is set, and every earlier session has been signed out.
          </div>
          <Link className="button-link primary" to="/sign-in">
            Sign in
          </Link>
        </>
      ) : (
        <form
          className="auth-form"
          onSubmit={(e) => {
            e.preventDefault();
            confirm.mutate({ token: props.token, password });
          }}
        >
          <ErrorAlert error={confirm.error} />
          <PasswordFields onChange={setPassword} />
          <button type="submit" className="primary" disabled={!password || confirm.isPending}>
            Set the password
          </button>
        </form>
      )}
    </AuthFrame>
  );
}
