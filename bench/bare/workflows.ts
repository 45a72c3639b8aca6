/** The bench's ceiling: `input → template → upload` written straight on the Temporal SDK (see bench/overhead.ts). */
import { proxyActivities } from '@temporalio/workflow';
import type { BareActivities } from './activities';

const { upload } = proxyActivities<BareActivities>({ startToCloseTimeout: '5 minutes' });

export async function barePipeline(input: { topic: string }): Promise<string> {
  const text = `A note about ${input.topic}`; // the template, inline in the workflow as the product runs it
  return upload(text);
}
