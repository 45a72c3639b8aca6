/** The constants both graph.ts (the language's types and helpers) and the schemas (graphSchemas.ts) build on. */

/** Names that reach an object's prototype when used as a key: never a node id, handle or input name. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const notReserved = (name: string) => !RESERVED_NAMES.has(name);
export const RESERVED_MESSAGE = `is a reserved name (${[...RESERVED_NAMES].join(', ')})`;

export const GRAPH_SCHEMA_VERSION = 1;

/** What started a run: the studio (a login session), the REST API (an API key), a schedule, or a re-run. */
export const RUN_TRIGGER_KINDS = ['studio', 'api', 'schedule', 'rerun'] as const;
