/**
 * What a generation costs, by provider and model (USD). Local models cost nothing. Override or extend
 * with PRICES_JSON='{"openai:gpt-4o": {"inputPer1M": 2.5, "outputPer1M": 10}}'; `provider:*` is the fallback.
 */
export interface Price {
  inputPer1M?: number;
  outputPer1M?: number;
  per1kChars?: number;
  perImage?: number;
}

export const DEFAULT_PRICES: Record<string, Price> = {
  'openai:gpt-4o-mini': { inputPer1M: 0.15, outputPer1M: 0.6 },
  'openai:gpt-4o': { inputPer1M: 2.5, outputPer1M: 10 },
  'openai:gpt-4.1-mini': { inputPer1M: 0.4, outputPer1M: 1.6 },
  'openai:tts-1': { per1kChars: 0.015 },
  'openai:tts-1-hd': { per1kChars: 0.03 },
  'openai:dall-e-3': { perImage: 0.04 },
  'openai:dall-e-2': { perImage: 0.02 },
  'openai:gpt-image-1': { perImage: 0.04 },
  'openai:*': {},
  'elevenlabs:*': { per1kChars: 0.3 },
  'stability:stable-image-core': { perImage: 0.03 },
  'stability:stable-image-ultra': { perImage: 0.08 },
  'stability:stable-image-sd3': { perImage: 0.065 },
  'stability:*': { perImage: 0.03 },
  // Your own GPU: free unless the operator sets a cost per image (PRICES_JSON='{"comfyui:*": {"perImage": 0.002}}').
  'comfyui:*': {},
  'automatic1111:*': {},
};

export interface Usage {
  promptTokens?: number;
  completionTokens?: number;
  characters?: number;
  images?: number;
}

export type PriceTable = Record<string, Price>;

export function loadPrices(env: NodeJS.ProcessEnv = process.env): PriceTable {
  if (!env.PRICES_JSON) return DEFAULT_PRICES;
  return { ...DEFAULT_PRICES, ...(JSON.parse(env.PRICES_JSON) as PriceTable) };
}

export function priceOf(prices: PriceTable, provider: string, model: string): Price {
  return prices[`${provider}:${model}`] ?? prices[`${provider}:*`] ?? {};
}

export function costOf(prices: PriceTable, provider: string, model: string, usage: Usage): number {
  if (provider === 'local') return 0;
  const price = priceOf(prices, provider, model);
  const cost =
    ((usage.promptTokens ?? 0) * (price.inputPer1M ?? 0)) / 1e6 +
    ((usage.completionTokens ?? 0) * (price.outputPer1M ?? 0)) / 1e6 +
    ((usage.characters ?? 0) * (price.per1kChars ?? 0)) / 1000 +
    (usage.images ?? 0) * (price.perImage ?? 0);
  return Math.round(cost * 1e6) / 1e6;
}
