import type { BlobStore } from '../infra/blobs';
import type { EventBus } from '../infra/bus';
import type { ActivityNodeParams, ActivityNodeType } from '../workflows/pipeline';
import type { ActivityInput } from './contract';
import type { Providers } from './providers';
import type { RunStore } from './runStore';

/** Everything the activities reach the world through, handed in by whoever builds the worker. */
export interface ActivityDeps {
  store: RunStore;
  blobs: BlobStore;
  bus: EventBus;
  providers: Providers;
}

/** What a node's step is handed: the activity input with its params parsed by the node's schema (defaults applied). */
export interface StepInput<P> extends Omit<ActivityInput, 'params'> {
  params: P;
}

/** A node's work: inputs in, outputs by handle out. Wrapped into a Temporal activity by createActivities. */
export type NodeStep<P = Record<string, unknown>> = (input: StepInput<P>) => Promise<Record<string, unknown>>;

/** The step of every activity the catalog's node types run, each typed by its node's params. */
export type NodeSteps = { [A in ActivityNodeType]: NodeStep<ActivityNodeParams[A]> };
