import { randomUUID } from 'node:crypto';
import {
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleOptionsStartWorkflowAction,
  type ScheduleOverlapPolicy,
  type ScheduleSpec,
} from '@temporalio/client';
import { scheduledRunId, scheduledWorkflowId, temporalScheduleId } from '../../infra/scheduleIds';
import { validateGraph, validateRunInputs, type RunInputs } from '../../workflows/pipeline';
import { scheduledRun, type ScheduledRunArgs } from '../../workflows';
import { durationMs, durationText, type CreateScheduleBody, type OverlapPolicy, type UpdateScheduleBody } from '../contract';
import { HttpError, notFound } from '../http';
import type { PipelineRepository } from '../repositories/pipelines';
import type { ScheduleRepository, ScheduleRow } from '../repositories/schedules';
import type { Schedule, Wire } from '../schemas';
import { summarizeSchedule } from './scheduleSummary';
import type { z } from 'zod';

const TEMPORAL_POLICY: Record<OverlapPolicy, ScheduleOverlapPolicy> = {
  skip: 'SKIP',
  buffer_one: 'BUFFER_ONE',
  buffer_all: 'BUFFER_ALL',
  cancel_other: 'CANCEL_OTHER',
  allow_all: 'ALLOW_ALL',
};
const OVERLAP_OF = Object.fromEntries(Object.entries(TEMPORAL_POLICY).map(([ours, theirs]) => [theirs, ours])) as Record<
  string,
  OverlapPolicy
>;

const DEFAULTS = { timezone: 'UTC', overlap: 'skip', catchupWindow: '1h' } as const;
const NEXT_RUNS = 5;

type WrittenSpec = { cron: string; every: null } | { cron: null; every: string };
type Version = number | 'latest';

/**
 * Schedules on Temporal Schedules: Temporal fires them, keeps their spec, policies and state, and knows the next
 * and recent fire times; a row per schedule says whose it is (and keeps the cron as written). Each firing starts
 * `scheduledRun`, which records its run and runs the pipeline like any other run.
 */
