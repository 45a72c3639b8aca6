import { describe, expect, it } from 'vitest';
import { importsOf, reachedFrom, sourceFiles, type Import } from './support/moduleGraph';

/** The heavy half of the worker: the local models, the image renderer and the Temporal worker runtime. */
const MODEL_STACK = ['node-llama-cpp', 'onnxruntime-node', '@napi-rs/canvas', '@temporalio/worker'];
const LAUNCHERS = 'infra/launch/';

interface Rule {
  /** The files the rule is about. */
  from: (file: string) => boolean;
  /** Why an import breaks it, or null when it is fine. */
  refuse: (imp: Import, file: string) => string | null;
}

const under = (folder: string) => (path: string | undefined) => path !== undefined && path.startsWith(folder);

/** The arrows of README's "Imports run one way", as checks on every import of every source file (tests aside). */
const RULES: Rule[] = [
  {
    from: under('api/'),
    refuse: (imp) =>
      under('activities/')(imp.file)
        ? 'the API never imports activities/ (what both sides need lives in infra/ or workflows/pipeline/)'
        : null,
  },
  {
    from: under('activities/'),
    refuse: (imp) => (under('api/')(imp.file) ? 'activities/ never imports api/' : null),
  },
  {
    from: (file) => file.startsWith('infra/') && !file.startsWith(LAUNCHERS),
    refuse: (imp) => (under('api/')(imp.file) ? 'only the launchers (infra/launch/) import api/' : null),
  },
  {
    from: (file) => !file.startsWith(LAUNCHERS),
    refuse: (imp) => (under(LAUNCHERS)(imp.file) ? 'nothing imports the launchers: they sit on top' : null),
  },
  {
    from: under('workflows/'),
    refuse: (imp) => {
      if (imp.file?.startsWith('workflows/')) return null;
      if (imp.pkg === '@temporalio/workflow' || imp.pkg === 'zod') return null;
      // Temporal's pattern: the workflow knows the activities' signatures, and calls them through proxyActivities.
      if (imp.file === 'activities/contract.ts' && imp.typeOnly) return null;
      return 'workflows/ imports only workflows/, @temporalio/workflow and zod (and the activity contract, as types)';
    },
  },
];

function violations(files: string[], rules: Rule[] = RULES): string[] {
  const found: string[] = [];
  for (const file of files) {
    for (const rule of rules.filter((r) => r.from(file))) {
      for (const imp of importsOf(file)) {
        const why = rule.refuse(imp, file);
        if (why) found.push(`${file} imports '${imp.specifier}': ${why}`);
      }
    }
  }
  return found;
}

describe('imports run one way', () => {
  const files = sourceFiles('api', 'activities', 'infra', 'workflows');

  it('reads every room', () => {
    for (const expected of [
      'api/app.ts',
      'activities/index.ts',
      'infra/worker.ts',
      'infra/launch/processes.ts',
      'infra/launch/launch.mjs',
      'workflows/runPipeline.ts',
    ]) {
      expect(files).toContain(expected);
    }
    expect(files.some((f) => f.endsWith('.test.ts'))).toBe(false);
  });

  it('no source file imports against the arrows', () => {
    expect(violations(files)).toEqual([]);
  });

  it('the checks catch each wrong arrow', () => {
    // The imports that were there before the rooms were separated, one per rule.
    const wrong: Record<string, Import> = {
      'api/routes/runs.ts': { specifier: '../../activities/deps', typeOnly: false, dynamic: false, file: 'activities/deps.ts' },
      'activities/index.ts': { specifier: '../api/http', typeOnly: false, dynamic: false, file: 'api/http.ts' },
      'infra/services.ts': { specifier: '../api/app', typeOnly: false, dynamic: false, file: 'api/app.ts' },
      'api/app.ts': { specifier: '../infra/launch/processes', typeOnly: false, dynamic: false, file: 'infra/launch/processes.ts' },
      'workflows/runPipeline.ts': { specifier: '@temporalio/activity', typeOnly: false, dynamic: false, pkg: '@temporalio/activity' },
      'workflows/pipeline/graph.ts': { specifier: '../../infra/config', typeOnly: true, dynamic: false, file: 'infra/config.ts' },
    };
    for (const [file, imp] of Object.entries(wrong)) {
      const refused = RULES.filter((r) => r.from(file))
        .map((r) => r.refuse(imp, file))
        .filter(Boolean);
      expect(refused, `${file} → ${imp.specifier}`).not.toEqual([]);
    }
  });
});

describe('the API process never loads the model stack', () => {
  it('npm run api reaches neither the local models, the image renderer nor the Temporal worker', () => {
    const { files, packages } = reachedFrom('infra/launch/api-main.ts');
    expect(files.has('api/app.ts')).toBe(true);
    expect(packages.has('express')).toBe(true);
    const heavy = MODEL_STACK.filter((pkg) => packages.has(pkg)).map((pkg) => packages.get(pkg)!.join(' → '));
    expect(heavy).toEqual([]);
    expect([...files.keys()].filter((f) => f.startsWith('activities/'))).toEqual([]);
  });

  it('the worker does reach them (the walk follows what the API would load)', () => {
    const { packages } = reachedFrom('infra/launch/worker-main.ts');
    for (const pkg of MODEL_STACK) expect(packages.has(pkg), pkg).toBe(true);
  });
});

describe('the workflows load no more of the pipeline language than they run', () => {
  // A workflow's sandbox loads its modules afresh for every run: a schema built at load costs every run (bench/overhead.ts).
  const SCHEMA_MODULES = [
    'workflows/pipeline/index.ts',
    'workflows/pipeline/graphSchemas.ts',
    'workflows/pipeline/reports.ts',
    'workflows/pipeline/validate.ts',
  ];

  it('the workflow bundle reaches neither the index nor the API’s schemas', () => {
    const { files } = reachedFrom('workflows/index.ts');
    expect(files.has('workflows/runPipeline.ts')).toBe(true);
    expect(files.has('workflows/pipeline/catalog.ts')).toBe(true);
    expect(SCHEMA_MODULES.filter((f) => files.has(f)).map((f) => files.get(f)!.join(' → '))).toEqual([]);
  });

  it('the API does reach them (the walk sees the schemas where they are used)', () => {
    const { files } = reachedFrom('api/app.ts');
    for (const f of SCHEMA_MODULES.slice(1)) expect(files.has(f), f).toBe(true);
  });
});
