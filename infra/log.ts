/**
 * The processes' structured log (pino): one JSON object a line carrying `reqId`, `runId`, `nodeId` where they are
 * known, or one readable line in a terminal (LOG_FORMAT=pretty|json overrides). Every line, whatever its format,
 * goes through redactSecrets first: a token in a URL or an error's message never reaches the log.
 * LOG_LEVEL picks the level (default info; silent in tests unless set).
 */
import { pino, type DestinationStream, type Logger } from 'pino';
import { redactSecrets } from './redact';

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLOURS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
const OWN_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

/** One JSON log line as a terminal line: `12:04:05.123 WARN  text step failed  runId=… nodeId=…`. */
export function prettyLine(json: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = Number(entry.level);
  const time = new Date(Number(entry.time)).toISOString().slice(11, 23);
  const name = (LEVEL_NAMES[level] ?? String(entry.level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key]) => !OWN_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  const paint = (code: string | undefined, text: string) => (colour && code ? `\u001b[${code}m${text}\u001b[0m` : text);
  return `${paint('90', time)} ${paint(LEVEL_COLOURS[level], name)} ${entry.msg ?? ''}${fields.length ? `  ${paint('90', fields.join(' '))}` : ''}\n`;
}

/** Where lines go: redacted, then as they are (JSON) or made readable. */
export function logDestination(format: 'json' | 'pretty', out: { write(text: string): unknown }, colour = false): DestinationStream {
  return {
    write(line: string) {
      const safe = redactSecrets(line);
      out.write(format === 'pretty' ? prettyLine(safe, colour) : safe);
    },
  };
}

export function createLogger(
  env: NodeJS.ProcessEnv = process.env,
  out: { write(text: string): unknown; isTTY?: boolean } = process.stdout,
): Logger {
  const inTests = env.NODE_ENV === 'test' || env.VITEST !== undefined;
  const level = (env.LOG_LEVEL || (inTests ? 'silent' : 'info')).toLowerCase();
  const format = env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty' ? env.LOG_FORMAT : out.isTTY ? 'pretty' : 'json';
  return pino(
    {
      level,
      base: undefined,
      // The message alone too: at the start of a JSON string a `token=…` has no separator before it for the line's patterns.
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactSecrets(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    logDestination(format, out, Boolean(out.isTTY) && !env.NO_COLOR),
  );
}

export const logger: Logger = createLogger();

/** An error as one line for a log field (its message, not its stack: the stack is for debug). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
