import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import WebSocket from 'ws';
import { BlockedAddressError, guardedLookup, refusal, type OutboundPolicy } from './netguard';

/**
 * A `fetch` for requests to user-supplied URLs: node:http(s) with a `lookup` that refuses connections to
 * addresses the policy does not allow (node's built-in fetch takes no per-call resolver without the undici
 * package). Redirects are not followed, so a redirect cannot lead elsewhere. Same Request/Response types as
 * fetch, so SDKs that accept a custom fetch can use it.
 */
export function createGuardedFetch(policy: OutboundPolicy): typeof fetch {
  const lookup = guardedLookup(policy);
  const agents = { http: new http.Agent({ keepAlive: true, lookup }), https: new https.Agent({ keepAlive: true, lookup }) };

  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`fetch: unsupported protocol ${url.protocol}`);
    // A literal IP address is never looked up, so it is judged here; names are judged by what they resolve to.
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const literal = isIP(host) ? refusal(policy, host, host) : null;
    if (literal) throw new TypeError('fetch failed', { cause: new BlockedAddressError(literal) });
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = Object.fromEntries(request.headers);
    if (body) headers['content-length'] = String(body.length);
    headers['accept-encoding'] ??= 'gzip, deflate, br';

    return new Promise<Response>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(
        url,
        { method: request.method, headers, agent: url.protocol === 'https:' ? agents.https : agents.http, signal: request.signal },
        (res) => {
          const status = res.statusCode ?? 0;
          const responseHeaders = new Headers();
          for (let i = 0; i < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
          const decoded = decode(res, responseHeaders);
          const noBody = request.method === 'HEAD' || status === 204 || status === 304;
          if (noBody) res.resume();
          if (status < 200 || status > 599) {
            res.destroy();
            return reject(new TypeError('fetch failed', { cause: new Error(`unexpected HTTP status ${status}`) }));
          }
          resolve(
            new Response(noBody ? null : (Readable.toWeb(decoded) as ReadableStream), {
              status,
              statusText: res.statusMessage,
              headers: responseHeaders,
            }),
          );
        },
      );
      req.on('error', (err) => reject(err.name === 'AbortError' ? err : new TypeError('fetch failed', { cause: err })));
      req.end(body);
    });
  };
}

/** Undoes the content encoding as fetch does, and drops the headers that described the encoded body. */
function decode(res: http.IncomingMessage, headers: Headers): Readable {
  const encoding = headers.get('content-encoding')?.trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : null;
  if (!decoder) return res;
  headers.delete('content-encoding');
  headers.delete('content-length');
  res.on('error', (err) => decoder.destroy(err));
  return res.pipe(decoder);
}

/**
 * A websocket opener for user-supplied URLs (ComfyUI's /ws): every address it connects to is judged as the guarded
 * fetch judges them, a literal IP address before anything is sent.
 */
export function createGuardedWebSocket(policy: OutboundPolicy): (url: string, headers: Record<string, string>) => WebSocket {
  const lookup = guardedLookup(policy);
  return (url, headers) => {
    const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    const literal = isIP(host) ? refusal(policy, host, host) : null;
    if (literal) throw new BlockedAddressError(literal);
    return new WebSocket(url, { headers, lookup, followRedirects: false });
  };
}
