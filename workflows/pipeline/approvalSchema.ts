import { z } from 'zod';

/**
 * A person's answer to an approval step: the API's request body and the workflow update's argument alike (the
 * workflow checks the value with approval.ts, without this schema: its sandbox would build it for every run).
 */
export const ApprovalDecisionSchema = z.strictObject({
  approve: z.boolean({ error: 'must be true (approve) or false (reject)' }),
  /** Approving with an edited value: what flows on instead of what arrived (texts and JSON only). */
  value: z.unknown().optional(),
  comment: z.string().max(2000, 'must be at most 2000 characters').optional(),
});
