import { describe, expect, it } from 'vitest';
import { workflowIdOf } from '../api/services/runs';
import { runWorkflowId } from '../workflows/scheduledRun';
import { scheduledRunId, scheduledWorkflowId, temporalScheduleId } from './scheduleIds';

describe('schedule ids', () => {
  it('derive one run id per scheduled workflow: always the same, a valid UUID, different for another firing', () => {
    const firing = `${scheduledWorkflowId('2b1f6c1e-8d0a-4c55-9a0e-3f1d2c4b5a69')}-2027-03-28T07:00:00Z`;
    const id = scheduledRunId(firing);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(scheduledRunId(firing)).toBe(id);
    expect(scheduledRunId(firing.replace('07:00:00Z', '07:00:02Z'))).not.toBe(id);
    expect(temporalScheduleId('x')).not.toBe(scheduledWorkflowId('x'));
  });

  it("name a scheduled run's pipeline workflow as the API does, so cancel and the rest find it", () => {
    expect(runWorkflowId('2b1f6c1e-8d0a-4c55-9a0e-3f1d2c4b5a69')).toBe(workflowIdOf('2b1f6c1e-8d0a-4c55-9a0e-3f1d2c4b5a69'));
  });
});
