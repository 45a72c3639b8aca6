// Start-up phases (npm install, Temporal CLI, studio build, …), for bench/start.ts: each process of a start appends
// one JSON line {phase, start, end} (epoch ms) to the file STARTUP_PHASES_FILE names; without it nothing is written.
// Plain JavaScript with no dependencies, because setup and the launcher use it before `npm install`.
import { appendFileSync } from 'node:fs';

/** Records a phase that began at `start` and ends now; `extra` (e.g. {cpuMs}) goes along. */
export function recordPhase(phase, start, end = Date.now(), extra = {}) {
  const file = process.env.STARTUP_PHASES_FILE;
  if (!file) return;
  try {
    appendFileSync(file, `${JSON.stringify({ phase, start, end, ...extra })}\n`);
  } catch {
    // A measurement aid: never a reason for a start to fail.
  }
}

/** When the launcher began (LAUNCH_STARTED_AT, set by it for its children), or now. */
export function launchStartedAt() {
  const at = Number(process.env.LAUNCH_STARTED_AT);
  return Number.isFinite(at) && at > 0 ? at : Date.now();
}
