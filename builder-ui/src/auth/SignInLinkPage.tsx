import { useEffect, useRef } from 'react';
import { Link, useNavigate } from 'react-router';
import { useSignInWithLink } from '../api/auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { AuthFrame } from './AuthFrame';

/**
 * `/sign-in/link#token=…`, the one-time link of `wayline admin create-user`. The token is in the
 * fragment, so it never reaches a server log; it is used once, then dropped from the address.
 */
export function SignInLinkPage() {
  const navigate = useNavigate();
  const signIn = useSignInWithLink();
  const started = useRef(false);
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token');

  useEffect(() => {
    if (!token || started.current) return;
    started.current = true;
    window.history.replaceState(null, '', window.location.pathname);
    signIn.mutate(token, { onSuccess: () => navigate('/', { replace: true }) });
  }, [token, signIn, navigate]);

  return (
    <AuthFrame title="Signing in" footer={<Link to="/sign-in">Sign in with a password</Link>}>
      {!token && !started.current && (
        <div className="alert error" role="alert">
          This address has no sign-in token. Open the whole link you were given.
        </div>
      )}
      {signIn.isPending && <p className="muted">Checking your link…</p>}
      {signIn.isError && (
        <>
          <ErrorAlert error={signIn.error} />
          <p className="muted">
            A sign-in link works once and for 24 hours; ask for a new one if it expired.
          </p>
        </>
      )}
    </AuthFrame>
  );
}
