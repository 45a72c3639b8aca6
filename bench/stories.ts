/**
 * Story quality and speed per local text model: on-topic rate, length error, tokens/s, first-token time, memory.
 * A bench, not a test (figures in docs/models.md). Each model runs in a process of its own, so its peak RSS is
 * that model's; one thread (llama.cpp on shared cores); temperature 0.8 (the story node's default), seed = prompt index.
 *
 *   npx tsx bench/stories.ts --models SmolLM2-135M-Instruct.Q4_1.gguf,qwen2.5-coder-0.5b-instruct-q4_k_m.gguf \
 *     [--variants plain,guided,outline] [--limit 22] [--dir .cache/models] [--out rows.jsonl]
 *   npx tsx bench/stories.ts --table rows.jsonl      (the table again from saved rows)
 *
 * With --out each finished (model, variant) row is appended to that file as it is measured, so a long run can be
 * split into several invocations and tabled at the end.
 *
 * Variants: `plain` is the story step before issue 13 (instructions + "Write about N words", the prompt as the
 * user turn, 1.7 tokens a word); `guided` is writeStory (subject restated, key nouns, title + paragraphs,
 * budget, sentence-end cut, continuation); `outline` is guided with a three-line outline written first.
 * On topic = every key noun of the prompt appears in the story (plural or longer forms count). Since a prompt that
 * names the nouns makes even a weak model drop them in, three quality proxies go with it: the model wrote its own
 * title, the assistant's voice leaked into the story ("I have woven a tale…"), and the share of repeated trigrams.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { countWords, mentions, writeStory, LENGTH_TOLERANCE } from '../activities/storyWriting';
import { createLocalTextProvider } from '../activities/providers/local/text';
import type { TextProvider } from '../activities/providers/types';

/** Subjects with the nouns a story about them must use, and the asked length. Not the ones test/stories.test.ts uses. */
export const BENCH_PROMPTS: { subject: string; keys: string[]; words: number }[] = [
  { subject: 'a lighthouse keeper who befriends a whale', keys: ['lighthouse', 'keeper', 'whale'], words: 120 },
  { subject: 'a robot learning to bake bread', keys: ['robot', 'bread'], words: 150 },
  { subject: 'a girl who finds a dragon egg in her garden', keys: ['girl', 'dragon', 'egg', 'garden'], words: 150 },
  { subject: 'an old fisherman and a talking seagull', keys: ['fisherman', 'seagull'], words: 100 },
  { subject: 'a fox who wants to see the city lights', keys: ['fox', 'city', 'lights'], words: 120 },
  { subject: 'two astronauts stranded on the moon', keys: ['astronaut', 'moon'], words: 200 },
  { subject: 'a library where the books come alive at night', keys: ['library', 'books', 'night'], words: 150 },
  { subject: 'a boy and his kite on a windy beach', keys: ['boy', 'kite', 'beach'], words: 80 },
  { subject: 'a grandmother teaching her grandson to plant tomatoes', keys: ['grandmother', 'grandson', 'tomato'], words: 150 },
  { subject: 'a lost penguin looking for its family', keys: ['penguin', 'family'], words: 120 },
  { subject: 'a baker who opens a shop on a mountain', keys: ['baker', 'shop', 'mountain'], words: 200 },
  { subject: 'a cat who becomes the mayor of a small town', keys: ['cat', 'mayor', 'town'], words: 150 },
  { subject: 'a violin that plays by itself', keys: ['violin'], words: 100 },
  { subject: 'a snowman who wants to see summer', keys: ['snowman', 'summer'], words: 120 },
  { subject: 'a pirate afraid of water', keys: ['pirate', 'water'], words: 150 },
  { subject: 'a train conductor on the last night train', keys: ['train', 'conductor', 'night'], words: 250 },
  { subject: 'a turtle racing a rabbit through a forest', keys: ['turtle', 'rabbit', 'forest'], words: 100 },
  { subject: 'a child who paints a door on a wall and walks through it', keys: ['child', 'door', 'wall'], words: 150 },
  { subject: 'a farmer whose scarecrow comes to life', keys: ['farmer', 'scarecrow'], words: 120 },
  { subject: 'a mail carrier delivering letters in a storm', keys: ['letters', 'storm'], words: 300 },
  { subject: 'an owl who cannot sleep during the day', keys: ['owl', 'day'], words: 80 },
  { subject: 'a knight who is scared of the dark', keys: ['knight', 'dark'], words: 150 },
];

