import { describe, expect, it } from 'vitest';
import { createLogger, prettyLine } from './log';

function capture(env: NodeJS.ProcessEnv, isTTY = false) {
  const lines: string[] = [];
  const logger = createLogger({ LOG_LEVEL: 'info', ...env }, { isTTY, write: (text: string) => lines.push(text) });
  return { logger, lines };
}

describe('logs', () => {
  it('writes one JSON object a line with the run and node ids when not in a terminal', () => {
    const { logger, lines } = capture({});
    logger.warn({ runId: 'r1', nodeId: 'n1' }, 'upload step failed');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 40, msg: 'upload step failed', runId: 'r1', nodeId: 'n1' });
  });

  it('masks secrets in both formats', () => {
    for (const format of ['json', 'pretty']) {
      const { logger, lines } = capture({ LOG_FORMAT: format });
      logger.error({ url: '/api/media/1/content?sig=abcdef', err: 'Authorization: Bearer sk-live-123' }, 'token=hunter2 leaked');
      expect(lines[0]).not.toMatch(/abcdef|sk-live-123|hunter2/);
      expect(lines[0]).toContain('[redacted]');
    }
  });

  it('reads as one line in a terminal: time, level, message, then the fields', () => {
    const { logger, lines } = capture({ NO_COLOR: '1' }, true);
    logger.info({ reqId: 'abc', status: 201 }, 'request');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  request {2}reqId=abc status=201\n$/);
  });

  it('honours LOG_LEVEL', () => {
    const { logger, lines } = capture({ LOG_LEVEL: 'warn' });
    logger.info('quiet');
    logger.debug('quieter');
    expect(lines).toHaveLength(0);
  });

  it('passes a line that is not JSON through as it is', () => {
    expect(prettyLine('plain text', false)).toBe('plain text\n');
  });
});
