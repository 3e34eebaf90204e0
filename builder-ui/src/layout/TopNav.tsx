import { Link, NavLink } from 'react-router';
import { type Me, useUiConfig } from '../api/session';
import { areasFor } from './areas';
import { UserMenu } from './UserMenu';
import { WorkspaceSwitcher } from './WorkspaceSwitcher';

export function TopNav(props: { me: Me }) {
  const config = useUiConfig();
  const areas = areasFor(props.me.permissions);
  return (
    <nav className="topnav">
      <Link className="brand" to={areas[0]?.path ?? '/'}>
        <span className="brand-mark">◢</span> Wayline
      </Link>
      <WorkspaceSwitcher me={props.me} />
      {areas.map((area) => (
        <NavLink key={area.path} to={area.path} className={({ isActive }) => (isActive ? 'active' : '')}>
          {area.label}
        </NavLink>
      ))}
      <div className="spacer" />
      {config.data?.demo && (
        <span
          className="demo-badge"
          title="This local server signs a browser on its own machine in as the demo owner (WAYLINE_DEMO_AUTOLOGIN)"
        >
          Demo workspace
        </span>
      )}
      <UserMenu me={props.me} />
    </nav>
  );
}
