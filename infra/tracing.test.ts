import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edge } from '../test/support/graphs';
import { registerUser, startStack, waitForRun, type Stack } from '../test/support/stack';
import { installTracing, type Tracing } from './tracing';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}

/** An OTLP/HTTP collector on loopback that keeps every span it is sent (JSON encoding, as the exporter sends). */
function startCollector(): Promise<{ url: string; spans: ExportedSpan[]; server: Server }> {
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const sent = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[] };
        for (const r of sent.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server })),
  );
}

const graph = {
  nodes: [
    { id: 'topic', type: 'input', params: { name: 'topic' } },
    { id: 'text', type: 'template', params: { template: 'A note about {{topic}}' } },
    { id: 'publish', type: 'upload', params: {} },
  ],
  edges: [edge('topic', 'value', 'text', 'topic'), edge('text', 'text', 'publish', 'file')],
};

describe('traces', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let tracing: Tracing | undefined;
  let stack: Stack;

  beforeAll(async () => {
    collector = await startCollector();
    tracing = await installTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'creativeflow-test' });
    stack = await startStack({ backends: 'embedded' });
  });
  afterAll(async () => {
    await stack?.stop();
    await tracing?.shutdown();
    collector?.server.close();
  });

  it('follows a run start from the API request through its workflow to its activities, in one trace', async () => {
    expect(tracing).toBeDefined();
    const owner = await registerUser(stack.baseUrl);
    const pipelineId = (await owner.client.post('/api/pipelines', { name: 'traced', graph })).body.id as string;
    const started = await owner.client.post(`/api/pipelines/${pipelineId}/runs`, { inputs: { topic: 'otters' } });
    expect(started.status).toBe(201);
    expect((await waitForRun(owner.client, started.body.id)).status).toBe('succeeded');
    await tracing!.spanProcessor.forceFlush();

    const request = collector.spans.find((s) => s.name === 'POST /api/pipelines/:id/runs');
    expect(request).toBeDefined();
    const trace = collector.spans.filter((s) => s.traceId === request!.traceId).map((s) => s.name);
    expect(trace).toEqual(expect.arrayContaining(['StartWorkflow:runPipeline', 'RunWorkflow:runPipeline', 'RunActivity:upload']));
    const startSpan = collector.spans.find((s) => s.traceId === request!.traceId && s.name === 'StartWorkflow:runPipeline');
    expect(startSpan?.parentSpanId).toBe(request!.spanId);
  });
});