export function createScheduleService(deps: {
  schedules: ScheduleRepository;
  pipelines: PipelineRepository;
  temporal: Client;
  taskQueue: string;
}) {
  const { schedules, pipelines, temporal } = deps;
  const handleOf = (id: string) => temporal.schedule.getHandle(temporalScheduleId(id));

  /** Temporal's description of the schedule, or undefined when Temporal has none (its data was reset). */
  async function describe(id: string): Promise<ScheduleDescription | undefined> {
    try {
      return await handleOf(id).describe();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return undefined;
      throw engineUnavailable(err);
    }
  }

  async function owned(userId: string, id: string): Promise<{ row: ScheduleRow; description: ScheduleDescription }> {
    const row = await schedules.find(userId, id);
    const description = row && (await describe(id));
    if (!row || !description) throw notFound('Schedule');
    return { row, description };
  }

  /** What each firing will run must be runnable now: the version exists, and the inputs fit it. */
  async function checkRunnable(userId: string, pipelineId: string, version: Version, inputs: RunInputs): Promise<void> {
    const pipeline = await pipelines.find(userId, pipelineId, version === 'latest' ? undefined : version);
    if (!pipeline) {
      if (version !== 'latest' && (await pipelines.find(userId, pipelineId))) {
        throw new HttpError(400, 'invalid_request', `Invalid body: version: the pipeline has no version ${version}`);
      }
      throw notFound('Pipeline');
    }
    const checked = validateGraph(pipeline.graph);
    if (!checked.graph) throw new HttpError(400, 'invalid_graph', 'The saved pipeline is not valid', checked.problems);
    const problems = validateRunInputs(checked.graph, inputs);
    if (problems.length > 0) throw new HttpError(400, 'invalid_inputs', problems.map((p) => p.message).join('; '), problems);
  }

  const action = (args: ScheduledRunArgs): ScheduleOptionsStartWorkflowAction<typeof scheduledRun> => ({
    type: 'startWorkflow',
    workflowType: scheduledRun,
    workflowId: scheduledWorkflowId(args.scheduleId),
    taskQueue: deps.taskQueue,
    args: [args],
  });

  const runArgs = (id: string, userId: string, pipelineId: string, version: Version, inputs: RunInputs): ScheduledRunArgs => ({
    scheduleId: id,
    userId,
    pipelineId,
    ...(version === 'latest' ? {} : { version }),
    inputs,
  });

  async function views(userId: string, found: { row: ScheduleRow; description: ScheduleDescription }[]): Promise<Wire<typeof Schedule>[]> {
    const runIds = found.flatMap(({ description }) =>
      description.info.recentActions.map((a) => scheduledRunId(a.action.workflow.workflowId)),
    );
    const statuses = await schedules.runStatuses(userId, runIds);
    return found.map(({ row, description }) => viewOf(row, description, statuses));
  }

  async function view(userId: string, id: string): Promise<Wire<typeof Schedule>> {
    return (await views(userId, [await owned(userId, id)]))[0];
  }

  return {
    async list(userId: string, opts: { pipelineId?: string }): Promise<Wire<typeof Schedule>[]> {
      const rows = await schedules.list(userId, opts);
      const described = await Promise.all(rows.map(async (row) => ({ row, description: await describe(row.id) })));
      return views(
        userId,
        described.filter((d): d is { row: ScheduleRow; description: ScheduleDescription } => d.description !== undefined),
      );
    },

    get: view,

    async create(userId: string, body: z.output<typeof CreateScheduleBody>): Promise<Wire<typeof Schedule>> {
      const version = body.version ?? 'latest';
      const inputs = body.inputs ?? {};
      await checkRunnable(userId, body.pipelineId, version, inputs);
      const id = randomUUID();
      const written = writtenSpec(body);
      // The row first: a firing that finds no row takes its schedule for an orphan and deletes it.
      await schedules.create({ id, userId, pipelineId: body.pipelineId, ...written });
      try {
        await temporal.schedule.create({
          scheduleId: temporalScheduleId(id),
          spec: temporalSpec(written, body.timezone ?? DEFAULTS.timezone),
          action: action(runArgs(id, userId, body.pipelineId, version, inputs)),
          policies: {
            overlap: TEMPORAL_POLICY[body.overlap ?? DEFAULTS.overlap],
            catchupWindow: durationMs(body.catchupWindow ?? DEFAULTS.catchupWindow),
          },
          state: { paused: body.paused ?? false, note: body.note || (body.paused ? 'Paused' : undefined) },
        });
      } catch (err) {
        await schedules.remove(id);
        throw refusedSpec(err, written) ?? engineUnavailable(err);
      }
      return view(userId, id);
    },

    /** Rebuilds the whole spec from what is given and what was (never adds to it: sdk-typescript #1351). */
    async update(userId: string, id: string, body: z.output<typeof UpdateScheduleBody>): Promise<Wire<typeof Schedule>> {
      const { row, description } = await owned(userId, id);
      const previous = argsOf(description);
      const version = body.version ?? previous.version ?? 'latest';
      const inputs = body.inputs ?? previous.inputs;
      if (body.version !== undefined || body.inputs !== undefined) await checkRunnable(userId, row.pipelineId, version, inputs);
      const written = body.cron !== undefined || body.every !== undefined ? writtenSpec(body) : writtenSpec(row);
      const timezone = body.timezone ?? (description.spec.timezone || DEFAULTS.timezone);
      const overlap = body.overlap ? TEMPORAL_POLICY[body.overlap] : description.policies.overlap;
      const catchupWindow = body.catchupWindow ? durationMs(body.catchupWindow) : description.policies.catchupWindow;
      try {
        await handleOf(id).update((current) => ({
          spec: temporalSpec(written, timezone),
          action: action(runArgs(id, userId, row.pipelineId, version, inputs)),
          policies: { overlap, catchupWindow },
          state: { paused: current.state.paused, note: body.note ?? current.state.note, remainingActions: current.state.remainingActions },
        }));
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) throw notFound('Schedule');
        throw refusedSpec(err, written) ?? engineUnavailable(err);
      }
      if (written.cron !== row.cron || written.every !== row.every) await schedules.updateSpec(id, written);
      return view(userId, id);
    },

    async pause(userId: string, id: string, note?: string): Promise<Wire<typeof Schedule>> {
      await owned(userId, id);
      await engine(() => handleOf(id).pause(note || 'Paused'));
      return view(userId, id);
    },

    async resume(userId: string, id: string, note?: string): Promise<Wire<typeof Schedule>> {
      await owned(userId, id);
      await engine(() => handleOf(id).unpause(note || 'Resumed'));
      return view(userId, id);
    },

    /** One firing now, under the schedule's own overlap policy (the SDK's default for a trigger would be ALLOW_ALL). */
    async trigger(userId: string, id: string): Promise<Wire<typeof Schedule>> {
      const { description } = await owned(userId, id);
      await engine(() => handleOf(id).trigger(description.policies.overlap));
      return view(userId, id);
    },

    /** Stops its firings; runs it already started go on. */
    async remove(userId: string, id: string): Promise<void> {
      if (!(await schedules.find(userId, id))) throw notFound('Schedule');
      await dropFromEngine(id);
      await schedules.remove(id);
    },

    /** The ids of a pipeline's schedules (read before the pipeline is deleted: its rows go with it). */
    async idsOfPipeline(userId: string, pipelineId: string): Promise<string[]> {
      return (await schedules.list(userId, { pipelineId })).map((r) => r.id);
    },

    /**
     * Removes these schedules from Temporal once their rows are gone; best effort: one left behind removes
     * itself at its next firing (it finds no row).
     */
    async forget(ids: string[]): Promise<void> {
      await Promise.all(
        ids.map((id) => dropFromEngine(id).catch((err: Error) => console.warn(`[schedules] ${id} left in Temporal: ${err.message}`))),
      );
    },
  };

  async function dropFromEngine(id: string): Promise<void> {
    try {
      await handleOf(id).delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw engineUnavailable(err);
    }
  }
}
export type ScheduleService = ReturnType<typeof createScheduleService>;

