import { sql, type Kysely } from 'kysely';
import type { Database } from './db/schema';
import { limitsOf, periodOf, periodResetsAt, periodStart, QUOTA_LABELS, type PlanLimits, type QuotaName } from './plans';

/** What a user has used of each limit of their plan, now. */
export interface Usage {
  plan: string;
  limits: PlanLimits;
  /** The month the monthly counters count, e.g. '2026-12'. */
  period: string;
  resetsAt: Date;
  used: Record<Exclude<QuotaName, 'nodesPerPipeline'>, number>;
}

/** Why a run (or a generation) may not start: which limit, how much of it is used, and when it frees up (null: never by itself). */
export interface QuotaRefusal {
  quota: QuotaName;
  limit: number;
  used: number;
  resetsAt: Date | null;
  message: string;
}

const MONTHLY: ReadonlySet<QuotaName> = new Set(['monthlyGenerations', 'monthlySpendUsd']);

export function quotaRefusal(plan: string, quota: QuotaName, used: number, limit: number, now = new Date()): QuotaRefusal {
  const resetsAt = MONTHLY.has(quota) ? periodResetsAt(now) : null;
  const shown = quota === 'monthlySpendUsd' ? `${used.toFixed(2)}/${limit}` : `${used}/${limit}`;
  return {
    quota,
    limit,
    used,
    resetsAt,
    message: `quota_exceeded: ${QUOTA_LABELS[quota]} ${shown} on the ${plan} plan${resetsAt ? `, resets ${resetsAt.toISOString().slice(0, 10)}` : ''}`,
  };
}

/**
 * Why a priced call is not made: it would take the run's budget or the plan's monthly spend past its limit.
 * `spent` is what was charged or reserved before it; `callUsd` the call's estimated cost.
 */
export interface BudgetRefusal {
  budget: 'run' | 'monthlySpendUsd';
  limit: number;
  spent: number;
  callUsd: number;
  message: string;
}

const dollars = (n: number) => `$${Number(n.toFixed(6))}`;

export function budgetRefusal(
  budget: BudgetRefusal['budget'],
  limit: number,
  spent: number,
  callUsd: number,
  plan?: { plan: string; resetsAt: Date },
): BudgetRefusal {
  const what =
    budget === 'run' ? `this run's budget of ${dollars(limit)}` : `the monthly spend limit of ${dollars(limit)} on the ${plan?.plan} plan`;
  const resets = plan ? `, resets ${plan.resetsAt.toISOString().slice(0, 10)}` : '';
  return {
    budget,
    limit,
    spent,
    callUsd,
    message: `budget_exceeded: the next call (estimated ${dollars(callUsd)}) would cross ${what}: ${dollars(spent)} already spent or reserved${resets}; no call was made`,
  };
}

/** Reads what a user has used against their plan (undefined: no such user). */
export async function usageOf(db: Kysely<Database>, userId: string, now = new Date()): Promise<Usage | undefined> {
  // One statement: a run's start asks this every time, and each round trip to the database counts there.
  const user = await db
    .selectFrom('users as u')
    .select((eb) => [
      'u.plan',
      'u.monthly_generations',
      'u.monthly_period',
      eb
        .selectFrom('runs')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('runs.user_id', '=', 'u.id')
        // Literal, as runs_user_active_idx is defined: a parameter would keep the planner from using that index.
        .where(sql<boolean>`runs.status in ('queued', 'running')`)
        .as('activeRuns'),
      'u.storage_bytes as storageBytes',
      eb
        .selectFrom('generations')
        .select(sql<string | null>`sum(cost_usd)`.as('usd'))
        .whereRef('generations.user_id', '=', 'u.id')
        .where('generations.created_at', '>=', periodStart(now))
        .as('spendUsd'),
    ])
    .where('u.id', '=', userId)
    .executeTakeFirst();
  if (!user) return undefined;
  const period = periodOf(now);
  return {
    plan: user.plan,
    limits: limitsOf(user.plan),
    period,
    resetsAt: periodResetsAt(now),
    used: {
      monthlyGenerations: user.monthly_period === period ? user.monthly_generations : 0,
      concurrentRuns: Number(user.activeRuns ?? 0),
      storageBytes: Number(user.storageBytes ?? 0),
      monthlySpendUsd: Number(user.spendUsd ?? 0),
    },
  };
}

/**
 * The check before a run starts (from the API or a schedule), or before a batch records `runCount` queued runs:
 * the first limit of the user's plan they would go past, or undefined. Each of a batch's runs counts as a run
 * (queued ones too, against concurrentRuns). A check, not a reservation: each generation reserves its own unit atomically.
 */
export async function checkRunStart(
  db: Kysely<Database>,
  userId: string,
  nodeCount: number,
  now = new Date(),
  runCount = 1,
): Promise<QuotaRefusal | undefined> {
  const usage = await usageOf(db, userId, now);
  if (!usage) return undefined;
  const { plan, limits, used } = usage;
  if (nodeCount > limits.nodesPerPipeline) return quotaRefusal(plan, 'nodesPerPipeline', nodeCount, limits.nodesPerPipeline, now);
  for (const quota of ['monthlyGenerations', 'concurrentRuns', 'storageBytes', 'monthlySpendUsd'] as const) {
    const over = quota === 'concurrentRuns' ? used[quota] + runCount > limits[quota] : used[quota] >= limits[quota];
    if (over) return quotaRefusal(plan, quota, used[quota], limits[quota], now);
  }
  return undefined;
}
