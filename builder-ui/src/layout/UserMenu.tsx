import { useNavigate } from 'react-router';
import { useSignOut } from '../api/auth';
import type { Me } from '../api/session';
import { Dropdown } from '../components/Dropdown';

/** Who is signed in, and the two ways out. */
export function UserMenu(props: { me: Me }) {
  const signOut = useSignOut();
  const navigate = useNavigate();
  const out = (everywhere: boolean) =>
    signOut.mutate(everywhere, { onSuccess: () => navigate('/sign-in', { replace: true }) });
  return (
    <Dropdown
      testId="user-menu"
      className="user-menu"
      align="right"
      label={props.me.user.name || props.me.user.email}
    >
      {(close) => (
        <>
          <div className="dropdown-heading">
            {props.me.user.name && <div className="user-name">{props.me.user.name}</div>}
            <div className="muted">{props.me.user.email}</div>
          </div>
          <button
            type="button"
            role="menuitem"
            className="dropdown-item"
            onClick={() => {
              close();
              out(false);
            }}
          >
            Sign out
          </button>
          <button
            type="button"
            role="menuitem"
            className="dropdown-item"
            title="Ends your sessions in every browser"
            onClick={() => {
              close();
              out(true);
            }}
          >
            Sign out everywhere
          </button>
        </>
      )}
    </Dropdown>
  );
}
