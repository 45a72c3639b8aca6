import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { EditorState } from './store';

export interface Toast {
  text: string;
  kind: 'error' | 'info';
}

/** The editor's one message at a time, gone after 5 s; a refused connection shows why it was refused. */
export function useToast(store: StoreApi<EditorState>): [Toast | null, (toast: Toast | null) => void] {
  const [toast, setToast] = useState<Toast | null>(null);
  const refusal = useStore(store, (s) => s.refusal);
  useEffect(() => {
    if (refusal) setToast({ text: refusal.message, kind: 'error' });
  }, [refusal]);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), 5000);
    return () => clearTimeout(t);
  }, [toast]);
  return [toast, setToast];
}
