import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived links to one stored object for <img>, <audio> and downloads, which cannot send an
 * Authorization header: `<path>?uid=<user>&exp=<unix s>&sig=<HMAC(path, user, exp)>`. A link opens only the
 * exact path it was made for (one media item's bytes, one run artifact or a run's archive), for its user, until it expires.
 */
export const SIGNED_URL_TTL_S = 15 * 60;
/** Expiries are rounded up to this step, so a page asking again soon gets the same (cacheable) URL. */
const EXPIRY_STEP_S = 5 * 60;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const MEDIA_CONTENT = new RegExp(`^/api/media/(${UUID})/content$`);
const RUN_ARTIFACT = new RegExp(`^/api/runs/(${UUID})/artifacts/([^?#]+)$`);
const RUN_ARCHIVE = new RegExp(`^/api/runs/(${UUID})/archive$`);

export type SignableObject = { kind: 'media'; id: string } | { kind: 'artifact' | 'archive'; runId: string };

const safeSegment = (segment: string) => {
  try {
    const decoded = decodeURIComponent(segment);
    return segment !== '' && decoded !== '.' && decoded !== '..' && !/[/\\\u0000]/.test(decoded);
  } catch {
    return false;
  }
};

/** The object a path names when a signed URL may open it (`/api/media/<id>/content`, `/api/runs/<id>/artifacts/<key>`, `/api/runs/<id>/archive`); null otherwise. */
export function signableObject(path: string): SignableObject | null {
  const media = MEDIA_CONTENT.exec(path);
  if (media) return { kind: 'media', id: media[1] };
  const artifact = RUN_ARTIFACT.exec(path);
  if (artifact && artifact[2].split('/').every(safeSegment)) return { kind: 'artifact', runId: artifact[1] };
  const archive = RUN_ARCHIVE.exec(path);
  if (archive) return { kind: 'archive', runId: archive[1] };
  return null;
}

export function createUrlSigner(secret: string, now: () => number = Date.now) {
  // A key of its own, so a signature can never pass for a token or the other way round.
  const key = createHmac('sha256', secret).update('creativeflow signed content url v1').digest();
  const mac = (path: string, userId: string, exp: string) =>
    createHmac('sha256', key).update(`${path}\n${userId}\n${exp}`).digest('base64url');
  const expiry = () => Math.ceil((now() / 1000 + SIGNED_URL_TTL_S) / EXPIRY_STEP_S) * EXPIRY_STEP_S;

  return {
    /** The expiry (unix seconds) a link made now gets: pass it to sign() to give a batch of links one expiry. */
    expiry,
    sign(path: string, userId: string, exp = expiry()): string {
      const query = new URLSearchParams({ uid: userId, exp: String(exp), sig: mac(path, userId, String(exp)) });
      return `${path}?${query}`;
    },
    /** The user a link was made for, or why it does not open `path` now. */
    verify(path: string, query: Record<string, unknown>): { userId: string } | { problem: string } {
      const { uid, exp, sig } = query;
      if (typeof uid !== 'string' || typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,12}$/.test(exp)) {
        return { problem: 'is malformed (uid, exp and sig are required)' };
      }
      const expected = Buffer.from(mac(path, uid, exp));
      const given = Buffer.from(sig);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { problem: 'is not valid for this address' };
      if (Number(exp) * 1000 <= now()) return { problem: 'has expired' };
      return { userId: uid };
    },
  };
}
export type UrlSigner = ReturnType<typeof createUrlSigner>;
