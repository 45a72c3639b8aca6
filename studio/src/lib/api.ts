import type { Problem } from '../../../workflows/pipeline/graph';
import type { NodeInfo } from '../../../api/schemas';

/** Response shapes, defined once with the API (type-only: nothing of them is bundled). */
export type {
  ApiKeyInfo,
  CreatedApiKey,
  CreatedWebhook,
  Generation,
  MediaItem,
  NodeInfo,
  Pipeline,
  PipelineSummary,
  PlanUsage,
  Project,
  ProviderSetting,
  RunDetail,
  RunSummary,
  Schedule,
  User,
  Webhook,
  WebhookDeliveryAttempt,
} from '../../../api/schemas';

/** Same-origin REST client. The token lives in localStorage and goes out as `Authorization: Bearer`. */
const TOKEN_KEY = 'cf.token';

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
export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
  window.dispatchEvent(new Event('cf-auth'));
}

/** `keepalive` lets a request finish after the page is gone (bodies up to 64 KiB). */
export async function api<T>(method: string, path: string, body?: unknown, opts: { keepalive?: boolean } = {}): Promise<T> {
  const token = getToken();
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      keepalive: opts.keepalive,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
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
    if (res.status === 401 && token && !path.startsWith('/auth/')) setToken(null);
    throw new ApiError(res.status, json?.error ?? 'error', json?.message ?? `${res.status} ${res.statusText}`, json?.problems ?? []);
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
