/**
 * The local text provider on the CPU. Prints figures; asserts nothing. Run `node infra/setup.mjs` first.
 *
 *   npx tsx bench/text.ts [--model path.gguf] [--threads 1] [--reps 3] [--tokens 120]
 *       tokens/s and time to first token through createLocalTextProvider vs node-llama-cpp used directly
 *       (same model, prompt, context size, threads, greedy decoding), their ratio, and peak RSS.
 *   npx tsx bench/text.ts --survey [--model path.gguf] [--threads 1] [--tokens 120]
 *       five short prompts through the provider: output text, tokens/s, time to first token, peak RSS
 *       (one process per model so that the peak RSS is that model's).
 *
 * tokens/s = completion tokens / wall time of the whole call (prompt evaluation included);
 * TTFT = time from the call until the first streamed text chunk.
 */
import { resolve } from 'node:path';
import { getLlama, LlamaChatSession, LlamaLogLevel } from 'node-llama-cpp';
import {
  createLocalTextProvider,
  defaultTextModelPath,
  LOCAL_TEXT_CONTEXT_SIZE,
  LOCAL_TEXT_DEFAULT_THREADS,
} from '../activities/providers/local/text';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const root = resolve(import.meta.dirname, '..');
const modelPath = resolve(arg('model') ?? defaultTextModelPath(root));
const threads = Number(arg('threads') ?? LOCAL_TEXT_DEFAULT_THREADS);
const reps = Number(arg('reps') ?? 3);
const maxTokens = Number(arg('tokens') ?? 120);
const SYSTEM = 'You are a concise creative writer.';
const PROMPTS = [
  'Write a two-sentence story about a lighthouse keeper who finds a lost cat.',
  'Give three catchy titles for a video about baking sourdough bread.',
  'Describe a rainy city street at night in one vivid paragraph.',
  'Write a short product description for a solar-powered camping lantern.',
  'Summarise the plot of Little Red Riding Hood in two sentences.',
];

const rssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const baselineRss = rssMb();

interface Run {
  text: string;
  tokens: number;
  ttftMs: number;
  totalMs: number;
}

const fmt = (r: Run) =>
  `${((r.tokens / r.totalMs) * 1000).toFixed(1)} tok/s, TTFT ${Math.round(r.ttftMs)} ms (${r.tokens} tokens in ${Math.round(r.totalMs)} ms)`;

const provider = createLocalTextProvider({ modelPath, threads });
const tLoad = performance.now();
await provider.warmup();
const loadMs = performance.now() - tLoad;

async function viaProvider(prompt: string): Promise<Run> {
  const t0 = performance.now();
  let first = 0;
  const res = await provider.generate(
    { system: SYSTEM, prompt, maxTokens, temperature: 0 },
    { signal: new AbortController().signal, onToken: () => void (first ||= performance.now()) },
  );
  const t1 = performance.now();
  return { text: res.text, tokens: res.completionTokens, ttftMs: first - t0, totalMs: t1 - t0 };
}

console.log(
  `model ${modelPath}\nthreads ${threads}, max ${maxTokens} tokens, context ${LOCAL_TEXT_CONTEXT_SIZE}; load ${Math.round(loadMs)} ms; RSS before load ${baselineRss} MB`,
);

if (process.argv.includes('--survey')) {
  const runs: Run[] = [];
  for (const prompt of PROMPTS) {
    const r = await viaProvider(prompt);
    runs.push(r);
    console.log(`\n> ${prompt}\n${r.text.trim()}\n[${fmt(r)}]`);
  }
  const tokens = runs.reduce((a, r) => a + r.tokens, 0);
  const ms = runs.reduce((a, r) => a + r.totalMs, 0);
  const ttft = runs.map((r) => r.ttftMs).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  console.log(`\noverall ${((tokens / ms) * 1000).toFixed(1)} tok/s, median TTFT ${Math.round(ttft)} ms, peak RSS ${rssMb()} MB`);
  await provider.dispose();
} else {
  const prompt = PROMPTS[0];
  // node-llama-cpp directly, set up like the provider (CPU, same context size and threads, greedy).
  const llama = await getLlama({
    gpu: false,
    build: 'never',
    usePrebuiltBinaries: true,
    skipDownload: true,
    progressLogs: false,
    logLevel: LlamaLogLevel.error,
  });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize: LOCAL_TEXT_CONTEXT_SIZE, sequences: 1, threads });
  const sequence = context.getSequence();
  async function direct(): Promise<Run> {
    await sequence.clearHistory();
    const session = new LlamaChatSession({ contextSequence: sequence, systemPrompt: SYSTEM });
    const t0 = performance.now();
    let first = 0;
    let tokens = 0;
    const text = await session.prompt(prompt, {
      maxTokens,
      temperature: 0,
      onToken: (t) => void (tokens += t.length),
      onTextChunk: () => void (first ||= performance.now()),
    });
    const t1 = performance.now();
    session.dispose({ disposeSequence: false });
    return { text, tokens, ttftMs: first - t0, totalMs: t1 - t0 };
  }

  // One untimed warm-up each, then alternate so background load hits both alike.
  await viaProvider(prompt);
  await direct();
  const a: Run[] = [];
  const b: Run[] = [];
  for (let i = 0; i < reps; i++) {
    a.push(await viaProvider(prompt));
    b.push(await direct());
  }
  const sum = (runs: Run[]) => {
    const tokens = runs.reduce((s, r) => s + r.tokens, 0);
    const ms = runs.reduce((s, r) => s + r.totalMs, 0);
    const ttft = runs.reduce((s, r) => s + r.ttftMs, 0) / runs.length;
    return { tps: (tokens / ms) * 1000, ttft };
  };
  const pa = sum(a);
  const pb = sum(b);
  console.log(`prompt: ${prompt}\n${reps} timed runs each (after one warm-up), greedy`);
  for (const [i, r] of a.entries()) console.log(`  provider #${i + 1}: ${fmt(r)}`);
  for (const [i, r] of b.entries()) console.log(`  direct   #${i + 1}: ${fmt(r)}`);
  console.log(`provider: ${pa.tps.toFixed(1)} tok/s, mean TTFT ${Math.round(pa.ttft)} ms`);
  console.log(`direct:   ${pb.tps.toFixed(1)} tok/s, mean TTFT ${Math.round(pb.ttft)} ms`);
  console.log(`ratio provider/direct: tok/s ${(pa.tps / pb.tps).toFixed(2)}, TTFT ${(pa.ttft / pb.ttft).toFixed(2)}`);
  console.log(`same text: ${a[0].text === b[0].text}`);
  console.log(`peak RSS ${rssMb()} MB (both model copies loaded)`);
  await context.dispose();
  await model.dispose();
  await provider.dispose();
}
