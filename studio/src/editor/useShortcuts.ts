import { useEffect } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import type { EditorState } from './store';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

/**
 * The editor's keys: undo, redo, copy, paste, save a version, delete the selection. Off while typing in a
 * field and while `paused` (a dialog is open).
 */
export function useShortcuts(store: StoreApi<EditorState>, { paused, saveVersion }: { paused: boolean; saveVersion(): void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || paused) return;
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.toLowerCase();
      const s = store.getState();
      if (mod && key === 'z' && !e.shiftKey) s.undo();
      else if (mod && ((key === 'z' && e.shiftKey) || key === 'y')) s.redo();
      else if (mod && key === 'c') s.copy();
      else if (mod && key === 'v') s.paste();
      else if (mod && key === 's') saveVersion();
      else if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) s.deleteSelected();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
}
