import { useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { useDemoSignIn, useSignIn } from '../api/auth';
import { useSession, useUiConfig } from '../api/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { AuthFrame } from './AuthFrame';
import { safeReturnTo } from './return-to';

/** Email and password; single sign-on and the demo owner where this server offers them. */
export function SignInPage() {
  const [params] = useSearchParams();
  const returnTo = safeReturnTo(params.get('returnTo'));
  const navigate = useNavigate();
  const session = useSession();
  const config = useUiConfig();
  const signIn = useSignIn();
  const demo = useDemoSignIn();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  if (session.data && !signIn.isPending) return <Navigate to={returnTo} replace />;
  const done = () => navigate(returnTo, { replace: true });
  return (
    <AuthFrame title="Sign in" footer={<Link to="/reset-password">Forgot your password?</Link>}>
      <form
        className="auth-form"
        onSubmit={(e) => {
          e.preventDefault();
          signIn.mutate({ email: email.trim(), password }, { onSuccess: done });
        }}
      >
        <ErrorAlert error={signIn.error ?? demo.error} />
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
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" className="primary" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      {(config.data?.sso || config.data?.autologin) && <div className="auth-or">or</div>}
      {config.data?.sso && (
        <a className="button-link" href={`/v1/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`}>
          Sign in with single sign-on
        </a>
      )}
      {config.data?.autologin && (
        <button type="button" onClick={() => demo.mutate(undefined, { onSuccess: done })}>
          Continue as the demo owner
        </button>
      )}
    </AuthFrame>
  );
}
