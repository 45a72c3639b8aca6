import type { NodeInfo } from '../../../api/schemas';
import { GRAPH_SCHEMA_VERSION, type Graph } from '../../../workflows/pipeline/graph';
import { portsFor } from './ports';

/** Starter pipelines, built from catalog node types; a template whose types or ports are missing is hidden. */
export interface StarterTemplate {
  id: string;
  name: string;
  description: string;
  graph: Graph;
}

type T = { id: string; type: string; params?: Record<string, unknown>; x: number; y: number };
type E = [string, string, string, string];

function build(nodes: T[], edges: E[]): Graph {
  return {
    schemaVersion: GRAPH_SCHEMA_VERSION,
    nodes: nodes.map((n) => ({ id: n.id, type: n.type, params: n.params ?? {}, position: { x: n.x, y: n.y } })),
    edges: edges.map(([source, sourceHandle, target, targetHandle]) => ({ source, sourceHandle, target, targetHandle })),
  };
}

const STARTERS: StarterTemplate[] = [
  {
    id: 'illustrated-story',
    name: 'Illustrated story',
    description:
      'A topic becomes a short story in four scenes, each pictured and read aloud: a storybook to read along with, and its video.',
    graph: build(
      [
        { id: 'topic', type: 'input', params: { name: 'topic', description: 'What the story is about' }, x: 0, y: 160 },
        {
          id: 'story',
          type: 'story',
          params: {
            instructions:
              'You are a warm, vivid storyteller. Write a complete short story with a beginning, middle and end, in four short paragraphs separated by blank lines. Plain prose, no title, no preamble.',
          },
          x: 280,
          y: 160,
        },
        { id: 'scenes', type: 'split', params: { by: 'paragraphs', maxItems: 4 }, x: 560, y: 160 },
        {
          id: 'title',
          type: 'llm',
          params: {
            instruction: 'Write a short title (at most six words) for this story. Answer with the title only.\n\n{{text}}',
            maxTokens: 16,
          },
          x: 560,
          y: 380,
        },
        { id: 'scene', type: 'llm', x: 840, y: 0 },
        { id: 'picture', type: 'illustration', x: 1120, y: 0 },
        { id: 'narration', type: 'narration', x: 840, y: 240 },
        { id: 'storybook', type: 'storybook', x: 1400, y: 160 },
        { id: 'save-story', type: 'upload', x: 560, y: 560 },
        { id: 'save-picture', type: 'upload', x: 1960, y: 0 },
        { id: 'save-book', type: 'upload', x: 1680, y: 100 },
        { id: 'save-video', type: 'upload', x: 1680, y: 280 },
      ],
      [
        ['topic', 'value', 'story', 'prompt'],
        ['story', 'text', 'scenes', 'text'],
        ['story', 'text', 'title', 'text'],
        ['scenes', 'items', 'scene', 'text'],
        ['scene', 'text', 'picture', 'prompt'],
        ['scenes', 'items', 'narration', 'text'],
        ['title', 'text', 'storybook', 'title'],
        ['scenes', 'items', 'storybook', 'scenes'],
        ['picture', 'image', 'storybook', 'images'],
        ['narration', 'audio', 'storybook', 'narration'],
        ['story', 'text', 'save-story', 'file'],
        ['picture', 'image', 'save-picture', 'file'],
        ['storybook', 'book', 'save-book', 'file'],
        ['storybook', 'video', 'save-video', 'file'],
      ],
    ),
  },
  {
    id: 'narrated-story',
    name: 'Narrated story',
    description: 'A topic becomes a short story, read aloud.',
    graph: build(
      [
        { id: 'topic', type: 'input', params: { name: 'topic', description: 'What the story is about' }, x: 0, y: 80 },
        { id: 'story', type: 'story', x: 280, y: 80 },
        { id: 'narration', type: 'narration', x: 560, y: 0 },
        { id: 'save-story', type: 'upload', x: 560, y: 220 },
        { id: 'save-audio', type: 'upload', x: 840, y: 0 },
      ],
      [
        ['topic', 'value', 'story', 'prompt'],
        ['story', 'text', 'narration', 'text'],
        ['story', 'text', 'save-story', 'file'],
        ['narration', 'audio', 'save-audio', 'file'],
      ],
    ),
  },
  {
    id: 'social-post',
    name: 'Social post',
    description: 'A short, upbeat post about any subject, ready to publish.',
    graph: build(
      [
        { id: 'subject', type: 'input', params: { name: 'subject' }, x: 0, y: 0 },
        {
          id: 'post',
          type: 'llm',
          params: {
            instruction: 'Write a short, upbeat social media post (max 280 characters, two hashtags) about:\n\n{{text}}',
            maxTokens: 120,
          },
          x: 280,
          y: 0,
        },
        { id: 'publish', type: 'upload', x: 560, y: 0 },
      ],
      [
        ['subject', 'value', 'post', 'text'],
        ['post', 'text', 'publish', 'file'],
      ],
    ),
  },
  {
    id: 'text-file',
    name: 'Text to file (no AI)',
    description: 'Fill a template, wait a moment, publish the text — runs instantly, offline.',
    graph: build(
      [
        { id: 'topic', type: 'input', params: { name: 'topic' }, x: 0, y: 0 },
        { id: 'text', type: 'template', params: { template: 'A note about {{topic}}.' }, x: 280, y: 0 },
        { id: 'wait', type: 'delay', params: { ms: 1000 }, x: 560, y: 0 },
        { id: 'publish', type: 'upload', x: 840, y: 0 },
      ],
      [
        ['topic', 'value', 'text', 'topic'],
        ['text', 'text', 'wait', 'in'],
        ['wait', 'out', 'publish', 'file'],
      ],
    ),
  },
];

/** The starters every node of which exists in the catalog, with every edge on a real port. */
export function availableTemplates(infos: NodeInfo[]): StarterTemplate[] {
  const byType = new Map(infos.map((i) => [i.type, i]));
  return STARTERS.filter(({ graph }) => {
    const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
    if (!graph.nodes.every((n) => byType.has(n.type))) return false;
    return graph.edges.every((e) => {
      const s = nodes.get(e.source)!;
      const t = nodes.get(e.target)!;
      return (
        portsFor(s.type, s.params, byType.get(s.type)).outputs.some((p) => p.handle === e.sourceHandle) &&
        portsFor(t.type, t.params, byType.get(t.type)).inputs.some((p) => p.handle === e.targetHandle)
      );
    });
  });
}
