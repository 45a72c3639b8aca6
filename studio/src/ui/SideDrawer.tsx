import { useEffect, type ReactNode } from 'react';

/**
 * A side panel that stays in the layout when the window is wide; when `narrow`, a drawer over the canvas that
 * shows only while `open`, with a Close button (Escape closes it too).
 */
export function SideDrawer({
  narrow,
  open,
  label,
  onClose,
  children,
}: {
  narrow: boolean;
  open: boolean;
  label: string;
  onClose(): void;
  children: ReactNode;
}) {
  useEffect(() => {
    if (!narrow || !open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [narrow, open, onClose]);
  if (!narrow) return <>{children}</>;
  if (!open) return null;
  return (
    <div className="drawer" data-drawer={label}>
      <div className="drawer-head">
        <button className="btn ghost small" onClick={onClose} aria-label={`Close ${label}`}>
          ✕ Close
        </button>
      </div>
      {children}
    </div>
  );
}

/** The toolbar button that opens and closes a SideDrawer (shown only when narrow). */
export function DrawerToggle({ open, label, onToggle }: { open: boolean; label: string; onToggle(): void }) {
  return (
    <button
      className={`btn small${open ? ' active' : ''}`}
      aria-pressed={open}
      onClick={onToggle}
      title={`Show or hide the ${label.toLowerCase()}`}
    >
      ☰ {label}
    </button>
  );
}
