import { fillTemplate, planFlow, splitText, topologicalOrder, type Graph, type RunInputs } from '../workflows/pipeline';
import { costOf, priceOf, type PriceTable, type Usage } from './prices';

/**
 * What a call to a model is expected to use, before it is made: the one reckoning that both the Run dialog's
 * estimate and the generation step's budget reservation read, priced by the same `costOf` as the actual charge.
 */

/** The model a provider uses when a node names none, under the name the price table knows it by. */
export const DEFAULT_MODELS: Record<string, Partial<Record<'text' | 'audio' | 'image', string>>> = {
  openai: { text: 'gpt-4o-mini', audio: 'tts-1', image: 'dall-e-3' },
  elevenlabs: { audio: 'eleven_multilingual_v2' },
  stability: { image: 'stable-image-core' },
};

export function pricedModel(provider: string, kind: 'text' | 'audio' | 'image', model: string | undefined): string {
  return model || DEFAULT_MODELS[provider]?.[kind] || provider;
}

/** About four characters of English to a token; an output token is about three quarters of a word. */
const tokensOfChars = (chars: number) => Math.ceil(chars / 4);
const tokensOfWords = (words: number) => Math.ceil((words * 4) / 3);
/** A word of English prose and the space after it. */
const CHARS_PER_WORD = 6;

/** What each AI step's call is expected to use, from its params and the length of what it reads. */
export const expectedUsage = {
  story: (params: { words: number; instructions: string }, promptChars: number): Usage => ({
    promptTokens: tokensOfChars(params.instructions.length + promptChars + 30),
    completionTokens: tokensOfWords(params.words),
  }),
  llm: (params: { maxTokens: number }, promptChars: number): Usage => ({
    promptTokens: tokensOfChars(promptChars),
    completionTokens: params.maxTokens,
  }),
  narration: (textChars: number): Usage => ({ characters: textChars }),
  illustration: (): Usage => ({ images: 1 }),
};

export interface NodeEstimate {
  usd: number;
  /** What was assumed, in words: "~200 tokens written, ~60 read × gpt-4o-mini ($0.15 / $0.6 per 1M tokens)". */
  basis: string;
}

export interface RunEstimate {
  totalUsd: number;
  nodes: Record<string, NodeEstimate>;
}

/** What a port carries, as far as the estimate can tell: how many items, how long each is, and the text when it is known. */
interface Flowing {
  items: number;
  chars: number;
  text?: string;
}

/** A prompt nobody has typed yet: a sentence or so. */
const UNKNOWN_PROMPT_CHARS = 100;
const NOTHING: Flowing = { items: 1, chars: 0 };

const usd = (n: number) => `$${Number(n.toPrecision(3))}`;
const round = (n: number) => Math.round(n * 1e6) / 1e6;

function flowingOf(value: unknown): Flowing {
  // Not typed yet: counted as a short prompt, not as nothing.
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === ''))
    return { items: 1, chars: UNKNOWN_PROMPT_CHARS };
  if (typeof value === 'string') return { items: 1, chars: value.length, text: value };
  return { items: 1, chars: JSON.stringify(value).length };
}

function describeUsage(prices: PriceTable, provider: string, model: string, usage: Usage): string {
  if (provider === 'local') return 'local model: free';
  const price = priceOf(prices, provider, model);
  if (usage.completionTokens !== undefined) {
    return `~${usage.completionTokens} tokens written, ~${usage.promptTokens ?? 0} read × ${model} (${usd(price.inputPer1M ?? 0)} / ${usd(price.outputPer1M ?? 0)} per 1M tokens)`;
  }
  if (usage.characters !== undefined) return `~${usage.characters} characters × ${model} (${usd(price.per1kChars ?? 0)}/1K characters)`;
  return `${usage.images ?? 0} image × ${model} (${usd(price.perImage ?? 0)}/image)`;
}

/**
 * The cost of running `graph` (params normalised) with `inputs`: each AI node's calls priced from its params and
 * what reaches it — the known text of inputs and templates, else the length params (words, max tokens) of what
 * wrote it; a list's length is the split's bound unless its text is known. An estimate: the real charge is
 * what the provider reports using.
 */
