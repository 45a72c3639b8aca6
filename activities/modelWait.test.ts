/**
 * A story node whose local model is still being fetched in the background waits for it and says so in its live
 * progress ("fetching model 40%", then "loading model"), then writes the story. The fetch is played by this test:
 * a status file naming this process, then the model file appearing (the real SmolLM2 file, linked).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivityTestEnv, type ActivityTestEnv } from '../test/support/activityEnv';
import { runChannel } from '../infra/bus/common';
import { providerSettingsFromEnv } from '../infra/providerSettings';
import type { LiveEvent } from '../workflows/pipeline';
import type { ActivityResult } from './contract';
import { createActivities } from './index';
import { createProviders } from './providers';

const repo = resolve(import.meta.dirname, '..');

describe('a text node whose model is still being fetched', () => {
  let env: ActivityTestEnv;
  let root: string;
  beforeAll(async () => {
    env = await createActivityTestEnv();
    root = mkdtempSync(join(tmpdir(), 'cf-fetching-'));
    mkdirSync(join(root, 'infra', 'models'), { recursive: true });
    mkdirSync(join(root, '.cache', 'models'), { recursive: true });
    const manifest = { name: 'Later', label: 'Later model', kind: 'text', file: 'later.gguf', fetch: 'background', default: true };
    writeFileSync(join(root, 'infra', 'models', 'text-later.json'), JSON.stringify(manifest));
  });
  afterAll(async () => {
    await env?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('waits, shows "fetching model N%" and "loading model" in its live progress, then writes the story', async () => {
    const status = join(root, '.cache', 'models', 'later.gguf.fetching');
    writeFileSync(status, JSON.stringify({ pid: process.pid, fraction: 0.4 }));
    const providers = createProviders(providerSettingsFromEnv(root, {}));
    const activities = createActivities({ ...env.deps, providers });
    const events: LiveEvent[] = [];
    await env.deps.bus.subscribe(runChannel(env.ids.run), (e) => void events.push(e as LiveEvent));

    const running = new MockActivityEnvironment().run(
      activities.story,
      env.input('waiting', { prompt: 'a fox in the snow' }, { provider: 'local', words: 30, temperature: 0, seed: 1 }),
    );
    await new Promise((r) => setTimeout(r, 1500));
    writeFileSync(status, JSON.stringify({ pid: process.pid, fraction: 0.75 }));
    await new Promise((r) => setTimeout(r, 1500));
    symlinkSync(join(repo, '.cache', 'models', 'SmolLM2-135M-Instruct.Q4_1.gguf'), join(root, '.cache', 'models', 'later.gguf'));
    rmSync(status);
    const done = (await running) as ActivityResult;

    const messages = events.flatMap((e) => (e.type === 'node.progress' && e.message !== undefined ? [e.message] : []));
    expect(messages).toContain('fetching model 40%');
    expect(messages).toContain('fetching model 75%');
    expect(messages.indexOf('loading model')).toBeGreaterThan(messages.indexOf('fetching model 75%'));
    // The story's text clears the message.
    expect(messages.at(-1)).toBe('');
    expect(String(done.output.text)).toMatch(/fox|snow/i);
    await providers.close();
  }, 120_000);
});
