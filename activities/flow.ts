import { Context } from '@temporalio/activity';
import type { NodeSteps } from './deps';

/**
 * Waits `ms`, heartbeating the time already waited, so a retry after a worker crash waits only
 * what is left. Cancellation interrupts the wait.
 */
export const delay: NodeSteps['delay'] = async ({ params, inputs }) => {
  const ctx = Context.current();
  const total = params.ms;
  let waited = Number(ctx.info.heartbeatDetails ?? 0);
  const started = Date.now() - waited;
  while (waited < total) {
    await ctx.sleep(Math.min(1000, total - waited));
    waited = Date.now() - started;
    ctx.heartbeat(waited);
  }
  return { out: inputs.in };
};
