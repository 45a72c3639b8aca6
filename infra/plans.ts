import { z } from 'zod';

/**
 * The plans a user can be on and what each allows: the one place limits are defined (the API's run-start
 * check and the generation step's per-generation reservation both read it). `PLANS_JSON` in the environment
 * is merged over these, plan by plan and limit by limit, e.g. `{"free":{"monthlyGenerations":500}}` or a
 * whole new plan. A user whose `plan` names no plan gets the free plan's limits.
 */
export interface PlanLimits {
  /** Generations (AI calls recorded) per calendar month (UTC). */
  monthlyGenerations: number;
  /** Runs queued or running at once. */
  concurrentRuns: number;
  /** Nodes in the pipeline a run starts. */
  nodesPerPipeline: number;
  /** Bytes of stored media, summed over the user's media. */
  storageBytes: number;
  /** Provider cost (USD) of this month's generations. */
  monthlySpendUsd: number;
}

export type QuotaName = keyof PlanLimits;

const GB = 1024 ** 3;

/** Generous on free: a self-hosted install is its owner's; an operator tightens them with PLANS_JSON. */
export const DEFAULT_PLANS: Record<string, PlanLimits> = {
  free: { monthlyGenerations: 1_000, concurrentRuns: 10, nodesPerPipeline: 100, storageBytes: 5 * GB, monthlySpendUsd: 10 },
  pro: { monthlyGenerations: 20_000, concurrentRuns: 25, nodesPerPipeline: 250, storageBytes: 100 * GB, monthlySpendUsd: 500 },
  team: { monthlyGenerations: 200_000, concurrentRuns: 100, nodesPerPipeline: 500, storageBytes: 1024 * GB, monthlySpendUsd: 5_000 },
};

/** How each limit reads in a message. */
export const QUOTA_LABELS: Record<QuotaName, string> = {
  monthlyGenerations: 'monthly generations',
  concurrentRuns: 'concurrent runs',
  nodesPerPipeline: 'nodes per pipeline',
  storageBytes: 'storage bytes',
  monthlySpendUsd: 'monthly spend (USD)',
};

const Limit = z.number().nonnegative();
const PlansOverride = z.record(
  z.string().min(1),
  z.strictObject({
    monthlyGenerations: Limit.int().optional(),
    concurrentRuns: Limit.int().optional(),
    nodesPerPipeline: Limit.int().optional(),
    storageBytes: Limit.int().optional(),
    monthlySpendUsd: Limit.optional(),
  }),
);

let cached: { source: string | undefined; plans: Record<string, PlanLimits> } | undefined;

/** The plans in force: the defaults with `PLANS_JSON` merged over them. Throws, naming the problem, on a bad override. */
export function loadPlans(env: Record<string, string | undefined> = process.env): Record<string, PlanLimits> {
  const source = env.PLANS_JSON?.trim() || undefined;
  if (cached && cached.source === source) return cached.plans;
  const plans: Record<string, PlanLimits> = structuredClone(DEFAULT_PLANS);
  if (source) {
    let json: unknown;
    try {
      json = JSON.parse(source);
    } catch (err) {
      throw new Error(`PLANS_JSON is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = PlansOverride.safeParse(json);
    if (!parsed.success)
      throw new Error(`PLANS_JSON: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    for (const [name, limits] of Object.entries(parsed.data)) {
      plans[name] = {
        ...(plans[name] ?? plans.free),
        ...(Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) as Partial<PlanLimits>),
      };
    }
  }
  cached = { source, plans };
  return plans;
}

export function limitsOf(plan: string, env?: Record<string, string | undefined>): PlanLimits {
  const plans = loadPlans(env);
  return Object.hasOwn(plans, plan) ? plans[plan] : plans.free;
}

/** The month a monthly counter counts, e.g. '2026-12' (UTC). */
export const periodOf = (at: Date = new Date()) => at.toISOString().slice(0, 7);

/** When the period of `at` ends and its counters start again: the first instant of the next UTC month. */
export function periodResetsAt(at: Date = new Date()): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

export const periodStart = (at: Date = new Date()) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));

/**
 * How fast each plan may start runs: a rate the API's limiter enforces (api/guard.ts), next to the quotas above.
 * A plan not in the table gets free's; RUN_LIMITS (`free=10,pro=60`) overrides it per install.
 */
export interface PlanAllowance {
  /** Runs a user may start per RUN_LIMIT_WINDOW_MS (a minute unless set). */
  runStarts: number;
}

export const RUN_START_ALLOWANCES = {
  free: { runStarts: 10 },
  pro: { runStarts: 60 },
  team: { runStarts: 300 },
} as const satisfies Record<string, PlanAllowance>;

export const DEFAULT_PLAN = 'free';

/** A plan's allowance, with the install's overrides (RUN_LIMITS) applied. */
export function planAllowance(plan: string | undefined, overrides: { runStarts?: Record<string, number> } = {}): PlanAllowance {
  const name = plan && Object.hasOwn(RUN_START_ALLOWANCES, plan) ? (plan as keyof typeof RUN_START_ALLOWANCES) : DEFAULT_PLAN;
  const own = (table: Record<string, number> | undefined, key: string) => (table && Object.hasOwn(table, key) ? table[key] : undefined);
  return { runStarts: own(overrides.runStarts, plan ?? '') ?? own(overrides.runStarts, name) ?? RUN_START_ALLOWANCES[name].runStarts };
}
