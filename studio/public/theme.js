// Apply the saved theme before first paint (no flash). A file, not an inline script: the CSP allows no inline code.
try {
  var t = localStorage.getItem('cf.theme');
  if (t === 'light' || t === 'dark') document.documentElement.dataset.theme = t;
} catch {}
