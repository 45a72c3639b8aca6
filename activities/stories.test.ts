/**
 * The default local text model writes stories on the subject and of the asked length (issue 13): the story step's
 * prompt and length control (activities/storyWriting.ts) on the real model, temperature 0.8 and a fixed seed.
 * The subjects are not among bench/stories.ts's. STORY_TEST_MODEL points it at another GGUF file (e.g. before setup fetched the default).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalTextProvider, defaultTextModelPath, type LocalTextProvider } from './providers/local/text';
import { countWords, LENGTH_TOLERANCE, mentions, writeStory } from './storyWriting';
import { storyNode } from '../workflows/pipeline/catalog';

const root = resolve(import.meta.dirname, '..');
const modelPath = process.env.STORY_TEST_MODEL || defaultTextModelPath(root);
const instructions = storyNode.params.parse({}).instructions;

const PROMPTS = [
  { subject: 'a beekeeper who loses her queen bee', keys: ['beekeeper', 'queen', 'bee'], words: 120 },
  { subject: 'a clockmaker who builds a clock that runs backwards', keys: ['clockmaker', 'clock'], words: 150 },
  { subject: 'a giraffe who wants to become a ballet dancer', keys: ['giraffe', 'ballet', 'dancer'], words: 100 },
  { subject: 'a submarine crew that meets a giant octopus', keys: ['submarine', 'octopus'], words: 150 },
  { subject: 'a gardener who grows a pumpkin as big as a house', keys: ['gardener', 'pumpkin', 'house'], words: 120 },
];

let provider: LocalTextProvider;

beforeAll(async () => {
  if (!existsSync(modelPath)) throw new Error(`${modelPath} is missing: run \`node infra/setup.mjs --test\` first`);
  provider = createLocalTextProvider({ modelPath });
  await provider.warmup();
}, 300_000);

afterAll(async () => {
  await provider?.dispose();
});

describe('stories from the default local model', () => {
  it.each(PROMPTS)(
    'writes about "$subject" in $words words (±20 %), with a title and paragraphs',
    async ({ subject, keys, words }) => {
      const story = await writeStory(
        provider,
        { subject, words, instructions, temperature: 0.8, seed: 7 },
        { signal: new AbortController().signal },
      );
      for (const key of keys) expect(mentions(story.text, key), `${key} in: ${story.text}`).toBe(true);
      expect(Math.abs(story.words - words) / words, `${story.words} words: ${story.text}`).toBeLessThanOrEqual(LENGTH_TOLERANCE);
      expect(story.words).toBe(countWords(story.paragraphs.join(' ')));
      expect(story.title.length).toBeGreaterThan(0);
      expect(countWords(story.title)).toBeLessThanOrEqual(12);
      expect(story.paragraphs.length).toBeGreaterThanOrEqual(2);
      expect(story.text).toBe([story.title, ...story.paragraphs].join('\n\n'));
      // Every paragraph ends at a sentence end: the length control never cuts mid-sentence.
      for (const p of story.paragraphs) expect(p).toMatch(/[.!?…]["'”’)]*$/);
    },
    300_000,
  );
});
