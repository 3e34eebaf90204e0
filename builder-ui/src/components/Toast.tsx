import { useCallback, useEffect, useState } from 'react';

export interface ToastMessage {
  text: string;
  kind: 'ok' | 'error';
}

/** One message at a time, gone after four seconds. */
export function useToast() {
  const [toast, setToast] = useState<ToastMessage | null>(null);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(null), 4000);
    return () => clearTimeout(timer);
  }, [toast]);
  const notify = useCallback((text: string, kind: ToastMessage['kind']) => setToast({ text, kind }), []);
  return { toast, notify };
}

export function Toast(props: { toast: ToastMessage | null }) {
  if (!props.toast) return null;
  return (
    <div className={`toast ${props.toast.kind}`} role="status">
      {props.toast.text}
    </div>
  );
}
