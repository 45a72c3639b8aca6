import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import { isArtifactRef, splitText, type ActivityNodeParams, type ArtifactRef } from '../workflows/pipeline';
import type { ActivityDeps, NodeSteps, StepInput } from './deps';
import { asTemporalFailure } from './failures';
import type { GenerationKit } from './generation';
import { assembleStorybook } from './storybook/assemble';

type StorybookParams = ActivityNodeParams['storybook'];

/** Most scenes a book takes: a picture and a narration each, all inside one page. */
const MAX_SCENES = 100;
/** Often enough that a cancelled step stops within about a second. */
const HEARTBEAT_MS = 1_000;
const REPORT_MS = 250;

/**
 * storybook: the book (one offline HTML page that reads along) and the video (MP4 + WebVTT) of a story. Its
 * artifacts are written under keys of the (run, node, item): a retry overwrites them with the same bytes.
 */
export function createStorybookSteps({ blobs }: ActivityDeps, { publish, storeArtifact }: GenerationKit): Pick<NodeSteps, 'storybook'> {
  async function read(ref: ArtifactRef, what: string): Promise<Buffer> {
    const blob = await blobs.get(ref.key);
    if (!blob) throw ApplicationFailure.nonRetryable(`${what} is missing from storage (${ref.key})`, 'InvalidInput');
    return blob.body;
  }

  async function storybook(input: StepInput<StorybookParams>): Promise<Record<string, unknown>> {
    const ctx = Context.current();
    const signal = ctx.cancellationSignal;
    const scenes = scenesOf(input.inputs);
    const title = titleOf(input.inputs.title);
    const imageRefs = refsOf(input.inputs.images, 'images', 'image/');
    const narrationRefs = refsOf(input.inputs.narration, 'narration', 'audio/');
    if (narrationRefs.length > 1 && narrationRefs.length !== scenes.length) {
      throw ApplicationFailure.nonRetryable(
        `Input 'narration' has ${narrationRefs.length} audio files for ${scenes.length} scenes: give one narration, or one per scene`,
        'InvalidInput',
      );
    }
    await publish(input, { fraction: 0, message: `Gathering ${scenes.length} scenes` });
    const images = await Promise.all(
      imageRefs.map(async (ref, i) => ({ body: await read(ref, `Picture ${i + 1}`), mimeType: ref.mimeType })),
    );
    const narration = await Promise.all(narrationRefs.map((ref, i) => read(ref, `Narration ${i + 1}`)));

    const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_MS);
    let lastReport = 0;
    let lastPhase = '';
    let made;
    try {
      made = await assembleStorybook(
        { title, scenes, images, narration },
        {
          ...input.params,
          signal,
          onProgress(fraction, message) {
            // Each new phase is said at once; the percentages within one, a few times a second.
            const phase = message.replace(/[\d\s%]+$/, '');
            if (phase === lastPhase && Date.now() - lastReport < REPORT_MS) return;
            lastPhase = phase;
            lastReport = Date.now();
            void publish(input, { fraction: 0.05 + 0.9 * fraction, message });
          },
        },
      );
    } catch (err) {
      if (signal.aborted) throw new CancelledFailure('Storybook cancelled');
      throw asTemporalFailure(err);
    } finally {
      clearInterval(beat);
    }
    const durationMs = Math.round(made.timings.at(-1)!.end * 1000);
    const narrated = narration.length > 0 ? { durationMs } : {};
    const output: Record<string, unknown> = {
      book: await storeArtifact(input, '.html', Buffer.from(made.html, 'utf8'), 'text/html; charset=utf-8', {
        ...narrated,
        generator: 'storybook',
      }),
    };
    if (made.mp4) {
      const { width, height } = input.params;
      output.video = await storeArtifact(input, '.mp4', made.mp4, 'video/mp4', { durationMs, width, height, generator: 'storybook' });
    }
    if (made.vtt)
      output.subtitles = await storeArtifact(input, '.vtt', Buffer.from(made.vtt, 'utf8'), 'text/vtt; charset=utf-8', { durationMs });
    await publish(input, { fraction: 1, message: made.mp4 ? 'Book and video ready' : 'Book ready' });
    return output;
  }

  return { storybook };
}

/** The title's first line, without the quotes and label a model tends to wrap it in. */
function titleOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const line = value
    .trim()
    .split('\n')[0]
    .replace(/^title:\s*/i, '')
    .replace(/^["'“‘*#\s]+|["'”’*\s]+$/g, '');
  return line.slice(0, 120) || undefined;
}

/** The scenes: the `scenes` list, else the text's paragraphs. */
function scenesOf(inputs: Record<string, unknown>): string[] {
  const given = inputs.scenes;
  const scenes = Array.isArray(given)
    ? given.map((s) => (typeof s === 'string' ? s.trim() : ''))
    : typeof inputs.text === 'string'
      ? splitText(inputs.text, 'paragraphs', MAX_SCENES)
      : [];
  if (scenes.every((s) => s === '')) {
    throw ApplicationFailure.nonRetryable("Storybook needs the story: connect 'text' or 'scenes'", 'InvalidInput');
  }
  if (scenes.length > MAX_SCENES) {
    throw ApplicationFailure.nonRetryable(`Storybook takes at most ${MAX_SCENES} scenes, got ${scenes.length}`, 'InvalidInput');
  }
  return scenes;
}

/** Artifact refs of one kind on an input (one value or a list); nothing when the input is not connected. */
function refsOf(value: unknown, handle: string, mimePrefix: string): ArtifactRef[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, i) => {
    if (!isArtifactRef(item) || !item.mimeType.startsWith(mimePrefix)) {
      const got = isArtifactRef(item) ? item.mimeType : typeof item;
      throw ApplicationFailure.nonRetryable(
        `Input '${handle}' item ${i + 1} should be a ${mimePrefix.slice(0, -1)} file, got ${got}`,
        'InvalidInput',
      );
    }
    return item;
  });
}
