import type { SaveStatus } from './useDraft';

/** Where the draft stands: saved (as a draft or as the version), unsaved, saving, offline, or why it was not saved. */
export function SaveBadge({ status, hasDraft, version }: { status: SaveStatus; hasDraft: boolean; version: number }) {
  const text =
    status.kind === 'saved'
      ? hasDraft
        ? 'Draft saved'
        : `Saved as version ${version}`
      : status.kind === 'dirty'
        ? 'Unsaved changes'
        : status.kind === 'saving'
          ? 'Saving…'
          : status.kind === 'offline'
            ? 'Offline — retrying'
            : `Not saved: ${status.message}`;
  return (
    <span className={`save-badge save-${status.kind}`} role="status" data-save={status.kind} title={text}>
      {text}
    </span>
  );
}
