import type { Problem } from '../../../workflows/pipeline/graph';
import type { NodeInfo } from '../../../api/schemas';
import { readableApiMessage } from './apiMessages';

/** Response shapes, defined once with the API (type-only: nothing of them is bundled). */
export type {
  ApiKeyInfo,
  Batch,
  BatchRun,
  CacheEntry,
  CreatedApiKey,
  CreatedShare,
  CreatedWebhook,
  Generation,
  MediaItem,
  NodeInfo,
  Pipeline,
  PipelineSummary,
  PipelineVersion,
  PipelineVersionDetail,
  PlanUsage,
  Project,
  ProviderSetting,
  ProviderTestResult,
  PublicProject,
  RunDetail,
  RunSummary,
  Schedule,
  StartedBatch,
  ShareInfo,
  User,
  Webhook,
  WebhookDeliveryAttempt,
} from '../../../api/schemas';

/**
 * Same-origin REST client. The session lives in localStorage: a short-lived access token (sent as
 * `Authorization: Bearer`) and the refresh token that renews it when the server answers 401.
 */
const TOKEN_KEY = 'cf.token';
const REFRESH_KEY = 'cf.refresh';
/** Set once this browser has signed in: a visitor without it is shown sign-up first, not "Welcome back". */
const SIGNED_IN_BEFORE_KEY = 'cf.signedInBefore';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

export function getToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}
function getRefreshToken(): string | null {
  try {
    return localStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

export function signedInBefore(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN_BEFORE_KEY) !== null || localStorage.getItem(TOKEN_KEY) !== null;
  } catch {
    return false;
  }
}

/** Signs in (a login's or register's answer) or, with null, out of this browser. */
export function setSession(session: { token: string; refreshToken: string } | null): void {
  if (session) {
    localStorage.setItem(TOKEN_KEY, session.token);
    localStorage.setItem(REFRESH_KEY, session.refreshToken);
    localStorage.setItem(SIGNED_IN_BEFORE_KEY, '1');
  } else {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(REFRESH_KEY);
  }
  window.dispatchEvent(new Event('cf-auth'));
}

/** Ends the session on the server too (its refresh token stops working), then here. */
export async function logout(): Promise<void> {
  const refreshToken = getRefreshToken();
  setSession(null);
  if (refreshToken)
    await fetch('/api/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    }).catch(() => undefined);
}

let refreshing: Promise<boolean> | null = null;

/**
 * Renews the access token with the refresh token, once for all the requests that met a 401 together (a
 * refresh token is spent on use: two uses would sign the session out). Other tabs share the storage, so
 * a Web Lock keeps them from spending the same token, and a token another tab already renewed is taken as is.
 * False when the session is over (it is then cleared); a network failure keeps it.
 */
function refreshSession(staleToken: string): Promise<boolean> {
  refreshing ??= (async () => {
    const run = async () => {
      if (getToken() !== staleToken && getToken()) return true; // renewed meanwhile (another tab)
      const refreshToken = getRefreshToken();
      if (!refreshToken) {
        setSession(null); // a session from before refresh tokens: log in again
        return false;
      }
      let res: Response;
      try {
        res = await fetch('/api/auth/refresh', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken }),
        });
      } catch {
        return false;
      }
      if (res.ok) {
        setSession((await res.json()) as { token: string; refreshToken: string });
        return true;
      }
      if (res.status === 401) setSession(null);
      return false;
    };
    return navigator.locks ? navigator.locks.request('cf-refresh', run) : run();
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/**
 * fetch with the access token; on a 401 it renews the token once and tries again, so an expired access
 * token never interrupts the user. A 401 that survives the renewal signs out.
 */
export async function authorizedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const send = (token: string | null) =>
    fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string> | undefined), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  const token = getToken();
  const res = await send(token);
  if (res.status !== 401 || !token) return res;
  if (!(await refreshSession(token))) return res;
  const retried = await send(getToken());
  if (retried.status === 401) setSession(null);
  return retried;
}

/** Routes that take no session, or whose 401 means a wrong password rather than an expired token. */
const SESSIONLESS = /^\/auth\/(login|register|refresh|logout)$/;

/** `keepalive` lets a request finish after the page is gone (bodies up to 64 KiB). */
export async function api<T>(method: string, path: string, body?: unknown, opts: { keepalive?: boolean } = {}): Promise<T> {
  let res: Response;
  try {
    const init: RequestInit = {
      method,
      keepalive: opts.keepalive,
      headers: body !== undefined ? { 'content-type': 'application/json' } : {},
      body: body === undefined ? undefined : JSON.stringify(body),
    };
    res = SESSIONLESS.test(path) ? await fetch(`/api${path}`, init) : await authorizedFetch(`/api${path}`, init);
  } catch (err) {
    throw new ApiError(0, 'network', `Cannot reach the server: ${(err as Error).message}`);
  }
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const message = typeof json?.message === 'string' ? readableApiMessage(json.message) : `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, json?.error ?? 'error', message, json?.problems ?? []);
  }
  return json as T;
}

let catalogPromise: Promise<NodeInfo[]> | null = null;
/** The node catalog, fetched once per page. */
export function loadCatalog(): Promise<NodeInfo[]> {
  catalogPromise ??= api<{ nodes: NodeInfo[] }>('GET', '/nodes').then(
    (r) => r.nodes,
    (err) => {
      catalogPromise = null;
      throw err;
    },
  );
  return catalogPromise;
}
