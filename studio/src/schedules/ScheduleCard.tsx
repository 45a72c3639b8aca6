import { useState } from 'react';
import { api, type Schedule } from '../lib/api';
import { timeAgo } from '../lib/format';
import { linkProps } from '../lib/router';
import { OVERLAP_LABELS } from './labels';
import { formatAt, viewerZone } from './times';

/**
 * One schedule: what it does in plain words, its next fire times (in its zone and the viewer's), the runs it
 * started lately, and pause (with a note) / resume / run now / edit / delete.
 */
export function ScheduleCard({
  schedule,
  showPipeline = false,
  onChanged,
  onEdit,
}: {
  schedule: Schedule;
  showPipeline?: boolean;
  /** The schedule as the server now has it, or null once deleted. */
  onChanged(next: Schedule | null): void;
  onEdit(): void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pausing, setPausing] = useState(false);
  const [note, setNote] = useState('');
  const zone = schedule.spec.timezone;
  const mine = viewerZone();
  const bothZones = zone !== mine;

  const act = async (method: string, path: string, body?: unknown) => {
    setBusy(true);
    setError(null);
    try {
      const next = await api<Schedule | undefined>(method, `/schedules/${schedule.id}${path}`, body);
      onChanged(method === 'DELETE' ? null : (next as Schedule));
      return true;
    } catch (err) {
      setError((err as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card schedule-card" data-schedule={schedule.id} data-paused={schedule.paused || undefined}>
      <div className="row between">
        <div>
          <h3 className="schedule-summary">{schedule.summary}</h3>
          {showPipeline && (
            <a className="small" {...linkProps(`/pipelines/${schedule.pipelineId}`)}>
              {schedule.pipelineName}
            </a>
          )}
        </div>
        <span
          className={`status-pill ${schedule.paused ? 'status-cancelled' : 'status-running'}`}
          data-state={schedule.paused ? 'paused' : 'active'}
        >
          {schedule.paused ? 'Paused' : 'Active'}
        </span>
      </div>
      {schedule.paused && schedule.note && <p className="muted small schedule-note">“{schedule.note}”</p>}
      <dl className="facts small">
        <dt>Runs</dt>
        <dd>{schedule.version === 'latest' ? 'the latest version' : `version ${schedule.version}`}</dd>
        <dt>If still running</dt>
        <dd>{OVERLAP_LABELS[schedule.overlap]}</dd>
        <dt>Catch up</dt>
        <dd>firings missed in the last {schedule.catchupWindow}</dd>
      </dl>

      <h4>Next runs</h4>
      {schedule.nextRuns.length === 0 ? (
        <p className="muted small">{schedule.paused ? 'None while paused.' : 'No more runs are due.'}</p>
      ) : (
        <table className="table next-runs">
          <thead>
            <tr>
              <th>{zone}</th>
              {bothZones && <th>Your time ({mine})</th>}
            </tr>
          </thead>
          <tbody>
            {schedule.nextRuns.map((at) => (
              <tr key={at}>
                <td data-zone="schedule">{formatAt(at, zone)}</td>
                {bothZones && <td data-zone="viewer">{formatAt(at, mine)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h4>Recent runs</h4>
      {schedule.recentRuns.length === 0 ? (
        <p className="muted small">None yet.</p>
      ) : (
        <ul className="recent-runs">
          {schedule.recentRuns.map((r) => (
            <li key={r.runId}>
              <a {...linkProps(`/runs/${r.runId}`)} className={`status-pill status-${r.status}`} data-run={r.runId}>
                {r.status}
              </a>{' '}
              <span className="muted small" title={formatAt(r.scheduledAt, mine)}>
                {timeAgo(r.scheduledAt)}
              </span>
            </li>
          ))}
        </ul>
      )}

      {error && (
        <div className="alert error" role="alert">
          {error}
        </div>
      )}
      {pausing ? (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void act('POST', '/pause', note.trim() ? { note: note.trim() } : {}).then((ok) => ok && setPausing(false));
          }}
        >
          <input
            aria-label="Pause note"
            placeholder="Why? (optional note)"
            value={note}
            maxLength={500}
            autoFocus
            onChange={(e) => setNote(e.target.value)}
          />
          <button className="btn small primary" type="submit" disabled={busy}>
            Pause
          </button>
          <button className="btn small" type="button" onClick={() => setPausing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="row">
          {schedule.paused ? (
            <button className="btn small" disabled={busy} onClick={() => void act('POST', '/resume', {})}>
              Resume
            </button>
          ) : (
            <button className="btn small" disabled={busy} onClick={() => setPausing(true)}>
              Pause…
            </button>
          )}
          <button
            className="btn small"
            disabled={busy}
            onClick={() => void act('POST', '/trigger', {})}
            title="Start a run now, under this schedule's overlap rule"
          >
            ▶ Run now
          </button>
          <button className="btn small" disabled={busy} onClick={onEdit}>
            Edit
          </button>
          <div className="spacer" />
          <button
            className="btn small danger"
            disabled={busy}
            onClick={() => window.confirm('Delete this schedule? Runs it already started go on.') && void act('DELETE', '')}
          >
            Delete
          </button>
        </div>
      )}
    </section>
  );
}
