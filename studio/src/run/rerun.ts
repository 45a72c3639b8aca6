import { api } from '../lib/api';
import { navigate } from '../lib/router';

/** What POST /runs/:id/rerun takes: run from a node, or the steps that did not succeed. */
export type RerunRequest = { fromNodeId: string } | { onlyFailed: true };

/** Starts a re-run of a finished run (upstream outputs reused) and opens it; throws the API's error to show. */
export async function startRerun(runId: string, request: RerunRequest): Promise<void> {
  const res = await api<{ id: string }>('POST', `/runs/${runId}/rerun`, request);
  navigate(`/runs/${res.id}`);
}
