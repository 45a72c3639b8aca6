import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type Response } from 'express';

/**
 * Where the studio's build stands. `npm start` builds a missing or stale studio beside the rest of the start-up, so
 * the API may answer before studio/dist is there.
 */
export type StudioState = 'ready' | 'building' | 'failed';

/** How often the "being built" page reloads itself (a build takes a few seconds). */
const RELOAD_SECONDS = 2;

/**
 * The studio's files from `dir` (studio/dist), and its index.html for every other non-API path (client-side routes).
 * While a build runs, or when there is nothing built, those paths answer with a short page that says so and reloads
 * itself — never a 404 or a blank page; read per request, so a build that finishes later is served at once.
 */
export function studioRoutes(dir: string, state: () => StudioState = () => 'ready'): Router {
  const router = Router();
  const index = join(dir, 'index.html');
  router.use(express.static(dir, { index: false, maxAge: '1h' }));
  router.get(/^\/(?!api\/).*/, (_req, res) => {
    const now = state();
    if (now === 'ready' && existsSync(index)) return res.sendFile(index);
    if (now === 'failed')
      return notYet(
        res,
        500,
        'The studio could not be built',
        'Run <code>npm run studio:build</code> to see why, then start again.',
        false,
      );
    if (now === 'building')
      return notYet(res, 503, 'The studio is being built', 'This takes a few seconds; this page reloads itself.', true);
    return notYet(res, 503, 'The studio is not built', 'Run <code>npm run studio:build</code>; this page reloads itself.', true);
  });
  return router;
}

function notYet(res: Response, status: number, title: string, detail: string, reload: boolean): void {
  if (reload) res.set('Retry-After', String(RELOAD_SECONDS));
  res
    .status(status)
    .set('Cache-Control', 'no-store')
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CreativeFlow: ${title}</title>` +
        (reload ? `<meta http-equiv="refresh" content="${RELOAD_SECONDS}">` : '') +
        `<meta name="viewport" content="width=device-width, initial-scale=1"></head>` +
        `<body style="font-family: system-ui, sans-serif; margin: 4rem auto; max-width: 36rem; padding: 0 1rem">` +
        `<h1>${title}</h1><p>${detail}</p></body></html>`,
    );
}
