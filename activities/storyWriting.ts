/**
 * Writes a story of a given length about a given subject with any text provider, so that a small local model
 * stays on the subject and near the asked length (measured in bench/stories.ts; figures in docs/models.md):
 *
 * - the prompt restates the subject and names its key nouns, and asks for a title line and short paragraphs;
 * - the token budget comes from the asked words (TOKENS_PER_WORD, plus a margin), so a model that runs on is
 *   cut off near the target instead of at twice its length;
 * - the text is cut at the sentence end nearest the target (never mid-sentence), and when it is short the
 *   model is asked to continue the story it started (at most MAX_CONTINUATIONS times).
 */
import type { TextProvider } from './providers/types';

/** English prose in these models' tokenizers: about 1.3 tokens a word; the rest is margin for the title and the run-on. */
export const TOKENS_PER_WORD = 1.5;
/** A story within this fraction of the asked words is on length. */
export const LENGTH_TOLERANCE = 0.2;
const MAX_CONTINUATIONS = 2;
/** Below this share of the target after a call, the story goes on. */
const CONTINUE_BELOW = 0.85;

export interface StoryRequest {
  /** What the story is about: the node's prompt input, e.g. "a lighthouse keeper who befriends a whale". */
  subject: string;
  words: number;
  /** The system prompt (the node's instructions). */
  instructions: string;
  temperature: number;
  seed?: number;
  /** Provider-specific model name (cloud providers); absent for local ones. */
  model?: string;
  /**
   * How many times a story that came out short is continued (default MAX_CONTINUATIONS). Cloud models keep to the
   * asked length well and each continuation is a paid call, so the story step gives them none.
   */
  continuations?: number;
  /** Ask for a three-line outline first and write the story from it (bench variant; off in the product). */
  outline?: boolean;
}

export interface Story {
  title: string;
  paragraphs: string[];
  /** Title, blank line, paragraphs separated by blank lines. */
  text: string;
  /** Words of the paragraphs (the title not counted). */
  words: number;
  /** Provider calls made (1 + continuations, + 1 for the outline). */
  calls: number;
  model: string;
  promptTokens: number;
  completionTokens: number;
}

const STOPWORDS = new Set(
  (
    'a an the and or but of in on at to for from by with without into onto over under about after before who whom whose which that ' +
    'this these those is are was were be been being has have had does do did his her their its our your my he she they it we you i ' +
    'story tale write short little some one two three very there where when while then than as finds find found meets meet gets get ' +
    'befriends befriend learns learn tries try wants want must can could would should will who discovers discover'
  ).split(' '),
);

/** The content words of a subject, in order, e.g. ["lighthouse", "keeper", "whale"]. */
export function keyNouns(subject: string): string[] {
  const words = subject
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s'-]/gu, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^['-]+|['-]+$/g, '').replace(/'s$/, ''))
    .filter((w) => w.length > 2 && !STOPWORDS.has(w));
  return [...new Set(words)];
}

