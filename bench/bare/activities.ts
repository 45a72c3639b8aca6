import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';

/** The upload: the bytes written to a file named after the workflow, as the product's local blob store does. */
export function createBareActivities(dir: string) {
  return {
    async upload(text: string): Promise<string> {
      const key = join(dir, `${Context.current().info.workflowExecution?.workflowId ?? Context.current().info.activityId}.txt`);
      await mkdir(dir, { recursive: true });
      await writeFile(key, text);
      return key;
    },
  };
}

export type BareActivities = ReturnType<typeof createBareActivities>;
