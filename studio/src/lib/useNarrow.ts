import { useEffect, useState } from 'react';

/** The width (styles.css's `max-width: 860px` rules) below which side panels become drawers and toolbars fold into a menu. */
const NARROW = '(max-width: 860px)';

export function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(() => matchMedia(NARROW).matches);
  useEffect(() => {
    const mq = matchMedia(NARROW);
    const update = () => setNarrow(mq.matches);
    update();
    mq.addEventListener('change', update);
    return () => mq.removeEventListener('change', update);
  }, []);
  return narrow;
}
