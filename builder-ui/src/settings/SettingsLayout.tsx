import { Navigate, NavLink, Outlet } from 'react-router';
import { type Permission, useMe } from '../api/session';
import { RequirePermission } from '../layout/RequirePermission';
import './settings.css';

export const settingsPages: { path: string; label: string; permission: Permission }[] = [
  { path: 'general', label: 'General', permission: 'settings:manage' },
  { path: 'holidays', label: 'Holidays', permission: 'journeys:write' },
  { path: 'members', label: 'Members', permission: 'members:read' },
  { path: 'api-keys', label: 'API keys', permission: 'keys:manage' },
  { path: 'audit-log', label: 'Audit log', permission: 'audit:read' },
];

/** The workspace's settings: a side list of the pages the role may open, the page beside it. */
export function SettingsLayout() {
  const me = useMe();
  const pages = settingsPages.filter((page) => me.permissions.includes(page.permission));
  return (
    <div className="settings">
      <aside className="settings-nav">
        <div className="settings-nav-title">Settings</div>
        {pages.map((page) => (
          <NavLink key={page.path} to={`/settings/${page.path}`}>
            {page.label}
          </NavLink>
        ))}
      </aside>
      <main className="settings-main">
        <Outlet />
      </main>
    </div>
  );
}

/** `/settings` opens the first page the role may see. */
export function SettingsIndex() {
  const me = useMe();
  const first = settingsPages.find((page) => me.permissions.includes(page.permission));
  if (first) return <Navigate to={`/settings/${first.path}`} replace />;
  return <RequirePermission anyOf={settingsPages.map((page) => page.permission)}>{null}</RequirePermission>;
}
