import { Outlet } from 'react-router';
import { useNodeTypes } from '../api/node-types';
import { useSession, useSignIn } from '../api/session';
import { KeyPrompt } from './KeyPrompt';
import { TopNav } from './TopNav';

/**
 * Every page: signed in with a workspace key (the node types double as the key check), under the
 * navigation of the page areas.
 */
export function AppLayout() {
  const session = useSession();
  const types = useNodeTypes(!!session.data);
  const signIn = useSignIn();

  if (session.isPending) return <div className="page loading">Loading…</div>;
  if (!session.data || types.error) {
    return <KeyPrompt error={types.error?.message ?? null} onKey={signIn} />;
  }
  return (
    <div className="app">
      <TopNav session={session.data} />
      <div className="app-body">
        {types.data ? <Outlet /> : <div className="page loading">Loading node types…</div>}
      </div>
    </div>
  );
}
