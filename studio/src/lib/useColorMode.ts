import { useEffect, useState } from 'react';
import { currentTheme, type Theme } from './theme';

export function useColorMode(): Theme {
  const [mode, setMode] = useState<Theme>(currentTheme);
  useEffect(() => {
    const update = () => setMode(currentTheme());
    const mq = matchMedia('(prefers-color-scheme: dark)');
    window.addEventListener('cf-theme', update);
    mq.addEventListener('change', update);
    return () => {
      window.removeEventListener('cf-theme', update);
      mq.removeEventListener('change', update);
    };
  }, []);
  return mode;
}
