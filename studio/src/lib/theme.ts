export type Theme = 'light' | 'dark';

export function currentTheme(): Theme {
  const set = document.documentElement.dataset.theme;
  if (set === 'light' || set === 'dark') return set;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function setTheme(theme: Theme | 'system'): void {
  if (theme === 'system') {
    delete document.documentElement.dataset.theme;
    localStorage.removeItem('cf.theme');
  } else {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('cf.theme', theme);
  }
  window.dispatchEvent(new Event('cf-theme'));
}
