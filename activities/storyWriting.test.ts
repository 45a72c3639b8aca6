import { describe, expect, it } from 'vitest';
import type { TextProvider, TextRequest } from './providers/types';
import { countWords, fitToLength, keyNouns, mentions, parseStory, storyPrompt, writeStory } from './storyWriting';

const never = new AbortController().signal;

/** Answers each request with the next scripted text (the orchestration under test, not a model). */
function scripted(answers: string[]) {
  const requests: TextRequest[] = [];
  const provider: TextProvider = {
    id: 'scripted',
    async generate(request, { onToken }) {
      requests.push(request);
      const text = answers[requests.length - 1] ?? '';
      onToken?.(text);
      return { text, model: 'scripted', promptTokens: 10, completionTokens: countWords(text) };
    },
  };
  return { provider, requests };
}

const sentence = (n: number, word = 'whale') => `The keeper saw the ${word} again${' and again'.repeat(Math.max(0, n - 6) / 2)}.`;

describe('story prompts', () => {
  it('takes the key nouns of the subject and restates the subject with the length, a title and paragraphs', () => {
    expect(keyNouns('A lighthouse keeper who befriends a whale.')).toEqual(['lighthouse', 'keeper', 'whale']);
    const { system, prompt } = storyPrompt({
      subject: 'a lighthouse keeper who befriends a whale',
      words: 120,
      instructions: ' Be warm. ',
    });
    expect(system).toBe('Be warm.');
    expect(prompt).toContain('Write a story about a lighthouse keeper who befriends a whale.');
    expect(prompt).toContain('about 120 words, in 2 short paragraphs');
    expect(prompt).toContain('title');
    expect(prompt).toContain('Use each of these words at least once: lighthouse, keeper, whale.');
  });

  it('counts plural and longer forms as mentions, not other words that start alike', () => {
    expect(mentions('Two whales sang.', 'whale')).toBe(true);
    expect(mentions('The astronauts waved.', 'astronaut')).toBe(true);
    expect(mentions('He was catty.', 'cat')).toBe(true);
    expect(mentions('A scattered light.', 'cat')).toBe(false);
  });
});

describe('parsing a story', () => {
  it('takes a title line (markdown or "Title:") and drops a chatty preamble and "The End"', () => {
    const raw =
      "Sure! Here's your story:\n\n**Title: The Keeper's Whale**\n\nOne night the keeper saw a whale.\n\nThey became friends.\n\nThe End.";
    expect(parseStory(raw, 'x')).toEqual({
      title: "The Keeper's Whale",
      paragraphs: ['One night the keeper saw a whale.', 'They became friends.'],
    });
  });

  it('takes a title the model announces in a sentence', () => {
    const raw = 'The title of this story is "The Hidden Door of Imagination."\n\nOnce upon a time, a child painted a door.';
    expect(parseStory(raw, 'x')).toEqual({
      title: 'The Hidden Door of Imagination',
      paragraphs: ['Once upon a time, a child painted a door.'],
    });
  });

  it('drops label and heading lines between the title and the story', () => {
    const raw = '**Title:** The Clockmaker\n\n**Story**:\nThe clock ran backwards.\n\n## Part 2\n**The Clock**\nIt stopped.';
    expect(parseStory(raw, 'x')).toEqual({ title: 'The Clockmaker', paragraphs: ['The clock ran backwards.', 'It stopped.'] });
  });

  it('makes a title from the subject when the model wrote none, and splits one long block into paragraphs', () => {
    const block = Array.from({ length: 8 }, (_, i) => `Sentence ${i + 1} is here.`).join(' ');
    const story = parseStory(block, 'a fox in winter');
    expect(story.title).toBe('A fox in winter');
    expect(story.paragraphs).toHaveLength(2);
    expect(story.paragraphs.join(' ')).toBe(block);
  });
});

describe('fitting the length', () => {
  it('cuts at the sentence end nearest the target, never past +20 %, and drops an unfinished sentence', () => {
    const ten = 'One two three four five six seven eight nine ten.';
    expect(fitToLength([ten, ten, `${ten} ${ten}`], 25)).toEqual([ten, ten]);
    expect(fitToLength([ten, `${ten} eleven twelve`], 30)).toEqual([ten, ten]);
    expect(fitToLength([`${ten} ${ten} ${ten}`], 14)).toEqual([ten]);
  });
});

describe('writeStory', () => {
  it('asks for a budget from the words and cuts a run-on story at a sentence end within ±20 %', async () => {
    const long = `The Whale\n\n${Array.from({ length: 30 }, () => sentence(10)).join(' ')}`;
    const { provider, requests } = scripted([long]);
    const story = await writeStory(
      provider,
      { subject: 'a whale', words: 100, instructions: 'Be warm.', temperature: 0.8, seed: 3 },
      { signal: never },
    );
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ maxTokens: 174, temperature: 0.8, seed: 3, system: 'Be warm.' });
    expect(story.title).toBe('The Whale');
    expect(story.words).toBeGreaterThanOrEqual(80);
    expect(story.words).toBeLessThanOrEqual(120);
    expect(story.text.endsWith('.')).toBe(true);
  });

  it('continues a short story from its last full sentence and streams the whole text so far', async () => {
    const { provider, requests } = scripted([`The Whale\n\n${sentence(10)} ${sentence(10)} And then`, `${sentence(10)} ${sentence(10)}`]);
    const seen: string[] = [];
    const story = await writeStory(
      provider,
      { subject: 'a whale', words: 40, instructions: 'Be warm.', temperature: 0, seed: 1 },
      { signal: never, onText: (text) => seen.push(text) },
    );
    expect(requests).toHaveLength(2);
    expect(requests[1].prompt).toContain('Continue this story with about 20 more words');
    expect(requests[1].prompt).not.toContain('And then');
    expect(story.paragraphs).toHaveLength(2);
    expect(story.words).toBe(40);
    expect(story.calls).toBe(2);
    expect(seen.at(-1)).toBe(story.text);
    expect(seen.some((t) => t.startsWith('The Whale\n\n') && t.includes('And then'))).toBe(true);
  });
});