/** Whether `text` uses `word` (or its plural / a longer form: whale → whales, bake → baker). */
export function mentions(text: string, word: string): boolean {
  const stem = word.length > 4 && word.endsWith('s') ? word.slice(0, -1) : word;
  return new RegExp(`\\b${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'i').test(text);
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

function paragraphCount(words: number): number {
  return Math.max(1, Math.min(8, Math.round(words / 60)));
}

/** The system prompt and first user turn for a story. */
export function storyPrompt(
  req: Pick<StoryRequest, 'subject' | 'words' | 'instructions'>,
  outline?: string,
): { system: string; prompt: string } {
  const subject = req.subject.trim().replace(/[.!?]+$/, '');
  const nouns = keyNouns(subject);
  const paragraphs = paragraphCount(req.words);
  const lines = [
    `Write a story about ${subject}.`,
    `Length: about ${req.words} words${paragraphs > 1 ? `, in ${paragraphs} short paragraphs` : ''}.`,
    'Start with a short title on its own line, then the story.',
    nouns.length ? `The story is about ${subject}. Use each of these words at least once: ${nouns.join(', ')}.` : '',
    outline ? `Follow this outline:\n${outline}` : '',
  ];
  return { system: req.instructions.trim(), prompt: lines.filter(Boolean).join('\n') };
}

function continuationPrompt(subject: string, sofar: string, more: number): string {
  return [
    `Here is the beginning of a story about ${subject.trim().replace(/[.!?]+$/, '')}:`,
    '',
    sofar,
    '',
    `Continue this story with about ${more} more words and bring it to an end. Write only the continuation, no title.`,
  ].join('\n');
}

const PREAMBLE = /^(sure|certainly|of course|here('s| is)|okay|ok)\b[^\n]*[:!.]\s*$/i;
/** A line that only labels or heads what follows ("**Story**:", "## Part 1", "**The Clock**", "Story:"): not prose. */
const LABEL_LINE = /^(#+\s.*|\*\*[^*]+\*\*\s*:?|\*\*[^*]+:\*\*|[\p{L} ]{1,30}:)$/u;
const TITLE_MARK = /^(#+\s*|\*\*|title\s*:\s*|story\s*title\s*:\s*)/i;

function cleanTitle(line: string): string {
  return line
    .replace(TITLE_MARK, '')
    .replace(/\*\*/g, '')
    .replace(/^["'“”]+|["'“”]+$/g, '')
    .replace(/^title\s*:\s*/i, '')
    .trim();
}

function titleFromSubject(subject: string): string {
  const s = subject.trim().replace(/[.!?]+$/, '');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Splits a model's answer into a title and paragraphs (drops a chatty preamble and a "The End"). */
export function parseStory(raw: string, subject: string): { title: string; paragraphs: string[] } {
  const lines = answerLines(raw);
  let title = '';
  // 'The title of this story is "The Hidden Door."'
  const announced = /^(?:the )?title(?: of (?:this|the|my) story)? is:?\s*["'“]?(.+?)["'”]?\.?["'”]?$/i.exec(lines[0] ?? '');
  if (announced && lines.length > 1) {
    lines[0] = announced[1];
  }
  const first = lines[0] ?? '';
  const looksLikeTitle =
    TITLE_MARK.test(first) || (first.length > 0 && countWords(first) <= 12 && !/[.!?,;]["'”]?$/.test(first.replace(/\*+$/, '')));
  if (looksLikeTitle && lines.length > 1) {
    title = cleanTitle(first);
    lines.shift();
  }
  const body = lines
    .filter((l) => !LABEL_LINE.test(l))
    .join('\n')
    .replace(/^\s*(the end\.?)\s*$/gim, '');
  const paragraphs = splitParagraphs(body);
  return { title: title || titleFromSubject(subject), paragraphs };
}

function answerLines(raw: string): string[] {
  const lines = raw
    .replace(/\r/g, '')
    .split('\n')
    .map((l) => l.trim());
  while (lines.length && (!lines[0] || PREAMBLE.test(lines[0]))) lines.shift();
  return lines;
}

/** The paragraphs of a continuation (a title line some models repeat is dropped). */
export function parseContinuation(raw: string): string[] {
  const lines = answerLines(raw);
  if (lines.length > 1 && TITLE_MARK.test(lines[0])) lines.shift();
  return splitParagraphs(lines.filter((l) => !LABEL_LINE.test(l)).join('\n'));
}

function sentences(text: string): string[] {
  return (
    text
      .match(/[^.!?…]+(?:[.!?…]+["'”’)]*|$)/g)
      ?.map((s) => s.trim())
      .filter(Boolean) ?? []
  );
}

/** Paragraphs as the model wrote them; one long block is split into paragraphs of about four sentences. */
function splitParagraphs(body: string): string[] {
  const blocks = body
    .split(/\n\s*\n|\n(?=\S)/)
    .map((b) => b.replace(/\s+/g, ' ').trim())
    .filter((b) => countWords(b) > 0);
  if (blocks.length !== 1) return blocks;
  const all = sentences(blocks[0]);
  if (all.length <= 5) return blocks;
  const groups = Math.ceil(all.length / 4);
  const size = Math.ceil(all.length / groups);
  const out: string[] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size).join(' '));
  return out;
}

function endsSentence(text: string): boolean {
  return /[.!?…]["'”’)]*$/.test(text.trim());
}

/**
 * Cuts the paragraphs at a sentence end: the one nearest `target` words that is not past target × (1 + tolerance),
 * and drops an unfinished last sentence. Returns the paragraphs unchanged when no sentence end qualifies.
 */
export function fitToLength(paragraphs: string[], target: number): string[] {
  const ends: { p: number; s: number; words: number }[] = [];
  const split = paragraphs.map(sentences);
  let words = 0;
  split.forEach((ss, p) =>
    ss.forEach((s, i) => {
      words += countWords(s);
      if (endsSentence(s)) ends.push({ p, s: i, words });
    }),
  );
  const max = target * (1 + LENGTH_TOLERANCE);
  const allowed = ends.filter((e) => e.words <= max);
  if (!allowed.length) return paragraphs;
  const best = allowed.reduce((a, b) => (Math.abs(b.words - target) < Math.abs(a.words - target) ? b : a));
  const kept = split.slice(0, best.p + 1).map((ss, p) => (p === best.p ? ss.slice(0, best.s + 1) : ss).join(' '));
  return kept.filter(Boolean);
}

export async function writeStory(
  provider: TextProvider,
  req: StoryRequest,
  opts: { signal: AbortSignal; onText?: (textSoFar: string, fraction: number) => void },
): Promise<Story> {
  let calls = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  let model = '';
  const target = req.words;
  const base = { temperature: req.temperature, ...(req.seed !== undefined ? { seed: req.seed } : {}), model: req.model };

  const call = async (system: string, prompt: string, maxTokens: number, shown: (sofar: string) => string): Promise<string> => {
    let sofar = '';
    const res = await provider.generate(
      { system, prompt, maxTokens, ...base },
      {
        signal: opts.signal,
        onToken: (chunk) => {
          sofar += chunk;
          const text = shown(sofar);
          opts.onText?.(text, Math.min(0.99, countWords(text) / target));
        },
      },
    );
    calls++;
    promptTokens += res.promptTokens;
    completionTokens += res.completionTokens;
    model = res.model;
    return res.text;
  };

  let outline: string | undefined;
  if (req.outline) {
    const subject = req.subject.trim().replace(/[.!?]+$/, '');
    outline = (
      await call(
        req.instructions.trim(),
        `Write a three-line outline (beginning, middle, end) for a short story about ${subject}. One short line each, nothing else.`,
        80,
        () => '',
      )
    ).trim();
  }

  const { system, prompt } = storyPrompt(req, outline);
  const first = parseStory(await call(system, prompt, Math.ceil(target * TOKENS_PER_WORD) + 24, (s) => s), req.subject);
  const title = first.title;
  let paragraphs = first.paragraphs;
  const render = (ps: string[]) => [title, ...ps].join('\n\n');

  for (let i = 0; i < (req.continuations ?? MAX_CONTINUATIONS); i++) {
    const have = countWords(paragraphs.join(' '));
    if (have >= target * CONTINUE_BELOW) break;
    // A story that stopped mid-sentence continues from its last full sentence.
    const whole = fitToLength(paragraphs, have);
    const more = target - countWords(whole.join(' '));
    const sofar = whole.join('\n\n');
    const next = await call(system, continuationPrompt(req.subject, sofar, more), Math.ceil(more * TOKENS_PER_WORD) + 16, (s) =>
      render([...whole, s]),
    );
    const added = parseContinuation(next);
    if (!countWords(added.join(' '))) break;
    paragraphs = [...whole, ...added];
  }

  paragraphs = fitToLength(paragraphs, target);
  const text = render(paragraphs);
  opts.onText?.(text, 1);
  return { title, paragraphs, text, words: countWords(paragraphs.join(' ')), calls, model, promptTokens, completionTokens };
}
