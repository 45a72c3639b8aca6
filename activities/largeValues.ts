import { ApplicationFailure } from '@temporalio/activity';
import type { BlobStore } from '../infra/blobs';
import {
  catalog,
  isListKind,
  isValueRef,
  itemKindOf,
  jsonBytes,
  kilobytes,
  MAX_INLINE_VALUE_BYTES,
  valueMimeType,
  type ArtifactRef,
  type NodeDefinition,
} from '../workflows/pipeline';
import type { InlineStepInput } from './contract';
import type { NodeStep, StepInput } from './deps';
import { parseParams } from './params';

/**
 * Keeps big values out of Temporal payloads around a node's step: value refs (oversized outputs upstream) on the
 * inputs the step reads are read back from the blob store first, and each output value over the input's limit is
 * stored as an artifact whose ref is returned instead. Keys derive from (run, node, item, handle), so every retry
 * writes the same object: `runs/<run>/<node>/<item>.<handle>[.<list index>].txt|.json`.
 */
export function createLargeValues(blobs: BlobStore) {
  async function read(handle: string, ref: ArtifactRef): Promise<unknown> {
    const blob = await blobs.get(ref.key);
    if (!blob)
      throw ApplicationFailure.nonRetryable(
        `Input '${handle}' refers to artifact '${ref.key}', which is missing from storage`,
        'InvalidInput',
      );
    const text = blob.body.toString('utf8');
    return ref.mimeType === 'text/plain' ? text : JSON.parse(text);
  }

  /** The inputs with value refs read back on the handles `reads` picks, also inside lists. */
  async function readInputs(inputs: Record<string, unknown>, reads: (handle: string) => boolean): Promise<Record<string, unknown>> {
    const entries = await Promise.all(
      Object.entries(inputs).map(async ([handle, value]): Promise<[string, unknown]> => {
        if (!reads(handle)) return [handle, value];
        if (isValueRef(value)) return [handle, await read(handle, value)];
        if (Array.isArray(value) && value.some(isValueRef))
          return [handle, await Promise.all(value.map((v) => (isValueRef(v) ? read(handle, v) : v)))];
        return [handle, value];
      }),
    );
    return Object.fromEntries(entries);
  }

  const keyOf = (input: StepInput<unknown>, name: string, value: unknown) =>
    `runs/${input.runId}/${input.nodeId}/${input.itemIndex}.${name}${valueMimeType(value) === 'text/plain' ? '.txt' : '.json'}`;

  async function store(input: StepInput<unknown>, name: string, value: unknown): Promise<ArtifactRef> {
    const mimeType = valueMimeType(value);
    const key = keyOf(input, name, value);
    const body = typeof value === 'string' ? value : JSON.stringify(value);
    const stored = await blobs.put(key, body, { contentType: mimeType === 'text/plain' ? 'text/plain; charset=utf-8' : mimeType });
    return { artifact: true, key, mimeType, size: stored.size };
  }

  /**
   * Output values over the limit become refs. A list (a list port's value) keeps its items, its biggest ones
   * stored one by one until it fits, so a downstream node can still run once per item.
   */
  async function fitOutputs<P>(
    input: StepInput<P>,
    definition: NodeDefinition<P>,
    output: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const limit = input.outputLimitBytes ?? MAX_INLINE_VALUE_BYTES;
    const listPorts = new Set(
      definition
        .outputs(input.params)
        .filter((p) => isListKind(p.kind))
        .map((p) => p.handle),
    );
    const fitted: Record<string, unknown> = {};
    for (const [handle, value] of Object.entries(output)) {
      if (jsonBytes(value) <= limit) fitted[handle] = value;
      else if (listPorts.has(handle) && Array.isArray(value)) fitted[handle] = await fitList(input, handle, value, limit);
      else fitted[handle] = await store(input, handle, value);
    }
    return fitted;
  }

  async function fitList(input: StepInput<unknown>, handle: string, list: unknown[], limit: number): Promise<unknown[]> {
    const items = [...list];
    const sizes = items.map(jsonBytes);
    let total = jsonBytes(items);
    for (const i of items.map((_, i) => i).sort((a, b) => sizes[b] - sizes[a] || a - b)) {
      if (total <= limit) break;
      // The rest are no bigger than their refs would be: storing them can't make the list smaller.
      if (
        sizes[i] <=
        jsonBytes({ artifact: true, key: keyOf(input, `${handle}.${i}`, items[i]), mimeType: valueMimeType(items[i]), size: sizes[i] })
      )
        break;
      const ref = await store(input, `${handle}.${i}`, items[i]);
      total += jsonBytes(ref) - sizes[i];
      items[i] = ref;
    }
    if (total > limit) {
      throw ApplicationFailure.nonRetryable(
        `Output '${handle}' of node '${input.nodeId}' has too many items to pass on: even stored as artifacts its ${items.length} items take ${kilobytes(total)}, more than ${kilobytes(limit)}`,
        'OutputTooLarge',
      );
    }
    return items;
  }

  return {
    /**
     * An I/O node's step. Its text and JSON ports get the values; `any` ports keep the refs, as they keep audio
     * and image refs (upload copies the stored bytes, delay passes the ref on).
     */
    aroundNodeStep<P>(step: NodeStep<P>, definition: NodeDefinition<P>): NodeStep<P> {
      return async (input) => {
        const reads = new Set(
          definition
            .inputs(input.params)
            .filter((p) => ['text', 'json'].includes(itemKindOf(p.kind)))
            .map((p) => p.handle),
        );
        const output = await step({ ...input, inputs: await readInputs(input.inputs, (handle) => reads.has(handle)) });
        return fitOutputs(input, definition, output);
      };
    },

    /** An inline (pure) node's step, run here when the workflow can't: it computes on values, so it gets them all. */
    inlineStep: (async (input: InlineStepInput) => {
      const definition = catalog.get(input.nodeType);
      if (definition?.execution.mode !== 'inline')
        throw ApplicationFailure.nonRetryable(`'${input.nodeType}' is not an inline node type`, 'InvalidInput');
      const params = parseParams(definition, input);
      const inputs = await readInputs(input.inputs, () => true);
      return fitOutputs(
        { ...input, params },
        definition,
        definition.execution.run(params, inputs, { pipelineInputs: input.pipelineInputs }),
      );
    }) as NodeStep,
  };
}
