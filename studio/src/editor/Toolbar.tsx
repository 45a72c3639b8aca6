import { useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { useReactFlow } from '@xyflow/react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { api, type Pipeline } from '../lib/api';
import { linkProps } from '../lib/router';
import { ToolbarMenu } from '../ui/ToolbarMenu';
import { useReadableFit } from './Canvas';
import { downloadGraph, readGraphFile } from './graphFile';
import { SaveBadge } from './SaveBadge';
import type { EditorState } from './store';
import type { Draft } from './useDraft';
import type { Toast } from './useToast';

interface EditorToolbarProps {
  pipeline: Pipeline;
  store: StoreApi<EditorState>;
  draft: Draft;
  onToast(toast: Toast): void;
  /** ← : back to the project, once what is pending is saved. */
  onLeave(e: MouseEvent<HTMLAnchorElement>, to: string): void;
  onSaveVersion(): void;
  onRun(): void;
  /** Opens the pipeline's webhooks (another feature: the screen composes it). */
  onWebhooks(): void;
  /** Opens the pipeline's schedules (another feature, composed by the screen). */
  onSchedule(): void;
  /** Opens the list of the pipeline's versions (another feature, composed by the screen). */
  onVersions(): void;
  /** A narrow window: the secondary actions fold into a menu, and `panelToggle` (the inspector's) shows. */
  narrow: boolean;
  panelToggle?: ReactNode;
}

/** The pipeline's name and save state, undo/redo, view, export/import, history, Save version and Run. */
export function EditorToolbar({
  pipeline,
  store,
  draft,
  onToast,
  onLeave,
  onSaveVersion,
  onRun,
  onWebhooks,
  onSchedule,
  onVersions,
  narrow,
  panelToggle,
}: EditorToolbarProps) {
  const { status: saveStatus, problems } = draft;
  const [name, setName] = useState(pipeline.name);
  const [savedName, setSavedName] = useState(pipeline.name);
  const flow = useReactFlow();
  const fitReadable = useReadableFit();
  const fileInput = useRef<HTMLInputElement>(null);
  const canUndo = useStore(store, (s) => s.past.length > 0);
  const canRedo = useStore(store, (s) => s.future.length > 0);
  const nodeCount = useStore(store, (s) => s.nodes.length);

  const rename = async () => {
    const trimmed = name.trim();
    if (!trimmed || trimmed === savedName) return setName(savedName);
    try {
      await api('PUT', `/pipelines/${pipeline.id}`, { name: trimmed });
      setSavedName(trimmed);
    } catch (err) {
      onToast({ text: (err as Error).message, kind: 'error' });
    }
  };

  const importFile = async (file: File) => {
    try {
      const graph = await readGraphFile(file);
      store.getState().replace(graph);
      requestAnimationFrame(() => void fitReadable({ waitForSizes: true }));
      onToast({ text: `Imported ${graph.nodes.length} nodes`, kind: 'info' });
    } catch (err) {
      onToast({ text: `Import failed: ${(err as Error).message}`, kind: 'error' });
    }
  };

  const problemsText = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;

  return (
    <div className="toolbar">
      <a
        className="btn ghost small"
        href={`/projects/${pipeline.projectId}`}
        onClick={(e) => onLeave(e, `/projects/${pipeline.projectId}`)}
        title="Back to the project"
      >
        ←
      </a>
      <input
        className="title-input"
        aria-label="Pipeline name"
        value={name}
        onChange={(e) => setName(e.target.value)}
        onBlur={() => void rename()}
        onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
      />
      <SaveBadge status={saveStatus} hasDraft={draft.hasDraft} version={draft.version} />
      {problems.length > 0 && (
        <span className="problem-count" data-problems={problems.length} title="The draft is saved; fix these to run it or save a version">
          {problemsText}
        </span>
      )}
      <div className="spacer" />
      <div className="btn-group">
        <button className="btn small" onClick={() => store.getState().undo()} disabled={!canUndo} title="Undo (Ctrl+Z)" aria-label="Undo">
          ↶ <span className="label">Undo</span>
        </button>
        <button
          className="btn small"
          onClick={() => store.getState().redo()}
          disabled={!canRedo}
          title="Redo (Ctrl+Shift+Z)"
          aria-label="Redo"
        >
          ↷ <span className="label">Redo</span>
        </button>
      </div>
      <input
        ref={fileInput}
        type="file"
        accept="application/json,.json"
        hidden
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void importFile(f);
          e.target.value = '';
        }}
      />
      {narrow && panelToggle}
      <ToolbarMenu narrow={narrow}>
        <button className="btn small" onClick={() => flow.fitView({ padding: 0.2, duration: 200 })} title="Fit the whole pipeline in view">
          Fit view
        </button>
        <button className="btn small" onClick={() => downloadGraph(store.getState().toGraph(), name)} title="Download the graph as JSON">
          Export
        </button>
        <button className="btn small" onClick={() => fileInput.current?.click()} title="Load a graph from a JSON file">
          Import
        </button>
        <a className="btn small" {...linkProps(`/pipelines/${pipeline.id}/runs`)}>
          History
        </a>
        <button className="btn small" onClick={onVersions} title="Every saved version, what it changed; open or restore one">
          Versions
        </button>
        <button className="btn small" onClick={onSchedule} title="Run this pipeline on a calendar or at an interval">
          Schedule
        </button>
        <button className="btn small" onClick={onWebhooks} title="Tell other systems when a run ends">
          Webhooks
        </button>
        <button
          className="btn small"
          onClick={onSaveVersion}
          disabled={!draft.hasDraft && saveStatus.kind === 'saved'}
          title="Record the draft as a new version (Ctrl+S); a run does this too"
        >
          Save version
        </button>
      </ToolbarMenu>
      <button className="btn primary" onClick={onRun} disabled={nodeCount === 0}>
        ▶ Run
      </button>
    </div>
  );
}
