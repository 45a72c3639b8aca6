import type { ApprovalDecisionSchema } from './approvalSchema';
import type { z } from 'zod';
import { findArtifactRefs } from './graph';
import { jsonBytes, kilobytes, MAX_INLINE_VALUE_BYTES } from './payloads';

export type ApprovalDecision = z.infer<typeof ApprovalDecisionSchema>;

/** Why `value` can't replace `pending` (what waits for approval), or null when it can. */
export function approvalEditProblem(pending: unknown, value: unknown): string | null {
  if (findArtifactRefs(pending).length > 0) return 'media can only be approved or rejected, not edited';
  if (findArtifactRefs(value).length > 0) return 'artifact references are made by the server and cannot be given';
  if (typeof pending === 'string' && typeof value !== 'string') return 'must be text (a string), as the value waiting is';
  const texts = (v: unknown) => Array.isArray(v) && v.every((item) => typeof item === 'string');
  if (texts(pending) && !texts(value)) return 'must be a list of texts, as the value waiting is';
  if (jsonBytes(value) > MAX_INLINE_VALUE_BYTES) return `must be at most ${kilobytes(MAX_INLINE_VALUE_BYTES)}`;
  return null;
}

/** Why a decision is refused: the value check of an approval, when one is given and there is something to check it against. */
export function decisionProblem(pending: unknown, decision: ApprovalDecision): string | null {
  if (decision.value === undefined) return null;
  if (!decision.approve) return 'value: only an approval takes an edited value';
  const problem = approvalEditProblem(pending, decision.value);
  return problem ? `value: ${problem}` : null;
}

/** The message a rejected approval fails its node with. */
export function rejectionMessage(by: 'person' | 'timeout', comment?: string): string {
  const why = by === 'timeout' ? 'Rejected: no decision in time' : 'Rejected';
  return comment ? `${why}: ${comment}` : why;
}
