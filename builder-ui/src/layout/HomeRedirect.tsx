import { Navigate } from 'react-router';
import { useMe } from '../api/session';
import { areasFor } from './areas';

/** `/` and unknown paths open the first area the role may see (journeys for most). */
export function HomeRedirect() {
  const me = useMe();
  const first = areasFor(me.permissions)[0];
  if (!first) return <div className="page muted">Your role has no pages in this workspace yet.</div>;
  return <Navigate to={first.path} replace />;
}
