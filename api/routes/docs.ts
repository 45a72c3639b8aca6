import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type RequestHandler } from 'express';
import { openApiDocument } from '../openapi';
import { requireScope } from '../scopes';

/** The page's own files only: no inline script or style, nothing from another origin. */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The API's description: GET /api/openapi.json (made once: it never changes at run time) and a page that
 * lays it out, GET /api/docs, whose script and style sheet this router serves too.
 */
export function docsRoutes(rootDir: string): Router {
  const { version } = JSON.parse(readFileSync(join(rootDir, 'package.json'), 'utf8')) as { version: string };
  const document = openApiDocument({ version });
  const asset = (file: string, type: string): RequestHandler => {
    const body = readFileSync(join(rootDir, 'api', 'docs', file));
    return (_req, res) => {
      res
        .set({ 'Content-Security-Policy': PAGE_CSP, 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache' })
        .type(type)
        .send(body);
    };
  };

  const router = Router();
  const open = requireScope('public');
  router.get('/openapi.json', open, (_req, res) => {
    res.json(document);
  });
  router.get('/docs', open, asset('index.html', 'text/html; charset=utf-8'));
  router.get('/docs/docs.js', open, asset('docs.js', 'text/javascript; charset=utf-8'));
  router.get('/docs/docs.css', open, asset('docs.css', 'text/css; charset=utf-8'));
  return router;
}
