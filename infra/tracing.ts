/**
 * Traces from an API request through its workflow to the activities (@temporalio/interceptors-opentelemetry),
 * exported over OTLP/HTTP (JSON) when OTEL_EXPORTER_OTLP_ENDPOINT is set (to `<it>/v1/traces`, or to
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_EXPORTER_OTLP_HEADERS are read by the exporter; OTEL_SERVICE_NAME
 * names the service, default `creativeflow`). Off, nothing is loaded, no
 * interceptor is installed and the workflow bundle stays the plain one: tracing costs nothing.
 *
 * Installed once by a process's launcher (or a test) before its services open: the Temporal client, the worker
 * and the request middleware ask `activeTracing()`.
 */
import { createRequire } from 'node:module';
import { context, trace, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ClientInterceptors } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';

export interface Tracing {
  resource: Resource;
  spanProcessor: SpanProcessor;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

export const activeTracing = (): Tracing | undefined => active;

/** Starts tracing when the environment asks for it (OTEL_EXPORTER_OTLP_ENDPOINT); once per process. */
export async function installTracing(env: NodeJS.ProcessEnv = process.env): Promise<Tracing | undefined> {
  if (active || !env.OTEL_EXPORTER_OTLP_ENDPOINT) return active;
  const [{ OTLPTraceExporter }, { Resource }, { BatchSpanProcessor }, { NodeTracerProvider }] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
  ]);
  const resource = new Resource({ 'service.name': env.OTEL_SERVICE_NAME || 'creativeflow' });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrl(env) }), { scheduledDelayMillis: 1_000 });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register(); // the global tracer, with AsyncLocalStorage carrying the current span across awaits
  active = { resource, spanProcessor, shutdown: () => provider.shutdown() };
  return active;
}

/** As the OTLP specification says: the traces endpoint as given, or `/v1/traces` under the general one. */
function tracesUrl(env: NodeJS.ProcessEnv): string {
  return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || `${env.OTEL_EXPORTER_OTLP_ENDPOINT!.replace(/\/+$/, '')}/v1/traces`;
}

const require = createRequire(import.meta.url);

/** The Temporal client's interceptors: a span around each workflow start, its context sent in the workflow's headers. */
export async function clientInterceptors(): Promise<ClientInterceptors | undefined> {
  if (!active) return undefined;
  const { OpenTelemetryWorkflowClientInterceptor } = await import('@temporalio/interceptors-opentelemetry');
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/** The workflow-side interceptor module, bundled into the workflow code only while tracing. */
export function workflowInterceptorModules(): string[] {
  return active ? [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] : [];
}

/** The worker's activity interceptors and the sink that exports the workflow's spans. */
export async function workerTracingOptions(): Promise<Pick<WorkerOptions, 'interceptors' | 'sinks'>> {
  if (!active) return {};
  const otel = await import('@temporalio/interceptors-opentelemetry');
  return {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: otel.makeWorkflowExporter(active.spanProcessor, active.resource) },
  };
}

/**
 * Runs `next` inside a span for one request (`POST /api/pipelines/:id/runs`), ended by `end` once the route
 * pattern and status are known; without tracing it just calls `next`.
 */
export function requestSpan(method: string, next: () => void): ((route: string, status: number) => void) | undefined {
  if (!active) {
    next();
    return undefined;
  }
  const span: Span = trace.getTracer('creativeflow-api').startSpan(`HTTP ${method}`, { kind: 1 /* SERVER */ });
  context.with(trace.setSpan(context.active(), span), next);
  return (route, status) => {
    span.updateName(`${method} ${route}`);
    span.setAttributes({ 'http.request.method': method, 'http.route': route, 'http.response.status_code': status });
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
}
