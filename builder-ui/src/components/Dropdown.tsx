import { type ReactNode, useEffect, useRef, useState } from 'react';
import './dropdown.css';

/** A button that opens a menu below it; a click outside or Escape closes it. */
export function Dropdown(props: {
  label: ReactNode;
  className?: string;
  testId?: string;
  align?: 'left' | 'right';
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onClick = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onClick);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onClick);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div className={`dropdown ${props.className ?? ''}`} ref={root} data-testid={props.testId}>
      <button
        type="button"
        className="dropdown-toggle"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        {props.label} <span className="chevron">▾</span>
      </button>
      {open && (
        <div className={`dropdown-menu ${props.align ?? 'left'}`} role="menu">
          {props.children(() => setOpen(false))}
        </div>
      )}
    </div>
  );
}
