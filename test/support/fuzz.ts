/**
 * Fuzzing the API from its own description: schemathesis (installed into .venv by `node infra/setup.mjs
 * --test`) reads /api/openapi.json and sends what it generates from it, valid and not, with every check it has.
 * Its configuration is test/fuzz/schemathesis.toml; every request and answer is read back from its HAR report.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const SCHEMATHESIS = join(ROOT, '.venv', 'bin', 'st');
const CONFIG = join(ROOT, 'test', 'fuzz', 'schemathesis.toml');

/** What the fuzzed user owns, so that generated requests can name it (the ${CF_…} values of the config). */
export interface FuzzWorld {
  token: string;
  projectId: string;
  pipelineId: string;
  /** A pipeline the fuzzer may delete. */
  doomedPipelineId: string;
  runId: string;
  mediaId: string;
  /** A paused schedule of the pipeline, a webhook of it (to a port nobody listens on) and the project's public page token. */
  scheduleId: string;
  webhookId: string;
  publicToken: string;
  /** A live share link's token, of the run. */
  shareToken: string;
}

export interface FuzzOptions {
  /** Test cases per operation and phase (schemathesis -n). */
  examples: number;
  seed: number;
  workers?: number;
  timeoutMs: number;
}

export interface Exchange {
  method: string;
  url: string;
  status: number;
  body: string;
}

export interface FuzzReport {
  /** Every request sent, with its answer. */
  exchanges: Exchange[];
  serverErrors: Exchange[];
  /** What the other checks found, `operation: code` (e.g. `POST /api/pipelines: ST202`). */
  findings: string[];
  exitCode: number | null;
  output: string;
}

function filledConfig(world: FuzzWorld): string {
  const values: Record<string, string> = {
    CF_TOKEN: world.token,
    CF_PROJECT_ID: world.projectId,
    CF_PIPELINE_ID: world.pipelineId,
    CF_DOOMED_PIPELINE_ID: world.doomedPipelineId,
    CF_RUN_ID: world.runId,
    CF_MEDIA_ID: world.mediaId,
    CF_SCHEDULE_ID: world.scheduleId,
    CF_WEBHOOK_ID: world.webhookId,
    CF_PUBLIC_TOKEN: world.publicToken,
    CF_SHARE_TOKEN: world.shareToken,
  };
  return readFileSync(CONFIG, 'utf8').replace(/\$\{(CF_[A-Z_]+)\}/g, (_, name: string) => {
    if (values[name] === undefined) throw new Error(`test/fuzz/schemathesis.toml uses \${${name}}, which the fuzz world does not have`);
    return values[name];
  });
}

/** Runs schemathesis against the API at baseUrl (asynchronously: the API may live in this very process). */
export async function fuzzApi(baseUrl: string, world: FuzzWorld, options: FuzzOptions): Promise<FuzzReport> {
  if (!existsSync(SCHEMATHESIS))
    throw new Error(`${SCHEMATHESIS} is missing: run \`node infra/setup.mjs --test\` (it installs schemathesis into .venv)`);
  const dir = mkdtempSync(join(tmpdir(), 'cf-fuzz-'));
  try {
    writeFileSync(join(dir, 'schemathesis.toml'), filledConfig(world), { mode: 0o600 });
    const args = [
      '--config-file',
      join(dir, 'schemathesis.toml'),
      'run',
      `${baseUrl}/api/openapi.json`,
      '--checks',
      'all',
      '--max-examples',
      String(options.examples),
      '--seed',
      String(options.seed),
      '--workers',
      String(options.workers ?? 1),
      '--request-timeout',
      '15',
      '--report',
      'har,junit',
      '--report-dir',
      join(dir, 'report'),
      '--no-color',
    ];
    const { exitCode, output } = await new Promise<{ exitCode: number | null; output: string }>((resolve, reject) => {
      const child = spawn(SCHEMATHESIS, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ exitCode: code, output });
      });
    });
    const reports = existsSync(join(dir, 'report')) ? readdirSync(join(dir, 'report')) : [];
    const har = reports.find((f) => f.startsWith('har-'));
    const junit = reports.find((f) => f.startsWith('junit-'));
    if (!har || !junit) throw new Error(`schemathesis left no report (exit ${exitCode}):\n${output.slice(-4000)}`);
    const exchanges = (JSON.parse(readFileSync(join(dir, 'report', har), 'utf8')).log.entries as any[]).map((e) => ({
      method: e.request.method as string,
      url: e.request.url as string,
      status: e.response.status as number,
      body: String(e.response.content?.text ?? '').slice(0, 500),
    }));
    const findings = readFileSync(join(dir, 'report', junit), 'utf8')
      .split('<testcase ')
      .slice(1)
      .flatMap((testcase) => {
        const operation = /^name="([^"]+)"/.exec(testcase)?.[1] ?? '?';
        return [...testcase.matchAll(/<(failure|error)[^>]*message="([^"]*)"/g)].map(
          ([, kind, code]) => `${operation}: ${kind === 'error' ? 'error ' : ''}${code}`,
        );
      });
    return { exchanges, serverErrors: exchanges.filter((e) => e.status >= 500), findings, exitCode, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
