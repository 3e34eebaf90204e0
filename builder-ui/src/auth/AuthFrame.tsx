import type { ReactNode } from 'react';
import './auth.css';

/** The centred card every page before sign-in shares. */
export function AuthFrame(props: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="auth-page">
      <div className="auth-card">
        <div className="auth-brand">
          <span className="brand-mark">◢</span> Wayline
        </div>
        <h1>{props.title}</h1>
        {props.children}
      </div>
      {props.footer && <div className="auth-footer">{props.footer}</div>}
    </div>
  );
}
