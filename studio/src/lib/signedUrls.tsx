import { useEffect, useReducer, useRef, useState } from 'react';
import { api } from './api';

/**
 * Signed links for <img>, <audio> and download links, which cannot send the Authorization header: the API
 * signs the caller's own media and artifact paths for a few minutes (POST /api/signed-urls). Requests from
 * one render are batched; links are refreshed shortly before they expire.
 */
interface Entry {
  url: string;
  expiresAt: number;
}

const REFRESH_BEFORE_MS = 60_000;
const BATCH = 200;
const cache = new Map<string, Entry>();
/** Paths the API would not sign (not the caller's, or gone): not asked again on this page. */
const declined = new Set<string>();
const listeners = new Map<string, Set<() => void>>();
let pending = new Set<string>();
let flushing: ReturnType<typeof setTimeout> | null = null;

const expiryOf = (url: string) => Number(new URL(url, window.location.origin).searchParams.get('exp')) * 1000;
const notify = (path: string) => listeners.get(path)?.forEach((listener) => listener());
const fresh = (entry: Entry | undefined) => !!entry && entry.expiresAt - Date.now() > REFRESH_BEFORE_MS;

/** Keeps a link the API already handed out (the media library's `signedUrl`). */
export function rememberSignedUrl(path: string, url: string): void {
  if (fresh(cache.get(path)) && cache.get(path)!.url === url) return;
  cache.set(path, { url, expiresAt: expiryOf(url) });
  notify(path);
}

function request(path: string): void {
  if (declined.has(path)) return;
  pending.add(path);
  flushing ??= setTimeout(() => void flush(), 0);
}

async function flush(): Promise<void> {
  flushing = null;
  const paths = [...pending];
  pending = new Set();
  for (let i = 0; i < paths.length; i += BATCH) {
    const chunk = paths.slice(i, i + BATCH);
    try {
      const { urls } = await api<{ urls: { path: string; url: string }[] }>('POST', '/signed-urls', { paths: chunk });
      const signed = new Set(urls.map((u) => u.path));
      for (const { path, url } of urls) cache.set(path, { url, expiresAt: expiryOf(url) });
      for (const path of chunk) if (!signed.has(path)) declined.add(path);
    } catch {
      // Offline or signed out: the next render that needs the link asks again.
    }
    chunk.forEach(notify);
  }
}

/** A signed link to `path` (`/api/media/<id>/content`, `/api/runs/<id>/artifacts/…`); undefined until it is ready. */
export function useSignedUrl(path: string): string | undefined {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const entry = cache.get(path);
  useEffect(() => {
    const own = listeners.get(path) ?? new Set();
    listeners.set(path, own);
    own.add(rerender);
    const current = cache.get(path);
    if (!fresh(current)) request(path);
    const timer = current ? setTimeout(() => request(path), Math.max(0, current.expiresAt - REFRESH_BEFORE_MS - Date.now())) : undefined;
    return () => {
      own.delete(rerender);
      clearTimeout(timer);
    };
  }, [path, entry?.expiresAt]);
  return entry?.url;
}

/**
 * <audio> on a signed link. Once playback has begun it keeps its link (a new src would restart it); if the
 * old link fails (expired while paused, then seeking), it moves to the fresh one at the same position.
 */
export function SignedAudio({ path, className, preload }: { path: string; className?: string; preload: 'none' | 'metadata' }) {
  const url = useSignedUrl(path);
  const ref = useRef<HTMLAudioElement>(null);
  const [src, setSrc] = useState<string>();
  const resumeAt = useRef<number | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (url && (!src || !el || (el.paused && el.currentTime === 0))) setSrc(url);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [url]);
  const recover = () => {
    const el = ref.current;
    if (!el || !url || url === src) return;
    resumeAt.current = el.currentTime;
    setSrc(url);
  };
  const resume = () => {
    if (ref.current && resumeAt.current !== null) ref.current.currentTime = resumeAt.current;
    resumeAt.current = null;
  };
  return <audio ref={ref} className={className} controls preload={preload} src={src} onError={recover} onLoadedMetadata={resume} />;
}
