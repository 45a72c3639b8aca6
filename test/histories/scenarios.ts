/**
 * The pipelines whose workflow histories are kept as replay fixtures (workflows/fixtures/histories): one of
 * each path runPipeline can take. `npm run fixtures:record` runs them; workflows/replay.test.ts replays them.
 */
import { resolve } from 'node:path';
import type { RunPipelineArgs } from '../../workflows/pipeline/runArgs';
import { edge, illustratedStory } from '../support/graphs';

/** One folder per recorded set (v1, v2, …), one JSON history per scenario in each. */
export const HISTORIES_DIR = resolve(import.meta.dirname, '..', '..', 'workflows', 'fixtures', 'histories');

export interface Scenario {
  /** The fixture's file name (without .json). */
  name: string;
  graph: unknown;
  inputs: Record<string, unknown>;
  /** Upload nodes that fail: the first n attempts (retried), or every attempt, non-retryably (Infinity). */
  uploadFailures?: Record<string, number>;
  /** Cancel the run once this node is running. */
  cancelWhenRunning?: string;
  /** Keep the history as it is while this node runs (a run in flight), then stop the run. */
  snapshotWhenRunning?: string;
  /** A re-run's reuse plan: these nodes take the given output instead of running. */
  seeded?: RunPipelineArgs['seeded'];
  /** Outputs the output cache answers for these nodes (the others miss), from an earlier run. */
  cacheHits?: Record<string, Record<string, unknown>>;
  /** The pipeline has a webhook: the run's end starts one delivery workflow. */
  webhook?: boolean;
  /** Approve this approval node once it waits (a workflow update). */
  approve?: string;
}

const input = (id: string) => ({ id, type: 'input', params: { name: id } });
const delay = (id: string, ms: number) => ({ id, type: 'delay', params: { ms } });
const upload = (id: string) => ({ id, type: 'upload', params: {} });

export const SCENARIOS: Scenario[] = [
  {
    name: 'parallel-branches',
    graph: {
      nodes: [
        input('topic'),
        delay('left', 200),
        delay('right', 300),
        { id: 'both', type: 'template', params: { template: '{{a}} & {{b}}' } },
      ],
      edges: [
        edge('topic', 'value', 'left', 'in'),
        edge('topic', 'value', 'right', 'in'),
        edge('left', 'out', 'both', 'a'),
        edge('right', 'out', 'both', 'b'),
      ],
    },
    inputs: { topic: 'otters' },
  },
  {
    name: 'fan-out',
    graph: {
      nodes: [
        input('story'),
        { id: 'scenes', type: 'split', params: { by: 'paragraphs' } },
        { id: 'caption', type: 'template', params: { template: 'Scene: {{scene}}' } },
        upload('publish'),
        { id: 'all', type: 'join', params: { separator: ' | ' } },
      ],
      edges: [
        edge('story', 'value', 'scenes', 'text'),
        edge('scenes', 'items', 'caption', 'scene'),
        edge('caption', 'text', 'publish', 'file'),
        edge('caption', 'text', 'all', 'items'),
      ],
    },
    inputs: { story: 'dawn\n\nnoon\n\ndusk\n\nnight\n\nmidnight' },
  },
  {
    name: 'retry',
    graph: { nodes: [input('text'), upload('publish')], edges: [edge('text', 'value', 'publish', 'file')] },
    inputs: { text: 'hello' },
    uploadFailures: { publish: 2 },
  },
  {
    name: 'failure',
    graph: {
      nodes: [input('text'), upload('publish'), { id: 'after', type: 'template', params: { template: '{{m}}' } }, delay('slow', 60_000)],
      edges: [edge('text', 'value', 'publish', 'file'), edge('publish', 'media', 'after', 'm'), edge('text', 'value', 'slow', 'in')],
    },
    inputs: { text: 'hello' },
    uploadFailures: { publish: Infinity },
  },
  {
    name: 'cancelled',
    graph: {
      nodes: [input('text'), delay('wait', 60_000), upload('publish')],
      edges: [edge('text', 'value', 'wait', 'in'), edge('wait', 'out', 'publish', 'file')],
    },
    inputs: { text: 'hello' },
    cancelWhenRunning: 'wait',
  },
  {
    name: 'in-flight',
    graph: {
      nodes: [input('text'), delay('quick', 10), delay('long', 60_000), upload('publish')],
      edges: [edge('text', 'value', 'quick', 'in'), edge('quick', 'out', 'long', 'in'), edge('long', 'out', 'publish', 'file')],
    },
    inputs: { text: 'hello' },
    snapshotWhenRunning: 'long',
  },
  { name: 'illustrated-story', graph: illustratedStory, inputs: { topic: 'a lighthouse keeper and a lost cat' } },
  {
    // "Run from here" on the narration: everything upstream of it comes from an earlier run.
    name: 'rerun',
    graph: illustratedStory,
    inputs: { topic: 'a lighthouse keeper and a lost cat' },
    seeded: {
      topic: { output: { value: 'a lighthouse keeper and a lost cat' }, fromRunId: 'earlier', savedUsd: 0 },
      prompt: { output: { text: 'Write a short story about a lighthouse keeper and a lost cat.' }, fromRunId: 'earlier', savedUsd: 0 },
      story: {
        output: { text: 'The keeper found a cat. It was a bright morning. Everyone smiled at the end.' },
        fromRunId: 'earlier',
        savedUsd: 0.0002,
      },
    },
  },
  {
    // A webhook hears of the run's end: its delivery is a child workflow the run starts and abandons.
    name: 'webhook',
    graph: { nodes: [input('topic'), upload('publish')], edges: [edge('topic', 'value', 'publish', 'file')] },
    inputs: { topic: 'otters' },
    webhook: true,
  },
  {
    // A person approves what reaches the approval step, then the run goes on.
    name: 'approval',
    graph: {
      nodes: [input('topic'), { id: 'check', type: 'approval', params: {} }, upload('publish')],
      edges: [edge('topic', 'value', 'check', 'in'), edge('check', 'out', 'publish', 'file')],
    },
    inputs: { topic: 'otters' },
    approve: 'check',
  },
  {
    // The output cache: the seeded cover is an earlier run's; the story (seeded too) misses and is kept.
    name: 'output-cache',
    graph: illustratedStory,
    inputs: { topic: 'a harbour seal' },
    cacheHits: {
      cover: {
        image: { artifact: true, key: 'runs/earlier/cover/0/image.png', mimeType: 'image/png', size: 1024, width: 256, height: 256 },
      },
    },
  },
];
