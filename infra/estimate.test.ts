import { describe, expect, it } from 'vitest';
import { validateGraph, type Graph } from '../workflows/pipeline';
import { OPENAI_DEFAULTS } from '../activities/providers/cloud/openai';
import { ELEVENLABS_DEFAULTS } from '../activities/providers/cloud/elevenlabs';
import { DEFAULT_MODELS, estimateRun, expectedUsage } from './estimate';
import { costOf, DEFAULT_PRICES } from './prices';

const edge = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({
  source,
  sourceHandle,
  target,
  targetHandle,
});
const graphOf = (raw: unknown): Graph => {
  const checked = validateGraph(raw);
  if (!checked.graph) throw new Error(JSON.stringify(checked.problems));
  return checked.graph;
};

const cloudStory = graphOf({
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'story', type: 'story', params: { provider: 'openai', words: 150 } },
    { id: 'voice', type: 'narration', params: { provider: 'openai' } },
    { id: 'scenes', type: 'split', params: { by: 'paragraphs', maxItems: 4 } },
    { id: 'art', type: 'illustration', params: { provider: 'openai', size: '1024x1024' } },
  ],
  edges: [
    edge('topic', 'value', 'story', 'prompt'),
    edge('story', 'text', 'voice', 'text'),
    edge('story', 'text', 'scenes', 'text'),
    edge('scenes', 'items', 'art', 'prompt'),
  ],
});

describe('cost estimate', () => {
  it('prices each AI node from its params: words to write, characters to narrate, one picture per item of the split bound', () => {
    const estimate = estimateRun(DEFAULT_PRICES, cloudStory, { topic: 'a lighthouse keeper' });
    expect(Object.keys(estimate.nodes).sort()).toEqual(['art', 'story', 'voice']);
    // 150 words ≈ 200 tokens at $0.6/1M out, plus the instructions and prompt read at $0.15/1M.
    expect(estimate.nodes.story.usd).toBeGreaterThan(0.00012);
    expect(estimate.nodes.story.usd).toBeLessThan(0.00016);
    expect(estimate.nodes.story.basis).toMatch(/^~200 tokens written, ~\d+ read × gpt-4o-mini \(\$0\.15 \/ \$0\.6 per 1M tokens\)$/);
    // 150 words ≈ 900 characters at $0.015/1K.
    expect(estimate.nodes.voice).toEqual({ usd: 0.0135, basis: '~900 characters × tts-1 ($0.015/1K characters)' });
    expect(estimate.nodes.art).toEqual({ usd: 0.16, basis: '4 calls (one per item) × 1 image × dall-e-3 ($0.04/image), 1024x1024' });
    expect(estimate.totalUsd).toBeCloseTo(estimate.nodes.story.usd + 0.0135 + 0.16, 6);
  });

  it('reads the text it knows: a given prompt is split as it will be, a template is filled', () => {
    const graph = graphOf({
      nodes: [
        { id: 'topic', type: 'input', params: { name: 'topic' } },
        { id: 'line', type: 'template', params: { template: 'Read this: {{topic}}' } },
        { id: 'voice', type: 'narration', params: { provider: 'elevenlabs' } },
        { id: 'parts', type: 'split', params: { by: 'lines', maxItems: 10 } },
        { id: 'art', type: 'illustration', params: { provider: 'stability' } },
      ],
      edges: [
        edge('topic', 'value', 'line', 'topic'),
        edge('line', 'text', 'voice', 'text'),
        edge('topic', 'value', 'parts', 'text'),
        edge('parts', 'items', 'art', 'prompt'),
      ],
    });
    const estimate = estimateRun(DEFAULT_PRICES, graph, { topic: 'one\ntwo' });
    expect(estimate.nodes.voice.basis).toBe(`~${'Read this: one\ntwo'.length} characters × eleven_multilingual_v2 ($0.3/1K characters)`);
    expect(estimate.nodes.art.usd).toBe(0.06);
  });

  it('costs nothing on local models, and says so', () => {
    const local = graphOf({
      nodes: [
        { id: 'topic', type: 'input', params: { name: 'topic' } },
        { id: 'story', type: 'story', params: {} },
      ],
      edges: [edge('topic', 'value', 'story', 'prompt')],
    });
    expect(estimateRun(DEFAULT_PRICES, local, {})).toEqual({ totalUsd: 0, nodes: { story: { usd: 0, basis: 'local model: free' } } });
  });

  it('prices a call with the same table and function as the actual charge', () => {
    const usage = expectedUsage.narration(1000);
    expect(costOf(DEFAULT_PRICES, 'openai', 'tts-1', usage)).toBe(0.015);
  });

  it("prices a node that names no model as the provider's default model", () => {
    expect(DEFAULT_MODELS.openai).toEqual({ text: OPENAI_DEFAULTS.text, audio: OPENAI_DEFAULTS.speech, image: OPENAI_DEFAULTS.image });
    expect(DEFAULT_MODELS.elevenlabs.audio).toBe(ELEVENLABS_DEFAULTS.model);
  });
});
