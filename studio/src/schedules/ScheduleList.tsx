import { useState } from 'react';
import type { Schedule } from '../lib/api';
import { ScheduleCard } from './ScheduleCard';
import { ScheduleForm } from './ScheduleForm';

/**
 * Schedules with their cards, a form to edit one in place, and one to create a new one for `newFor` (a pipeline
 * id, once chosen).
 */
export function ScheduleList({
  schedules,
  showPipeline = false,
  newFor,
  onNewDone,
  replace,
}: {
  schedules: Schedule[];
  showPipeline?: boolean;
  newFor: string | null;
  onNewDone(): void;
  replace(id: string, next: Schedule | null): void;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <div className="schedule-list">
      {newFor && (
        <ScheduleForm
          pipelineId={newFor}
          onSaved={(saved) => {
            replace(saved.id, saved);
            onNewDone();
          }}
          onCancel={onNewDone}
        />
      )}
      {schedules.map((s) =>
        editing === s.id ? (
          <ScheduleForm
            key={s.id}
            pipelineId={s.pipelineId}
            schedule={s}
            onSaved={(saved) => {
              replace(s.id, saved);
              setEditing(null);
            }}
            onCancel={() => setEditing(null)}
          />
        ) : (
          <ScheduleCard
            key={s.id}
            schedule={s}
            showPipeline={showPipeline}
            onChanged={(next) => replace(s.id, next)}
            onEdit={() => setEditing(s.id)}
          />
        ),
      )}
    </div>
  );
}