export function estimateRun(prices: PriceTable, graph: Graph, inputs: RunInputs): RunEstimate {
  const { fanOut } = planFlow(graph);
  const outputs = new Map<string, Record<string, Flowing>>();
  const nodes: Record<string, NodeEstimate> = {};
  for (const node of topologicalOrder(graph)) {
    const reaching: Record<string, Flowing> = {};
    for (const edge of graph.edges) {
      if (edge.target === node.id) reaching[edge.targetHandle] = outputs.get(edge.source)?.[edge.sourceHandle] ?? NOTHING;
    }
    const fanned = fanOut.get(node.id) ?? [];
    const calls = Math.max(1, ...fanned.map((handle) => reaching[handle]?.items ?? 1));
    const p = node.params as Record<string, never>;
    const priced = (kind: 'text' | 'audio' | 'image', usage: Usage) => {
      const provider = String(p.provider ?? 'local');
      const model = pricedModel(provider, kind, p.model);
      const each = costOf(prices, provider, model, usage);
      const basis = describeUsage(prices, provider, model, usage);
      nodes[node.id] = { usd: round(each * calls), basis: calls > 1 ? `${calls} calls (one per item) × ${basis}` : basis };
    };
    const per = (f: Flowing | undefined) => (f ? f : { items: 1, chars: UNKNOWN_PROMPT_CHARS });
    let out: Record<string, Flowing> = {};
    switch (node.type) {
      case 'input': {
        const name = String(p.name);
        out = { value: flowingOf(Object.hasOwn(inputs, name) ? inputs[name] : p.default) };
        break;
      }
      case 'template': {
        const known = Object.values(reaching).every((f) => f.text !== undefined);
        const filled = known
          ? fillTemplate(String(p.template), Object.fromEntries(Object.entries(reaching).map(([k, f]) => [k, f.text])))
          : undefined;
        out = {
          text:
            filled !== undefined
              ? { items: 1, chars: filled.length, text: filled }
              : {
                  items: 1,
                  chars: String(p.template).length + Object.values(reaching).reduce((sum, f) => sum + f.chars * f.items, 0),
                },
        };
        break;
      }
      case 'story':
        priced('text', expectedUsage.story(node.params as never, per(reaching.prompt).chars));
        out = { text: { items: calls, chars: Number(p.words) * CHARS_PER_WORD } };
        break;
      case 'llm': {
        const text = per(reaching.text);
        priced('text', expectedUsage.llm(node.params as never, String(p.instruction).length + text.chars));
        out = { text: { items: calls, chars: Number(p.maxTokens) * 4 } };
        break;
      }
      case 'narration':
        priced('audio', expectedUsage.narration(per(reaching.text).chars));
        out = { audio: { items: calls, chars: 0 } };
        break;
      case 'illustration':
        priced('image', expectedUsage.illustration());
        nodes[node.id].basis += `, ${String(p.size)}`;
        out = { image: { items: calls, chars: 0 } };
        break;
      case 'split': {
        const text = per(reaching.text);
        const maxItems = Number(p.maxItems);
        if (text.text !== undefined) {
          const items = splitText(text.text, p.by, maxItems);
          out = { items: { items: Math.max(1, items.length), chars: Math.max(0, ...items.map((s) => s.length)) } };
        } else {
          // Not knowing the text, assume the bound: an estimate that errs high.
          out = { items: { items: maxItems, chars: Math.ceil(text.chars / maxItems) } };
        }
        break;
      }
      case 'join': {
        const items = per(reaching.items);
        out = { text: { items: 1, chars: items.items * items.chars } };
        break;
      }
      case 'delay':
        out = { out: reaching.in ?? NOTHING };
        break;
    }
    outputs.set(node.id, out);
  }
  const totalUsd = round(Object.values(nodes).reduce((sum, n) => sum + n.usd, 0));
  return { totalUsd, nodes };
}
