import { ApplicationFailure } from '@temporalio/activity';
import { ProviderError } from './providers/types';

/** Provider errors become Temporal failures: rejected requests are final, the rest retried (after Retry-After when given). */
export function asTemporalFailure(err: unknown): unknown {
  if (!(err instanceof ProviderError)) return err;
  if (!err.retryable)
    return ApplicationFailure.create({
      message: err.message,
      type: 'ProviderRejected',
      nonRetryable: true,
      details: [{ status: err.status ?? null }],
    });
  return ApplicationFailure.create({
    message: err.message,
    type: 'ProviderUnavailable',
    nonRetryable: false,
    nextRetryDelay: err.retryAfterMs,
    details: [{ status: err.status ?? null }],
  });
}