async function engine(call: () => Promise<void>): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) throw notFound('Schedule');
    throw engineUnavailable(err);
  }
}

function writtenSpec(spec: { cron?: string | null; every?: string | null }): WrittenSpec {
  return spec.cron != null ? { cron: spec.cron, every: null } : { cron: null, every: spec.every! };
}

function temporalSpec(written: WrittenSpec, timezone: string): ScheduleSpec {
  return written.cron !== null
    ? { cronExpressions: [written.cron], timezone }
    : { intervals: [{ every: durationMs(written.every) }], timezone };
}

/** Temporal refuses a spec it can't read (a bad cron field, an unknown zone) as a TypeError: a 400 naming the field. */
function refusedSpec(err: unknown, written: WrittenSpec): HttpError | undefined {
  if (!(err instanceof TypeError)) return undefined;
  const field = /time ?zone|location/i.test(err.message) ? 'timezone' : written.cron !== null ? 'cron' : 'every';
  return new HttpError(400, 'invalid_request', `Invalid body: ${field}: ${err.message}`);
}

function engineUnavailable(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  return new HttpError(503, 'engine_unavailable', `The workflow engine did not answer: ${(err as Error).message}`);
}

function argsOf(description: ScheduleDescription): ScheduledRunArgs {
  return (description.action.args?.[0] ?? {}) as ScheduledRunArgs;
}

function viewOf(
  row: ScheduleRow,
  description: ScheduleDescription,
  statuses: Map<string, Wire<typeof Schedule>['recentRuns'][number]['status']>,
): Wire<typeof Schedule> {
  const args = argsOf(description);
  const timezone = description.spec.timezone || DEFAULTS.timezone;
  const spec = row.cron !== null ? { cron: row.cron, timezone } : { every: row.every!, timezone };
  const { paused, note } = description.state;
  return {
    id: row.id,
    pipelineId: row.pipelineId,
    pipelineName: row.pipelineName,
    spec,
    summary: summarizeSchedule(spec),
    overlap: OVERLAP_OF[description.policies.overlap ?? 'SKIP'] ?? 'skip',
    catchupWindow: durationText(description.policies.catchupWindow),
    version: args.version ?? 'latest',
    inputs: args.inputs ?? {},
    paused,
    note: note || null,
    nextRuns: paused ? [] : description.info.nextActionTimes.slice(0, NEXT_RUNS),
    recentRuns: [...description.info.recentActions].reverse().map((a) => {
      const runId = scheduledRunId(a.action.workflow.workflowId);
      return { runId, scheduledAt: a.scheduledAt, status: statuses.get(runId) ?? 'queued' };
    }),
    createdAt: row.createdAt,
  };
}
