import { useState } from 'react';
import { changeDetails, changeSummary } from '../core/versionChanges';
import { api, type PipelineVersionDetail } from '../lib/api';
import { timeAgo } from '../lib/format';
import { linkProps } from '../lib/router';

/**
 * Says the canvas shows an old version, read-only, and offers to restore it as the latest (asking first when
 * that would discard unsaved edits). `onRestored` gets the new latest version's number.
 */
export function VersionBanner({
  detail,
  hasDraft,
  onRestored,
}: {
  detail: PipelineVersionDetail;
  hasDraft: boolean;
  onRestored(version: number): void;
}) {
  const [restoring, setRestoring] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const latest = detail.version === detail.currentVersion;

  const restore = async () => {
    if (hasDraft && !window.confirm('Restoring replaces your unsaved edits in the editor with this version. Restore anyway?')) return;
    setRestoring(true);
    setError(null);
    try {
      const saved = await api<{ id: string; version: number }>(
        'POST',
        `/pipelines/${detail.pipelineId}/versions/${detail.version}/restore`,
        {},
      );
      onRestored(saved.version);
    } catch (err) {
      setError((err as Error).message);
      setRestoring(false);
    }
  };

  return (
    <div className="banner version-banner" role="status" aria-label="Old version">
      <span>
        <strong>
          Version {detail.version} (read-only){latest ? ' · the latest' : ''}
        </strong>{' '}
        <span className="muted" title={changeDetails(detail.changes)}>
          saved {timeAgo(detail.createdAt)} · {changeSummary(detail.changes, detail.version === 1)}
        </span>
      </span>
      {error && <span className="version-error">{error}</span>}
      <span className="spacer" />
      <a className="btn small" {...linkProps(`/pipelines/${detail.pipelineId}`)}>
        Back to editing
      </a>
      {!latest && (
        <button className="btn small primary" onClick={() => void restore()} disabled={restoring}>
          {restoring ? 'Restoring…' : 'Restore as latest'}
        </button>
      )}
    </div>
  );
}
