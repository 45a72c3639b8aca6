import { useEffect, useMemo, useState } from 'react';
import type { CreateScheduleBody, UpdateScheduleBody } from '../../../api/contract';
import type { z } from 'zod';
import { api, type Pipeline, type Schedule } from '../lib/api';
import { initialValues, inputFieldsOf, inputsFrom } from '../lib/runInputs';
import { OVERLAP_LABELS, OVERLAPS } from './labels';
import { timeZones, viewerZone } from './times';

type Repeat = 'cron' | 'every';
const UNITS = [
  ['s', 'seconds'],
  ['m', 'minutes'],
  ['h', 'hours'],
  ['d', 'days'],
] as const;
const CRON_EXAMPLES = ['0 9 * * MON', '30 7 * * 1-5', '0 */6 * * *', '0 8 1 * *'];

/** Creates a schedule for a pipeline, or edits one: the server checks everything again and says what is wrong. */
export function ScheduleForm({
  pipelineId,
  schedule,
  onSaved,
  onCancel,
}: {
  pipelineId: string;
  schedule?: Schedule;
  onSaved(schedule: Schedule): void;
  onCancel(): void;
}) {
  const [pipeline, setPipeline] = useState<Pipeline | null>(null);
  const [versions, setVersions] = useState<number[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const spec = schedule?.spec;
  const [repeat, setRepeat] = useState<Repeat>(spec && 'every' in spec ? 'every' : 'cron');
  const [cron, setCron] = useState(spec && 'cron' in spec ? spec.cron : '0 9 * * MON');
  const everyMatch = spec && 'every' in spec ? /^(\d+)([smhd])$/.exec(spec.every) : null;
  const [everyCount, setEveryCount] = useState(everyMatch?.[1] ?? '15');
  const [everyUnit, setEveryUnit] = useState(everyMatch?.[2] ?? 'm');
  const [timezone, setTimezone] = useState(spec?.timezone ?? viewerZone());
  const [version, setVersion] = useState<string>(String(schedule?.version ?? 'latest'));
  const [overlap, setOverlap] = useState(schedule?.overlap ?? 'skip');
  const [catchupWindow, setCatchupWindow] = useState(schedule?.catchupWindow ?? '1h');
  const [paused, setPaused] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const zones = useMemo(() => [...new Set([timezone, ...timeZones()])], [timezone]);

  // Once, from the schedule as it was when the form opened (the list refreshing behind it must not reset what is typed).
  const [opened] = useState(schedule);
  useEffect(() => {
    const pinned = opened && opened.version !== 'latest' ? `?version=${opened.version}` : '';
    Promise.all([
      api<Pipeline>('GET', `/pipelines/${pipelineId}${pinned}`),
      api<{ versions: { version: number }[] }>('GET', `/pipelines/${pipelineId}/versions`),
    ]).then(
      ([p, v]) => {
        setPipeline(p);
        setVersions(v.versions.map((x) => x.version));
        setValues(initialValues(inputFieldsOf(p.graph), opened?.inputs));
      },
      (err) => setLoadError((err as Error).message),
    );
  }, [pipelineId, opened]);

  const fields = useMemo(() => (pipeline ? inputFieldsOf(pipeline.graph) : []), [pipeline]);

  const save = async () => {
    setError(null);
    const read = inputsFrom(fields, values);
    if ('error' in read) return setError(read.error);
    const common = {
      ...(repeat === 'cron' ? { cron: cron.trim() } : { every: `${everyCount.trim()}${everyUnit}` }),
      timezone,
      inputs: read.inputs,
      version: version === 'latest' ? ('latest' as const) : Number(version),
      overlap,
      catchupWindow: catchupWindow.trim(),
    };
    setBusy(true);
    try {
      const saved = schedule
        ? await api<Schedule>('PATCH', `/schedules/${schedule.id}`, common satisfies z.input<typeof UpdateScheduleBody>)
        : await api<Schedule>('POST', '/schedules', { pipelineId, ...common, paused } satisfies z.input<typeof CreateScheduleBody>);
      onSaved(saved);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (loadError)
    return (
      <div className="alert error" role="alert">
        {loadError}
      </div>
    );
  if (!pipeline) return <p className="muted">Loading…</p>;
  return (
    <form
      className="card schedule-form"
      aria-label={schedule ? 'Edit schedule' : 'New schedule'}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3>{schedule ? 'Edit schedule' : `New schedule for “${pipeline.name}”`}</h3>
      <div className="field">
        <span>Repeat</span>
        <div>
          <label className="radio">
            <input type="radio" name="repeat" checked={repeat === 'cron'} onChange={() => setRepeat('cron')} /> On a calendar (cron)
          </label>
          <label className="radio">
            <input type="radio" name="repeat" checked={repeat === 'every'} onChange={() => setRepeat('every')} /> At a fixed interval
          </label>
        </div>
      </div>
      {repeat === 'cron' ? (
        <label className="field">
          <span>Cron expression</span>
          <input name="cron" value={cron} onChange={(e) => setCron(e.target.value)} spellCheck={false} list="cron-examples" />
          <datalist id="cron-examples">
            {CRON_EXAMPLES.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
          <small className="muted">
            minute hour day-of-month month day-of-week, e.g. “0 9 * * MON” is every Monday at 09:00. Both day fields must match.
          </small>
        </label>
      ) : (
        <div className="field">
          <span>Every</span>
          <div className="row">
            <input
              name="every-count"
              aria-label="Interval"
              type="number"
              min={1}
              value={everyCount}
              onChange={(e) => setEveryCount(e.target.value)}
              style={{ width: 100 }}
            />
            <select name="every-unit" aria-label="Interval unit" value={everyUnit} onChange={(e) => setEveryUnit(e.target.value)}>
              {UNITS.map(([unit, label]) => (
                <option key={unit} value={unit}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <small className="muted">Intervals count from midnight UTC.</small>
        </div>
      )}
      <label className="field">
        <span>Time zone</span>
        <select name="timezone" value={timezone} onChange={(e) => setTimezone(e.target.value)}>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Version to run</span>
        <select name="version" value={version} onChange={(e) => setVersion(e.target.value)}>
          <option value="latest">The latest version at each run</option>
          {versions.map((v) => (
            <option key={v} value={String(v)}>
              Always version {v}
            </option>
          ))}
        </select>
      </label>
      {fields.map((f) => (
        <label key={f.id} className="field">
          <span>
            {f.name} {f.required ? <em className="muted">(required)</em> : <em className="muted">(optional)</em>}
          </span>
          <textarea
            name={`input-${f.name}`}
            rows={f.kind === 'json' ? 3 : 2}
            value={values[f.name] ?? ''}
            placeholder={f.kind === 'json' ? '{"any": "JSON"}' : (f.description ?? `Text for {{${f.name}}}`)}
            onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
          />
        </label>
      ))}
      <label className="field">
        <span>When the previous run is still going</span>
        <select name="overlap" value={overlap} onChange={(e) => setOverlap(e.target.value as typeof overlap)}>
          {OVERLAPS.map((o) => (
            <option key={o} value={o}>
              {OVERLAP_LABELS[o]}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Catch up on missed runs from the last</span>
        <input name="catchupWindow" value={catchupWindow} onChange={(e) => setCatchupWindow(e.target.value)} style={{ width: 120 }} />
        <small className="muted">While the computer was off or the server down: e.g. 10m, 1h, 1d.</small>
      </label>
      {!schedule && (
        <label className="field check">
          <input type="checkbox" checked={paused} onChange={(e) => setPaused(e.target.checked)} /> Start paused
        </label>
      )}
      {error && (
        <div className="alert error" role="alert">
          {error}
        </div>
      )}
      <div className="row end">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn primary" disabled={busy}>
          {busy ? 'Saving…' : schedule ? 'Save changes' : 'Create schedule'}
        </button>
      </div>
    </form>
  );
}
