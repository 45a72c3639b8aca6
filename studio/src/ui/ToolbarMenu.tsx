import { useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * A toolbar's secondary actions: in line when the window is wide; when `narrow`, folded into a "More" menu that
 * closes on a choice, on Escape or on a click elsewhere.
 */
export function ToolbarMenu({ narrow, children }: { narrow: boolean; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (e: PointerEvent) => !box.current?.contains(e.target as Node) && setOpen(false);
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    window.addEventListener('pointerdown', away);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('pointerdown', away);
      window.removeEventListener('keydown', onKey);
    };
  }, [open]);
  useEffect(() => {
    if (!narrow) setOpen(false);
  }, [narrow]);
  if (!narrow) return <>{children}</>;
  return (
    <div className="toolbar-menu" ref={box}>
      <button className="btn small" aria-haspopup="true" aria-expanded={open} onClick={() => setOpen(!open)}>
        ⋯ More
      </button>
      {open && (
        // A click on an action inside is a choice: the menu closes after it has run.
        <div className="toolbar-menu-items" aria-label="More actions" onClick={() => setTimeout(() => setOpen(false))}>
          {children}
        </div>
      )}
    </div>
  );
}
