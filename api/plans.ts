/**
 * What each plan allows: the one table the guard reads (and later quotas). A user's plan is `users.plan`;
 * a name not in the table gets the free plan's allowance.
 */
export interface PlanAllowance {
  /** Runs a user may start per RUN_LIMIT_WINDOW_MS (a minute unless set). */
  runStarts: number;
}

export const PLANS = {
  free: { runStarts: 10 },
  pro: { runStarts: 60 },
  team: { runStarts: 300 },
} as const satisfies Record<string, PlanAllowance>;

export const DEFAULT_PLAN = 'free';

/** A plan's allowance, with the install's overrides (RUN_LIMITS) applied. */
export function planAllowance(plan: string | undefined, overrides: { runStarts?: Record<string, number> } = {}): PlanAllowance {
  const name = plan && Object.hasOwn(PLANS, plan) ? (plan as keyof typeof PLANS) : DEFAULT_PLAN;
  const own = (table: Record<string, number> | undefined, key: string) => (table && Object.hasOwn(table, key) ? table[key] : undefined);
  return { runStarts: own(overrides.runStarts, plan ?? '') ?? own(overrides.runStarts, name) ?? PLANS[name].runStarts };
}
