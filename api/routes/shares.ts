import { createHash, randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import type { BlobStore } from '../../infra/blobs';
import { TERMINAL_STATUSES } from '../../workflows/pipeline';
import { CreateShareBody, IdParam, ShareMediaParam, ShareTokenParam } from '../contract';
import { handler, HttpError, notFound, parse } from '../http';
import type { RunContents, ShareRepository } from '../repositories/shares';
import type { CreatedShare, ShareList, Wire } from '../schemas';
import { requireScope } from '../scopes';
import { sendBlob } from '../sendBlob';
import { runFiles, sharedFiles, type RunFile } from '../services/runFiles';
import { renderShareError, renderSharePage, sendPage, setShareHeaders, type SharedItem } from '../sharePage';
import { sendZip, type ZipEntry, type ZipReport } from '../zipStream';

/** Texts up to this size are shown on the share page; longer ones are linked. */
const INLINE_TEXT_BYTES = 256 * 1024;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
/** Where a share link opens (relative to the server); it redirects to the page. */
export const sharePath = (token: string) => `/s/${token}`;
const sharePagePath = (token: string) => `/api/public/shares/${token}`;

/** A run's archive, its share links (under /api/runs/:id) and revoking one (/api/shares/:id). */
export function runShareRoutes(deps: { shares: ShareRepository; blobs: BlobStore }): Router {
  const { shares, blobs } = deps;
  const router = Router();
  const ownRun = async (req: Request) => {
    const contents = await shares.runContents(parse(IdParam, req.params, 'path').id, req.user!.id);
    if (!contents) throw notFound('Run');
    return contents;
  };

  router.get(
    '/:id/archive',
    requireScope('read'),
    handler(async (req, res) => {
      const contents = await ownRun(req);
      const files = runFiles(contents);
      const byEntry = new Map<ZipEntry, RunFile>();
      const entries = files.map((file) => {
        const entry: ZipEntry =
          'text' in file.source
            ? { name: file.name, bytes: file.source.text, modifiedAt: contents.run.finishedAt ?? undefined }
            : { name: file.name, open: openBlob(blobs, file.source.key), modifiedAt: contents.run.finishedAt ?? undefined };
        byEntry.set(entry, file);
        return entry;
      });
      // The manifest goes last, so it says what the archive holds and what storage no longer had.
      const manifest = (report: ZipReport): ZipEntry[] => [
        { name: 'manifest.json', bytes: JSON.stringify(archiveManifest(contents, report, byEntry), null, 2) },
      ];
      await sendZip(res, archiveName(contents), entries, manifest);
    }),
  );

  router.post(
    '/:id/share',
    requireScope('admin'),
    handler(async (req, res) => {
      const contents = await ownRun(req);
      parse(CreateShareBody, req.body);
      if (!TERMINAL_STATUSES.includes(contents.run.status))
        throw new HttpError(409, 'run_active', `The run is ${contents.run.status}: share it once it has finished`);
      const token = randomBytes(32).toString('base64url');
      const { id } = await shares.create(req.user!.id, contents.run.id, hashToken(token));
      const body: Wire<typeof CreatedShare> = { id, url: sharePath(token) };
      res.status(201).set('cache-control', 'no-store').json(body);
    }),
  );

  router.get(
    '/:id/shares',
    requireScope('read'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      if (!(await shares.runContents(id, req.user!.id))) throw notFound('Run');
      const body: Wire<typeof ShareList> = { shares: await shares.listOfRun(req.user!.id, id) };
      res.json(body);
    }),
  );
  return router;
}

export function shareRoutes(deps: { shares: ShareRepository }): Router {
  const router = Router();
  router.delete(
    '/:id',
    requireScope('admin'),
    handler(async (req, res) => {
      const { id } = parse(IdParam, req.params, 'path');
      if (!(await deps.shares.revoke(req.user!.id, id))) throw notFound('Share');
      res.status(204).end();
    }),
  );
  return router;
}

/**
 * A share link's page and files, no login: the token is the only key, checked (by its hash) on every request,
 * so a revoked link stops at once. The page shows the run's pictures, sound and texts and nothing else; its
 * files are reached by their place on the page, among that run's files only.
 */
