/**
 * Wall time of the card's pipeline (input → story → narration + illustration (+ one per scene) → uploads)
 * on the embedded defaults with the local models, cold (first run loads the models) and warm, and the
 * peak RSS of the process running worker + API. Prints figures; asserts nothing.
 *
 *   npx tsx bench/pipeline.ts [warmRuns=2]
 */
import { illustratedStory } from '../test/support/graphs';
import { registerUser, startStack, waitForRun } from '../test/support/stack';

const warmRuns = Number(process.argv[2] ?? 2);
const stack = await startStack({ backends: 'embedded' });
const { client } = await registerUser(stack.baseUrl);
const pipeline = await client.post('/api/pipelines', { name: 'Illustrated story', graph: illustratedStory });

async function timedRun(topic: string) {
  const t0 = performance.now();
  const run = await client.post(`/api/pipelines/${pipeline.body.id}/runs`, { inputs: { topic } });
  const state = await waitForRun(client, run.body.id, 600_000);
  if (state.status !== 'succeeded') throw new Error(`run ${state.status}: ${JSON.stringify(state.nodes)}`);
  const nodeSeconds = Object.fromEntries(
    Object.entries(state.nodes as Record<string, { startedAt: string; finishedAt: string }>).map(([id, n]) => [
      id,
      ((Date.parse(n.finishedAt) - Date.parse(n.startedAt)) / 1000).toFixed(1),
    ]),
  );
  return {
    seconds: (performance.now() - t0) / 1000,
    nodeSeconds,
    words: String(state.nodes.story.output.text).split(/\s+/).length,
    audioMs: state.nodes.voice.output.audio.durationMs,
  };
}

const cold = await timedRun('a lighthouse keeper and a lost cat');
console.log(
  `cold run: ${cold.seconds.toFixed(1)} s (story ${cold.words} words, narration ${(cold.audioMs / 1000).toFixed(1)} s); per node: ${JSON.stringify(cold.nodeSeconds)}`,
);
const warm: number[] = [];
for (let i = 0; i < warmRuns; i++) {
  const r = await timedRun(['a dragon who bakes bread', 'two friends sailing to the moon', 'a robot gardener'][i % 3]);
  warm.push(r.seconds);
  console.log(`warm run ${i + 1}: ${r.seconds.toFixed(1)} s; per node: ${JSON.stringify(r.nodeSeconds)}`);
}
console.log(
  `pipeline wall time: cold ${cold.seconds.toFixed(1)} s, warm median ${warm.sort((a, b) => a - b)[Math.floor(warm.length / 2)]?.toFixed(1)} s`,
);
console.log(`peak RSS of the worker+API process: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
await stack.stop();
process.exit(0);
