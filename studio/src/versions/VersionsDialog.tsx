import { useEffect, useState } from 'react';
import { changeDetails, changeSummary } from '../core/versionChanges';
import { api, type PipelineVersion } from '../lib/api';
import { timeAgo } from '../lib/format';
import { linkProps } from '../lib/router';

/** A pipeline's versions, newest first, each with when it was saved and what it changed; each opens read-only. */
export function VersionsDialog({ pipelineId, currentVersion, onClose }: { pipelineId: string; currentVersion: number; onClose(): void }) {
  const [versions, setVersions] = useState<PipelineVersion[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api<{ versions: PipelineVersion[] }>('GET', `/pipelines/${pipelineId}/versions`).then(
      (r) => setVersions(r.versions),
      (err) => setError((err as Error).message),
    );
  }, [pipelineId]);

  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div
        className="modal card versions"
        role="dialog"
        aria-label="Versions"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <div className="row between">
          <h2>Versions</h2>
          <button className="btn ghost small" onClick={onClose} aria-label="Close" autoFocus>
            ✕
          </button>
        </div>
        {error && (
          <div className="alert error" role="alert">
            Could not load the versions: {error}
          </div>
        )}
        {!versions && !error && <p className="muted">Loading versions…</p>}
        {versions && (
          <ol className="version-list">
            {versions.map((v) => (
              <li key={v.version} data-version={v.version}>
                <div>
                  <strong>Version {v.version}</strong>
                  {v.version === currentVersion && <span className="badge latest">latest</span>}
                  <div className="muted small" title={changeDetails(v.changes)}>
                    {timeAgo(v.createdAt)} · {changeSummary(v.changes, v.version === 1)}
                  </div>
                </div>
                <a className="btn small" {...linkProps(`/pipelines/${pipelineId}?version=${v.version}`)} onClickCapture={onClose}>
                  Open
                </a>
              </li>
            ))}
          </ol>
        )}
        <p className="muted small">An old version opens read-only; from there you can restore it as the latest.</p>
      </div>
    </div>
  );
}
