import { createHash } from 'node:crypto';
import type { Response } from 'express';
import type { FileKind } from './services/runFiles';

/** One thing a share page shows; `text` for texts shown inline, `url` for the bytes (share-scoped). */
export interface SharedItem {
  caption: string;
  kind: Exclude<FileKind, 'json' | 'file'>;
  url: string;
  /** The text itself, or null when it is too long to show here (the page links to it). */
  text?: string | null;
  size: number;
}

const STYLE = `
:root { color-scheme: light dark; --bg: #f7f7f8; --panel: #fff; --text: #1d1d22; --muted: #5f6170; --line: #e2e3e8; --accent: #5b5bd6; }
@media (prefers-color-scheme: dark) { :root { --bg: #141418; --panel: #1d1d23; --text: #ececf1; --muted: #a3a4b3; --line: #30313a; --accent: #9d9df5; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 760px; margin: 0 auto; padding: 32px 20px 48px; }
header { margin-bottom: 24px; }
.brand { margin: 0; color: var(--muted); font-size: 13px; letter-spacing: .04em; text-transform: uppercase; }
h1 { margin: 4px 0 0; font-size: 26px; }
.muted { color: var(--muted); }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 16px; margin: 0 0 16px; }
h2 { margin: 0 0 10px; font-size: 15px; color: var(--muted); font-weight: 600; }
img, video { display: block; max-width: 100%; height: auto; border-radius: 8px; }
audio { width: 100%; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
a { color: var(--accent); }
footer { margin-top: 32px; font-size: 13px; color: var(--muted); }
`;

/** No script, nothing from elsewhere, no forms, not in frames: pictures, sound and this style sheet only. */
const PAGE_CSP = [
  "default-src 'none'",
  "img-src 'self'",
  "media-src 'self'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of everything a share link answers: the link must not travel on (referrer), be indexed or be cached. */
export function setShareHeaders(res: Response): void {
  res.set({
    'Referrer-Policy': 'no-referrer',
    'X-Robots-Tag': 'noindex, nofollow, noarchive',
    'X-Content-Type-Options': 'nosniff',
  });
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
<footer>A read-only page, shared by the person who made it with CreativeFlow. Anyone with its link can see it until they revoke it.</footer>
</main>
</body>
</html>
`;
}

function item(entry: SharedItem): string {
  const caption = escapeHtml(entry.caption);
  const url = escapeHtml(entry.url);
  const heading = `<h2>${caption}</h2>`;
  switch (entry.kind) {
    case 'image':
      return `<section class="item image">${heading}<img src="${url}" alt="${caption}" loading="lazy"></section>`;
    case 'audio':
      return `<section class="item audio">${heading}<audio controls preload="metadata" src="${url}"></audio></section>`;
    case 'video':
      return `<section class="item video">${heading}<video controls preload="metadata" src="${url}"></video></section>`;
    case 'text':
      return typeof entry.text === 'string'
        ? `<section class="item text">${heading}<p class="text">${escapeHtml(entry.text)}</p></section>`
        : `<section class="item text">${heading}<p class="muted">This text is too long to show here (${Math.ceil(entry.size / 1024)} KB). <a href="${url}">Open it</a>.</p></section>`;
  }
}

/** The share page: its items in order, every text escaped (they are the user's and a model's). */
export function renderSharePage(opts: { items: SharedItem[]; madeAt: Date }): string {
  const day = opts.madeAt.toISOString().slice(0, 10);
  const body = [
    '<header>',
    '<p class="brand">CreativeFlow</p>',
    '<h1>Shared outputs</h1>',
    `<p class="muted">Made on <time datetime="${day}">${day}</time></p>`,
    '</header>',
    opts.items.length > 0
      ? opts.items.map(item).join('\n')
      : '<section><p class="muted">This run made no pictures, sound or texts to show.</p></section>',
  ].join('\n');
  return page('Shared from CreativeFlow', body);
}

/** What a person following a dead or mangled link sees (a client that prefers JSON gets the usual error). */
export function renderShareError(status: number): string {
  const [title, text] =
    status === 404
      ? ['This link doesn’t work', 'It may have been revoked by the person who shared it, or copied incompletely. Ask them for a new one.']
      : ['This is not a share link', 'Check that the whole link was copied, or ask the person who shared it to send it again.'];
  return page(
    title,
    `<header><p class="brand">CreativeFlow</p><h1>${escapeHtml(title)}</h1><p class="muted">${escapeHtml(text)}</p></header>`,
  );
}

export function sendPage(res: Response, status: number, html: string): void {
  setShareHeaders(res);
  res.status(status).set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store' }).type('html').send(html);
}
