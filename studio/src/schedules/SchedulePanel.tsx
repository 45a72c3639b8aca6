import { useState } from 'react';
import { linkProps } from '../lib/router';
import { ScheduleList } from './ScheduleList';
import { useSchedules } from './useSchedules';

/** A pipeline's schedules, over the editor: see them, make one, change them. */
export function SchedulePanel({ pipelineId, onClose }: { pipelineId: string; onClose(): void }) {
  const { schedules, error, replace } = useSchedules(pipelineId);
  const [creating, setCreating] = useState(false);
  const none = schedules !== null && schedules.length === 0;
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        className="modal card schedule-panel"
        role="dialog"
        aria-label="Schedules"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <div className="row between">
          <h2>Schedules</h2>
          <div className="row">
            <a className="btn small ghost" {...linkProps('/schedules')}>
              All schedules
            </a>
            <button className="btn small ghost" onClick={onClose} aria-label="Close">
              ✕
            </button>
          </div>
        </div>
        {error && (
          <div className="alert error" role="alert">
            {error}
          </div>
        )}
        {schedules === null ? (
          <p className="muted">Loading…</p>
        ) : (
          <>
            {none && !creating && (
              <p className="muted">This pipeline runs only when started. A schedule runs it on its own: on a calendar or at an interval.</p>
            )}
            {!creating && (
              <button className="btn primary" onClick={() => setCreating(true)}>
                + New schedule
              </button>
            )}
            <ScheduleList
              schedules={schedules}
              newFor={creating ? pipelineId : null}
              onNewDone={() => setCreating(false)}
              replace={replace}
            />
          </>
        )}
      </div>
    </div>
  );
}
