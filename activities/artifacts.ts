import { ApplicationFailure } from '@temporalio/activity';
import { validateKey } from '../infra/blobs';
import { findArtifactRefs } from '../workflows/pipeline';
import type { ActivityInput } from './contract';
import type { RunStore } from './runStore';

/** Artifact keys are `runs/<runId>/…`, written by the activities of that run. */
const RUN_ARTIFACT_KEY = /^runs\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\//;

/**
 * The one check before any node step reads its inputs: every artifact ref in them must point into a run of
 * the same user. Refs are made only by activities, but a value that merely looks like one can arrive from
 * anywhere upstream; without this, it would read any stored file.
 */
export function createArtifactGuard(store: Pick<RunStore, 'runOwner'>) {
  return async function checkArtifactRefs(input: ActivityInput): Promise<void> {
    // The run being executed is the user's by construction (both ids come from the workflow's arguments).
    const owners = new Map<string, string | undefined>([[input.runId, input.userId]]);
    for (const { path, ref } of findArtifactRefs(input.inputs)) {
      const refuse = (why: string) => ApplicationFailure.nonRetryable(`Input '${path}' ${why}`, 'InvalidInput');
      const key = ref.key;
      const runId = typeof key === 'string' ? key.match(RUN_ARTIFACT_KEY)?.[1] : undefined;
      if (typeof key !== 'string' || !runId || !isValidKey(key)) throw refuse('is not a reference to a run artifact');
      if (!owners.has(runId)) owners.set(runId, await store.runOwner(runId));
      if (owners.get(runId) !== input.userId) throw refuse("refers to another user's file");
    }
  };
}

function isValidKey(key: string): boolean {
  try {
    validateKey(key);
    return true;
  } catch {
    return false;
  }
}
