import { Navigate, Outlet, useLocation } from 'react-router';
import { useNodeTypes } from '../api/node-types';
import { useSession } from '../api/session';
import { signInPath } from '../auth/return-to';
import { ErrorAlert } from '../components/ErrorAlert';
import { NoWorkspace } from './NoWorkspace';
import { TopNav } from './TopNav';

/**
 * Every page: signed in (else to the sign-in page, which comes back here), in a workspace, under
 * the navigation of the page areas the role may open. Roles that read journeys wait for the node
 * types the editor needs.
 */
export function AppLayout() {
  const session = useSession();
  const location = useLocation();
  const me = session.data;
  const readsJourneys = !!me?.permissions.includes('journeys:read');
  const types = useNodeTypes(readsJourneys);

  if (session.isPending) return <div className="page loading">Loading…</div>;
  if (session.error)
    return (
      <div className="page">
        <ErrorAlert error={session.error} />
      </div>
    );
  if (!me) return <Navigate to={signInPath(location.pathname + location.search)} replace />;
  return (
    <div className="app">
      <TopNav me={me} />
      <div className="app-body">
        {!me.workspaceId ? (
          <NoWorkspace />
        ) : types.error ? (
          <div className="page">
            <ErrorAlert error={types.error} />
          </div>
        ) : readsJourneys && !types.data ? (
          <div className="page loading">Loading node types…</div>
        ) : (
          <Outlet />
        )}
      </div>
    </div>
  );
}
