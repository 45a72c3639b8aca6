/** The states a run and each of its nodes move through: a leaf, so graph.ts and reports.ts both import it. */
export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];
/** A node may also wait for a person (an approval step); its run meanwhile stays 'running'. */
export const NODE_STATUSES = [...RUN_STATUSES, 'waiting'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];