export function publicShareRoutes(deps: { shares: ShareRepository; blobs: BlobStore }): Router {
  const { shares, blobs } = deps;
  const router = Router();
  const liveShare = async (token: string) => {
    const share = await shares.findLive(hashToken(token));
    const contents = share && (await shares.runContents(share.runId));
    if (!share || !contents) throw notFound('Share link');
    return { share, contents, files: sharedFiles(runFiles(contents)) };
  };
  const prefersHtml = (req: Request) => req.accepts(['json', 'html']) === 'html';

  router.get(
    '/:token',
    requireScope('public'),
    handler(async (req, res) => {
      try {
        const { token } = parse(ShareTokenParam, req.params, 'path');
        const { share, contents, files } = await liveShare(token);
        const items = await Promise.all(files.map((file, n) => sharedItem(blobs, file, `${sharePagePath(token)}/media/${n}`)));
        void shares.recordView(share.id).catch(() => undefined);
        sendPage(res, 200, renderSharePage({ items, madeAt: contents.run.finishedAt ?? contents.run.createdAt }));
      } catch (err) {
        if (err instanceof HttpError && err.status < 500 && prefersHtml(req))
          return sendPage(res, err.status, renderShareError(err.status));
        throw err;
      }
    }),
  );

  router.get(
    '/:token/media/:index',
    requireScope('public'),
    handler(async (req, res) => {
      const { token, index } = parse(ShareMediaParam, req.params, 'path');
      const { files } = await liveShare(token);
      const file = files[index];
      if (!file) throw notFound('File');
      setShareHeaders(res);
      if ('text' in file.source) {
        res
          .set({ 'Content-Security-Policy': "default-src 'none'; sandbox", 'Cache-Control': 'no-store' })
          .type('text/plain; charset=utf-8')
          .send(file.source.text);
        return;
      }
      const head = await blobs.head(file.source.key);
      if (!head) throw notFound('File');
      await sendBlob(req, res, blobs, { key: file.source.key, mimeType: file.mimeType, size: head.size });
    }),
  );
  return router;
}

function openBlob(blobs: BlobStore, key: string) {
  return async () => {
    const stored = await blobs.stream(key);
    return stored ? (stored.stream as AsyncIterable<Uint8Array>) : null;
  };
}

async function sharedItem(blobs: BlobStore, file: RunFile, url: string): Promise<SharedItem> {
  const kind = file.kind as SharedItem['kind'];
  if (kind !== 'text') return { caption: file.caption, kind, url, size: file.size };
  if ('text' in file.source) return { caption: file.caption, kind, url, size: file.size, text: file.source.text };
  if (file.size > INLINE_TEXT_BYTES) return { caption: file.caption, kind, url, size: file.size, text: null };
  const blob = await blobs.get(file.source.key);
  return { caption: file.caption, kind, url, size: file.size, text: blob ? blob.body.toString('utf8') : '(missing from storage)' };
}

function archiveName({ run }: RunContents): string {
  const name = run.pipelineName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${name || 'run'}-${new Date(run.createdAt).toISOString().slice(0, 10)}-${run.id.slice(0, 8)}.zip`;
}

/** What the archive holds: the run (status, inputs, outputs), its steps, and each file with the step that made it. */
function archiveManifest(contents: RunContents, report: ZipReport, byEntry: Map<ZipEntry, RunFile>) {
  const { run, graph, nodes } = contents;
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  const describe = (file: RunFile) => ({ step: file.nodeId, kind: file.kind, mimeType: file.mimeType, media: file.media });
  return {
    format: 'creativeflow-run-archive/1',
    run: {
      id: run.id,
      status: run.status,
      error: run.error,
      trigger: run.trigger,
      createdAt: iso(run.createdAt),
      startedAt: iso(run.startedAt),
      finishedAt: iso(run.finishedAt),
    },
    pipeline: { id: run.pipelineId, name: run.pipelineName, version: run.pipelineVersion },
    inputs: run.inputs,
    outputs: run.outputs,
    steps: graph.nodes.map((n) => ({
      id: n.id,
      type: n.type,
      label: n.label ?? null,
      status: nodes[n.id]?.status ?? null,
      error: nodes[n.id]?.error ?? null,
    })),
    files: report.written.flatMap(({ name, entry, bytes }) => {
      const file = byEntry.get(entry);
      return file ? [{ name, ...describe(file), size: bytes }] : [];
    }),
    missing: report.missing.flatMap((entry) => {
      const file = byEntry.get(entry);
      return file ? [{ name: file.name, ...describe(file), reason: 'missing from storage' }] : [];
    }),
  };
}
