import { useCallback, useEffect, useRef, useState } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import type { Problem } from '../../../workflows/pipeline/graph';
import { api, ApiError, type Pipeline } from '../lib/api';
import type { EditorState } from './store';

/**
 * The pipeline's draft, kept on the server: every edit is autosaved (debounced, valid or not) with
 * `PUT /pipelines/:id/draft`, whose problems land on the nodes and edges; a version is recorded from
 * the draft on demand. Nothing the user drew is dropped: failed saves are retried, leaving the page with
 * an unsaved change asks first, and whatever is pending goes out when the editor closes.
 */
export type SaveStatus =
  { kind: 'saved' } | { kind: 'dirty' } | { kind: 'saving' } | { kind: 'offline' } | { kind: 'error'; message: string };

const SAVE_DEBOUNCE_MS = 700;
/** Typing without a pause still saves this often. */
const SAVE_MAX_WAIT_MS = 5000;
const RETRY_MS = [1000, 2000, 5000, 10_000];
/** Browsers refuse keepalive requests with bigger bodies. */
const KEEPALIVE_MAX_BYTES = 60_000;

/** The network, or a server that is down or restarting: worth trying again as it is. */
function isTransient(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 0 || err.status === 408 || err.status === 429 || err.status >= 500);
}

export function useDraft(store: StoreApi<EditorState>, pipeline: Pipeline) {
  const pipelineId = pipeline.id;
  const [status, setStatus] = useState<SaveStatus>({ kind: 'saved' });
  const [problems, setProblems] = useState<Problem[]>(() => pipeline.draft?.problems ?? []);
  /** Whether the server holds a draft that may differ from the current version. */
  const [hasDraft, setHasDraft] = useState(pipeline.draft !== null);
  const [version, setVersion] = useState(pipeline.version);
  /** The store revision the server last confirmed (the loaded graph is revision 0). */
  const savedRevision = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  /** When the oldest change not yet sent was made. */
  const pendingSince = useRef<number | null>(null);
  const running = useRef<Promise<void> | null>(null);
  const failures = useRef(0);
  /** False once the editor has closed: a later editor of this pipeline must not be overwritten by retries from this one. */
  const open = useRef(true);

  const unsaved = useCallback(() => store.getState().revision !== savedRevision.current, [store]);

  const accept = useCallback(
    (revision: number, found: Problem[]) => {
      savedRevision.current = Math.max(savedRevision.current, revision);
      failures.current = 0;
      store.getState().setProblems(found);
      setProblems(found);
      setHasDraft(true);
    },
    [store],
  );

  /** Sends the draft until the server has the latest revision: one request at a time, so saves land in order. */
  const save = useCallback((): Promise<void> => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    pendingSince.current = null;
    running.current ??= (async () => {
      while (unsaved()) {
        const revision = store.getState().revision;
        setStatus({ kind: 'saving' });
        try {
          const saved = await api<{ savedAt: string; problems: Problem[] }>('PUT', `/pipelines/${pipelineId}/draft`, {
            graph: store.getState().toGraph(),
          });
          accept(revision, saved.problems);
        } catch (err) {
          if (isTransient(err) && open.current) {
            setStatus({ kind: 'offline' });
            timer.current = setTimeout(() => void save(), RETRY_MS[Math.min(failures.current++, RETRY_MS.length - 1)]);
          } else {
            setStatus({ kind: 'error', message: (err as Error).message });
          }
          return;
        }
      }
      setStatus({ kind: 'saved' });
    })().finally(() => {
      running.current = null;
    });
    return running.current;
  }, [store, pipelineId, unsaved, accept]);

  /** Saves what is pending now; true once the server has every change. */
  const flush = useCallback(async (): Promise<boolean> => {
    await save();
    return !unsaved();
  }, [save, unsaved]);

  /** Records the saved draft as a version (unchanged if it already is one); its number. */
  const recordVersion = useCallback(async (): Promise<number> => {
    if (!(await flush())) throw new Error('The latest changes are not saved yet: check the connection and try again.');
    try {
      const recorded = await api<{ id: string; version: number }>('POST', `/pipelines/${pipelineId}/versions`, {});
      setVersion(recorded.version);
      if (!unsaved()) setHasDraft(false);
      return recorded.version;
    } catch (err) {
      if (err instanceof ApiError && err.problems.length) {
        store.getState().setProblems(err.problems);
        setProblems(err.problems);
      }
      throw err;
    }
  }, [flush, pipelineId, store, unsaved]);

  useEffect(
    () =>
      store.subscribe((s, prev) => {
        if (s.revision === prev.revision || s.revision === 0) return;
        setStatus((st) => (st.kind === 'saved' || st.kind === 'error' ? { kind: 'dirty' } : st));
        if (running.current) return; // the running save picks the change up
        if (timer.current) clearTimeout(timer.current);
        pendingSince.current ??= Date.now();
        const wait = Math.min(SAVE_DEBOUNCE_MS, pendingSince.current + SAVE_MAX_WAIT_MS - Date.now());
        timer.current = setTimeout(() => void save(), Math.max(0, wait));
      }),
    [store, save],
  );

  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (!unsaved()) return;
      e.preventDefault();
      e.returnValue = true; // older browsers ask only when this is set
      void save();
    };
    // The page is going away (the user chose to leave): a keepalive request outlives it.
    const last = () => {
      if (!unsaved()) return;
      const revision = store.getState().revision;
      const body = { graph: store.getState().toGraph() };
      if (JSON.stringify(body).length > KEEPALIVE_MAX_BYTES) return;
      api<{ problems: Problem[] }>('PUT', `/pipelines/${pipelineId}/draft`, body, { keepalive: true }).then(
        (r) => accept(revision, r.problems),
        () => undefined,
      );
    };
    open.current = true;
    window.addEventListener('beforeunload', warn);
    window.addEventListener('pagehide', last);
    return () => {
      open.current = false;
      window.removeEventListener('beforeunload', warn);
      window.removeEventListener('pagehide', last);
      // Leaving the editor inside the app: the pending change still goes out, once.
      if (unsaved()) void save();
      if (timer.current) clearTimeout(timer.current);
    };
  }, [save, unsaved, store, pipelineId, accept]);

  return { status, problems, hasDraft, version, flush, unsaved, recordVersion };
}

/** What the editor knows of its draft and does with it: see useDraft. */
export type Draft = ReturnType<typeof useDraft>;
