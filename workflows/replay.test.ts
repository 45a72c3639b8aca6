import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../infra/worker';
import { historyFromFixture } from '../test/histories/format';
import { HISTORIES_DIR, SCENARIOS } from '../test/histories/scenarios';

/** Every committed history: `<set>/<scenario>.json`, recorded by `npm run fixtures:record` from some past workflow code. */
const fixtures = readdirSync(HISTORIES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && /^v\d+$/.test(entry.name))
  .flatMap((set) =>
    readdirSync(join(HISTORIES_DIR, set.name))
      .filter((file) => file.endsWith('.json'))
      .map((file) => ({ set: set.name, scenario: file.slice(0, -'.json'.length), path: join(HISTORIES_DIR, set.name, file) })),
  );

Runtime.install({ logger: new DefaultLogger('WARN') });

describe('recorded workflow histories', () => {
  it('cover every scenario of test/histories/scenarios.ts in some recorded set', () => {
    const recorded = new Set(fixtures.map((f) => f.scenario));
    expect(SCENARIOS.map((s) => s.name).filter((name) => !recorded.has(name))).toEqual([]);
  });

  it('replay against today’s workflow code without nondeterminism, so runs already in flight survive a deploy', async () => {
    const histories = fixtures.map((f) => ({
      workflowId: `${f.set}/${f.scenario}`,
      history: historyFromFixture(readFileSync(f.path, 'utf8')),
    }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(fixtures.length);
  });
});