const INSTRUCTIONS =
  'You are a warm, vivid storyteller. Write a complete short story with a beginning, middle and end. Plain prose, no preamble.';
const OLD_INSTRUCTIONS =
  'You are a warm, vivid storyteller. Write a complete short story with a beginning, middle and end. Plain prose, no title, no preamble.';
const TEMPERATURE = 0.8;

type Variant = 'plain' | 'guided' | 'outline';

interface Row {
  model: string;
  variant: Variant;
  stories: number;
  onTopic: number;
  nounCoverage: number;
  lengthError: number;
  withinTolerance: number;
  tokensPerSecond: number;
  firstTokenMs: number;
  secondsPerStory: number;
  loadSeconds: number;
  rssMb: number;
  load: string;
  samples: string[];
  /** Every story, for the quality proxies below (rows saved before they existed have only samples). */
  texts?: string[];
}

/** The model wrote a title of its own (not the one made from the subject when it wrote none). */
function ownTitle(text: string, subject: string): boolean {
  return text.split('\n')[0].trim().toLowerCase() !== subject.trim().toLowerCase();
}
/** The assistant talking about the story instead of telling it ("I have woven a tale…", "This story…"). */
const ASSISTANT_VOICE =
  /\b(I have (written|woven|crafted|created)|I hope you|here('s| is) (a|the|your) (story|tale)|this (story|tale) (is|was|shows|teaches)|feel free to|let me know)\b/i;
/** Share of word trigrams that repeat an earlier one (loops and padding). */
function repeatedTrigrams(text: string): number {
  const w = text.toLowerCase().match(/[\p{L}']+/gu) ?? [];
  const seen = new Set<string>();
  let repeats = 0;
  for (let i = 0; i + 2 < w.length; i++) {
    const t = `${w[i]} ${w[i + 1]} ${w[i + 2]}`;
    if (seen.has(t)) repeats++;
    seen.add(t);
  }
  return repeats / Math.max(1, w.length - 2);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

/** Times the first streamed chunk and the generation time of each provider call. */
function timed(provider: TextProvider) {
  const calls: { firstMs: number; ms: number; tokens: number }[] = [];
  const wrapped: TextProvider = {
    id: provider.id,
    async generate(request, opts) {
      const t0 = performance.now();
      let first = 0;
      const res = await provider.generate(request, {
        ...opts,
        onToken: (chunk) => {
          first ||= performance.now() - t0;
          opts.onToken?.(chunk);
        },
      });
      calls.push({ firstMs: first, ms: performance.now() - t0, tokens: res.completionTokens });
      return res;
    },
  };
  return { wrapped, calls };
}

async function runModel(modelPath: string, variants: Variant[], limit: number): Promise<Row[]> {
  const provider = createLocalTextProvider({ modelPath });
  const t0 = performance.now();
  await provider.warmup();
  const loadSeconds = (performance.now() - t0) / 1000;
  const rows: Row[] = [];
  const signal = new AbortController().signal;
  for (const variant of variants) {
    const loadBefore = loadavg()[0];
    const { wrapped, calls } = timed(provider);
    const results: { text: string; words: number; target: number; keys: string[]; seconds: number; firstMs: number }[] = [];
    for (const [i, p] of BENCH_PROMPTS.slice(0, limit).entries()) {
      const before = calls.length;
      const s0 = performance.now();
      let text: string;
      let words: number;
      if (variant === 'plain') {
        const res = await wrapped.generate(
          {
            system: `${OLD_INSTRUCTIONS}\nWrite about ${p.words} words.`,
            prompt: p.subject,
            maxTokens: Math.ceil(p.words * 1.7) + 32,
            temperature: TEMPERATURE,
            seed: i,
          },
          { signal },
        );
        text = res.text.trim();
        words = countWords(text);
      } else {
        const story = await writeStory(
          wrapped,
          {
            subject: p.subject,
            words: p.words,
            instructions: INSTRUCTIONS,
            temperature: TEMPERATURE,
            seed: i,
            outline: variant === 'outline',
          },
          { signal },
        );
        text = story.text;
        words = story.words;
      }
      const storyCalls = calls.slice(before);
      const firstMs = storyCalls[variant === 'outline' ? 1 : 0]?.firstMs ?? 0;
      results.push({ text, words, target: p.words, keys: p.keys, seconds: (performance.now() - s0) / 1000, firstMs });
      process.stderr.write(
        `${modelPath.split('/').pop()} ${variant} ${i + 1}/${limit}: ${words}/${p.words} words, ${((performance.now() - s0) / 1000).toFixed(1)} s\n`,
      );
    }
    const errors = results.map((r) => Math.abs(r.words - r.target) / r.target);
    rows.push({
      model: modelPath.split('/').pop()!,
      variant,
      stories: results.length,
      onTopic: mean(results.map((r) => (r.keys.every((k) => mentions(r.text, k)) ? 1 : 0))),
      nounCoverage: mean(results.map((r) => r.keys.filter((k) => mentions(r.text, k)).length / r.keys.length)),
      lengthError: mean(errors),
      withinTolerance: mean(errors.map((e) => (e <= LENGTH_TOLERANCE ? 1 : 0))),
      tokensPerSecond: calls.reduce((a, c) => a + c.tokens, 0) / (calls.reduce((a, c) => a + c.ms, 0) / 1000),
      firstTokenMs: median(results.map((r) => r.firstMs)),
      secondsPerStory: median(results.map((r) => r.seconds)),
      loadSeconds,
      rssMb: process.resourceUsage().maxRSS / 1024,
      load: `${loadBefore.toFixed(1)}→${loadavg()[0].toFixed(1)}`,
      samples: results.slice(0, 2).map((r) => r.text),
      texts: results.map((r) => r.text),
    });
    const out = arg('out', '');
    if (out) appendFileSync(out, `${JSON.stringify(rows.at(-1))}\n`);
  }
  await provider.dispose();
  return rows;
}

function printTable(rows: Row[]) {
  // A (model, variant) measured again replaces the earlier row.
  const all = [...new Map(rows.map((r) => [`${r.model}|${r.variant}`, r])).values()];
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  console.log(`cores: 2, shared with other engineers' jobs; load average (1 min) per row as before→after\n`);
  console.log(
    '| model | variant | stories | on topic | key nouns used | length error (mean) | within ±20 % | own title | assistant voice | repeated trigrams | tok/s | first token (median) | s / story (median) | model load | peak RSS | load avg |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of all) {
    const q = (f: (text: string, i: number) => number) => (r.texts ? pct(mean(r.texts.map(f))) : '—');
    const title = q((t, i) => (ownTitle(t, BENCH_PROMPTS[i].subject) ? 1 : 0));
    const voice = q((t) => (ASSISTANT_VOICE.test(t) ? 1 : 0));
    console.log(
      `| ${r.model} | ${r.variant} | ${r.stories} | ${pct(r.onTopic)} | ${pct(r.nounCoverage)} | ${pct(r.lengthError)} | ${pct(r.withinTolerance)} | ${title} | ${voice} | ${q(repeatedTrigrams)} | ${r.tokensPerSecond.toFixed(1)} | ${Math.round(r.firstTokenMs)} ms | ${r.secondsPerStory.toFixed(1)} s | ${r.loadSeconds.toFixed(1)} s | ${Math.round(r.rssMb)} MB | ${r.load} |`,
    );
  }
  for (const r of all) console.log(`\n--- ${r.model} ${r.variant}, first sample:\n${r.samples[0]}`);
}

if (process.argv.includes('--table')) {
  printTable(
    readFileSync(arg('table', ''), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Row),
  );
} else if (process.argv.includes('--child')) {
  const rows = await runModel(
    arg('model', ''),
    arg('variants', 'guided').split(',') as Variant[],
    Number(arg('limit', String(BENCH_PROMPTS.length))),
  );
  console.log(`ROWS ${JSON.stringify(rows)}`);
} else {
  const dir = resolve(arg('dir', '.cache/models'));
  const models = arg('models', 'SmolLM2-135M-Instruct.Q4_1.gguf').split(',');
  const all: Row[] = [];
  for (const model of models) {
    const out = await new Promise<string>((done, fail) => {
      const child = spawn(
        process.execPath,
        [
          ...process.execArgv,
          process.argv[1],
          '--child',
          '--model',
          join(dir, model),
          '--variants',
          arg('variants', 'plain,guided'),
          '--limit',
          arg('limit', String(BENCH_PROMPTS.length)),
          ...(arg('out', '') ? ['--out', resolve(arg('out', ''))] : []),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let text = '';
      child.stdout.on('data', (c) => (text += c));
      child.on('exit', (code) => (code === 0 ? done(text) : fail(new Error(`${model}: exit ${code}`))));
    });
    const line = out.split('\n').find((l) => l.startsWith('ROWS '));
    if (line) all.push(...(JSON.parse(line.slice(5)) as Row[]));
  }
  printTable(all);
}
