import type { SceneTiming } from './timeline';

export interface BookScene {
  text: string;
  /** A data: URI (or any URL the page may load); no picture when absent. */
  image?: string;
  /** When the narration reads this scene; absent without narration. */
  timing?: SceneTiming;
}

export interface Book {
  title?: string;
  scenes: BookScene[];
  /** The narration of the whole book as one track: a data: URI. */
  audio?: string;
}

export function dataUri(mimeType: string, body: Buffer): string {
  return `data:${mimeType};base64,${body.toString('base64')}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Paragraph breaks stay paragraphs; single line breaks become spaces. */
function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim().replace(/\s+/g, ' '))
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('');
}

const STYLE = `
:root { color-scheme: light dark; --ink: #1d2130; --paper: #fbf8f1; --mark: #fff0b3; --muted: #6b7080; }
@media (prefers-color-scheme: dark) { :root { --ink: #e8e6e1; --paper: #1b1d24; --mark: #4a4018; --muted: #9aa0b0; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink); font: 1.15rem/1.65 Georgia, 'Times New Roman', serif; }
h1 { font-size: clamp(1.3rem, 4vw, 2rem); line-height: 1.25; margin: 8px 0 4px; }
.player { position: sticky; top: 0; z-index: 1; background: var(--paper); padding: 8px 20px; border-bottom: 1px solid color-mix(in srgb, var(--ink) 15%, transparent); }
.player audio { display: block; width: 100%; max-width: 44rem; margin: 0 auto; }
main { max-width: 44rem; margin: 0 auto; padding: 16px 20px 64px; }
.scene { margin: 24px 0; padding: 12px 16px; border-radius: 12px; transition: background-color .3s; }
.scene[data-start] { cursor: pointer; }
.scene.reading { background: var(--mark); }
.scene figure { margin: 0 0 12px; }
.scene img { display: block; width: 100%; height: auto; border-radius: 8px; }
.scene p { margin: 0 0 .6em; }
.muted { color: var(--muted); font-size: .9rem; }
@media print {
  .player, .muted { display: none; }
  body { background: #fff; color: #000; font-size: 12pt; }
  main { max-width: none; padding: 0; }
  .scene { break-inside: avoid; background: none !important; transition: none; padding: 0; margin: 0 0 1.5em; }
  .scene img { max-height: 60vh; width: auto; max-width: 100%; margin: 0 auto; }
}`;

/** Highlights the scene being read; a click on a scene reads from there. Runs inside a sandbox: no storage, no network. */
const SCRIPT = `
(() => {
  const audio = document.getElementById('narration');
  if (!audio) return;
  const scenes = [...document.querySelectorAll('.scene[data-start]')];
  let current = null;
  const update = () => {
    const t = audio.currentTime;
    const next = scenes.find((s) => t >= Number(s.dataset.start) && t < Number(s.dataset.end)) ?? (t >= Number(scenes.at(-1)?.dataset.end) ? scenes.at(-1) : null);
    if (next === current) return;
    current?.classList.remove('reading');
    current?.removeAttribute('aria-current');
    current = next;
    if (!current) return;
    current.classList.add('reading');
    current.setAttribute('aria-current', 'true');
    if (!audio.paused) current.scrollIntoView({ behavior: 'smooth', block: 'center' });
  };
  let frame = 0;
  const follow = () => { update(); frame = audio.paused ? 0 : requestAnimationFrame(follow); };
  audio.addEventListener('play', () => { if (!frame) frame = requestAnimationFrame(follow); });
  for (const type of ['timeupdate', 'seeked', 'seeking', 'pause', 'ended']) audio.addEventListener(type, update);
  for (const scene of scenes) {
    scene.addEventListener('click', () => { audio.currentTime = Number(scene.dataset.start); void audio.play().catch(() => {}); });
  }
  update();
})();`;

/** The storybook: one self-contained HTML page (pictures and narration inside it) that reads along and prints cleanly. */
export function writeBook(book: Book): string {
  const title = book.title?.trim() || 'A story';
  const scenes = book.scenes
    .map((scene, i) => {
      const timing = scene.timing ? ` data-start="${scene.timing.start.toFixed(3)}" data-end="${scene.timing.end.toFixed(3)}"` : '';
      const figure = scene.image ? `<figure><img src="${escapeHtml(scene.image)}" alt="Illustration for part ${i + 1}"></figure>` : '';
      return `<section class="scene" id="scene-${i + 1}"${timing}>${figure}${paragraphs(scene.text)}</section>`;
    })
    .join('\n');
  const player = book.audio
    ? `<div class="player"><audio id="narration" controls preload="auto" src="${escapeHtml(book.audio)}" aria-label="Narration"></audio></div>`
    : '';
  const hint = book.audio
    ? '<p class="muted">Press play to hear the story; the part being read is highlighted. Click a part to read from there.</p>'
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${player}
<main>
<h1>${escapeHtml(title)}</h1>
${hint}
${scenes}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
