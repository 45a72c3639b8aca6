// A model thread's entry (see ./modelThread.ts): lowers the thread's priority when asked, then loads the model's
// TypeScript module through tsx's scoped loader, which works whether or not the parent runs under tsx (vitest).
import { setPriority } from 'node:os';
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

if (workerData.niceness > 0) setPriority(0, workerData.niceness);
await tsImport(workerData.module, import.meta.url);
