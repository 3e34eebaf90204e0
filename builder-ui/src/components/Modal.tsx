import { type ReactNode, useEffect } from 'react';

/** A dialog over the page; the caller renders it only while open. Escape calls `onClose`. */
export function Modal(props: { title: string; children: ReactNode; onClose: () => void; testId?: string }) {
  const { onClose } = props;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-label={props.title} data-testid={props.testId}>
        <h2>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}
