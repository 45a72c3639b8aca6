import { authorizedFetch } from './api';

export interface EventStreamHandlers {
  onOpen(): void;
  onEvent(type: string, data: string): void;
  /** The connection dropped; it is tried again after the server's `retry:` delay. */
  onDrop(): void;
  /** The server refused the stream (401, 404…): no more attempts. */
  onFail(status: number): void;
}

/**
 * Server-Sent Events over fetch, so the token goes in the Authorization header (EventSource cannot send
 * one). Like EventSource it reconnects after a drop, sending `Last-Event-ID` so the server resumes where it
 * left off. Returns a function that closes the stream for good.
 */
export function openEventStream(url: string, handlers: EventStreamHandlers): () => void {
  const ctrl = new AbortController();
  let lastEventId = '';
  let retryMs = 2000;

  const connect = async (): Promise<void> => {
    let res: Response;
    try {
      res = await authorizedFetch(url, {
        headers: { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
        signal: ctrl.signal,
        cache: 'no-store',
      });
    } catch {
      return drop();
    }
    if (res.status >= 500) return drop();
    if (!res.ok || !res.body) return handlers.onFail(res.status);
    handlers.onOpen();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let type = '';
    let data: string[] = [];
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += value;
        const lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (line === '') {
            if (data.length) handlers.onEvent(type || 'message', data.join('\n'));
            type = '';
            data = [];
            continue;
          }
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon === -1 ? line : line.slice(0, colon);
          const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') type = value;
          else if (field === 'data') data.push(value);
          else if (field === 'id' && !value.includes('\0')) lastEventId = value;
          else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
        }
      }
    } catch {
      // a network drop mid-stream: reconnect below
    }
    drop();
  };

  const drop = () => {
    if (ctrl.signal.aborted) return;
    handlers.onDrop();
    setTimeout(() => {
      if (!ctrl.signal.aborted) void connect();
    }, retryMs);
  };

  void connect();
  return () => ctrl.abort();
}
