// A model thread's entry (see ./modelThread.ts): loads the model's TypeScript module through tsx's scoped loader,
// which works whether or not the parent runs under tsx (vitest does not).
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.module, import.meta.url);
