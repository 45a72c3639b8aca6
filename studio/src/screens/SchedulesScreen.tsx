import { useEffect, useState } from 'react';
import { api, type PipelineSummary } from '../lib/api';
import { ScheduleList } from '../schedules/ScheduleList';
import { useSchedules } from '../schedules/useSchedules';
import { Loading } from '../ui/Loading';

/** Every schedule of the user, across pipelines; a new one for any pipeline. */
export default function SchedulesScreen() {
  const { schedules, error, replace } = useSchedules();
  const [pipelines, setPipelines] = useState<PipelineSummary[]>([]);
  const [chosen, setChosen] = useState('');
  const [creating, setCreating] = useState<string | null>(null);

  useEffect(() => {
    api<{ pipelines: PipelineSummary[] }>('GET', '/pipelines?limit=200').then(
      (r) => setPipelines(r.pipelines),
      () => undefined,
    );
  }, []);

  if (!schedules && !error) return <Loading label="Loading schedules…" />;
  return (
    <div className="page narrow">
      <h1>Schedules</h1>
      {error && (
        <div className="alert error" role="alert">
          {error}
        </div>
      )}
      {!creating && pipelines.length > 0 && (
        <form
          className="row schedules-new"
          onSubmit={(e) => {
            e.preventDefault();
            if (chosen) setCreating(chosen);
          }}
        >
          <select aria-label="Pipeline to schedule" value={chosen} onChange={(e) => setChosen(e.target.value)}>
            <option value="">Choose a pipeline…</option>
            {pipelines.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <button className="btn primary" type="submit" disabled={!chosen}>
            + New schedule
          </button>
        </form>
      )}
      {schedules && schedules.length === 0 && !creating && (
        <div className="empty">
          <h3>No schedules yet</h3>
          <p>A schedule runs a pipeline on its own: every Monday at 09:00, every 15 minutes…</p>
        </div>
      )}
      <ScheduleList schedules={schedules ?? []} showPipeline newFor={creating} onNewDone={() => setCreating(null)} replace={replace} />
    </div>
  );
}
