import type { BlobStore } from '../infra/blobs';
import type { EventBus } from '../infra/bus';
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

/** A node's work: inputs in, outputs by handle out. Wrapped into a Temporal activity by createActivities. */
export type NodeStep = (input: ActivityInput) => Promise<Record<string, unknown>>;
