import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import type { NodeDefinition } from '../workflows/pipeline';
import type { ActivityInput } from './contract';
import type { NodeStep } from './deps';

/**
 * The one place a node's params get their type and defaults: parsed by the node's schema before its step runs.
 * The graph was validated when the run started, so a failure here means the catalog changed under a running run.
 */
export function withParams<P>(definition: NodeDefinition<P>, step: NodeStep<P>): NodeStep {
  return (input) => step({ ...input, params: parseParams(definition, input) });
}

export function parseParams<P>(definition: NodeDefinition<P>, input: Pick<ActivityInput, 'nodeId' | 'params'>): P {
  const parsed = definition.params.safeParse(input.params);
  if (parsed.success) return parsed.data;
  throw ApplicationFailure.nonRetryable(`Node '${input.nodeId}' has invalid params: ${z.prettifyError(parsed.error)}`, 'InvalidInput');
}
