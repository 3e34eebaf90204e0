import { Link, NavLink } from 'react-router';
import { forgetKey, type Session } from '../api/session';
import { areas } from './areas';

export function TopNav(props: { session: Session }) {
  return (
    <nav className="topnav">
      <Link className="brand" to="/journeys">
        <span className="brand-mark">◢</span> Wayline
      </Link>
      {areas.map((area) => (
        <NavLink key={area.path} to={area.path} className={({ isActive }) => (isActive ? 'active' : '')}>
          {area.label}
        </NavLink>
      ))}
      <div className="spacer" />
      {props.session.demo ? (
        <span
          className="demo-badge"
          title="Until login exists, this local server hands its demo workspace key to the UI"
        >
          Demo workspace
        </span>
      ) : (
        <button type="button" className="link-button" onClick={forgetKey}>
          Change API key
        </button>
      )}
    </nav>
  );
}
