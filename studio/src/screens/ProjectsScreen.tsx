import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import type { Graph } from '../../../workflows/pipeline';
import { availableTemplates, type StarterTemplate } from '../core/templates';
import { Loading } from '../ui/Loading';
import { api, ApiError, loadCatalog, type PipelineSummary, type Project } from '../lib/api';
import { linkProps, navigate } from '../lib/router';
import { timeAgo } from '../lib/format';

export default function ProjectsScreen({ projectId }: { projectId?: string }) {
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [pipelines, setPipelines] = useState<PipelineSummary[] | null>(null);
  const [templates, setTemplates] = useState<StarterTemplate[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [draftName, setDraftName] = useState('');

  const current = projects?.find((p) => p.id === projectId) ?? projects?.[0];
  const currentId = current?.id;

  const loadProjects = useCallback(async () => {
    try {
      setProjects((await api<{ projects: Project[] }>('GET', '/projects')).projects);
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    void loadProjects();
    loadCatalog().then(
      (c) => setTemplates(availableTemplates(c)),
      (err) => setError((err as Error).message),
    );
  }, [loadProjects]);

  useEffect(() => {
    if (!currentId) return;
    setPipelines(null);
    api<{ pipelines: PipelineSummary[] }>('GET', `/pipelines?projectId=${currentId}&limit=200`).then(
      (r) => setPipelines(r.pipelines),
      (err) => setError((err as Error).message),
    );
  }, [currentId]);

  const removePipeline = async (p: PipelineSummary) => {
    if (!confirm(`Delete “${p.name}” with its versions and run history? Published media stay in the library.`)) return;
    setBusy('delete');
    try {
      await api('DELETE', `/pipelines/${p.id}`);
      setPipelines((list) => list?.filter((x) => x.id !== p.id) ?? null);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  };

  const [creatingProject, setCreatingProject] = useState(false);

  // The input's blur, Enter and Escape can all end one edit: the first one decides, the others do nothing.
  const editing = useRef<string | null>(null);
  const rename = async (id: string) => {
    if (editing.current !== id) return;
    editing.current = null;
    const name = draftName.trim();
    setRenaming(null);
    if (!name) return;
    try {
      await api('PATCH', `/projects/${id}`, { name });
      await loadProjects();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const createPipeline = async (name: string, graph: Graph, key: string) => {
    if (!current) return;
    setBusy(key);
    setError(null);
    try {
      const res = await api<{ id: string }>('POST', '/pipelines', { name, projectId: current.id, graph });
      navigate(`/pipelines/${res.id}`);
    } catch (err) {
      setError(
        err instanceof ApiError && err.problems.length
          ? `${err.message}: ${err.problems.map((p) => p.message).join('; ')}`
          : (err as Error).message,
      );
      setBusy(null);
    }
  };

  if (!projects)
    return error ? (
      <div className="page">
        <div className="alert error">{error}</div>
      </div>
    ) : (
      <Loading label="Loading projects…" />
    );

  return (
    <div className="page projects">
      <aside className="project-list card">
        <div className="row between">
          <h2>Projects</h2>
          <button className="btn small" onClick={() => setCreatingProject(true)}>
            + New project
          </button>
        </div>
        <ul>
          {projects.map((p) => (
            <li key={p.id} className={p.id === current?.id ? 'selected' : ''}>
              {renaming === p.id ? (
                <input
                  aria-label="Project name"
                  autoFocus
                  value={draftName}
                  onChange={(e) => setDraftName(e.target.value)}
                  onBlur={() => void rename(p.id)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') void rename(p.id);
                    if (e.key === 'Escape') {
                      editing.current = null;
                      setRenaming(null);
                    }
                  }}
                />
              ) : (
                <>
                  <a {...linkProps(`/projects/${p.id}`)}>{p.name}</a>
                  <button
                    className="btn ghost small"
                    title="Rename project"
                    aria-label={`Rename ${p.name}`}
                    onClick={() => {
                      editing.current = p.id;
                      setRenaming(p.id);
                      setDraftName(p.name);
                    }}
                  >
                    ✎
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      </aside>

      {creatingProject && (
        <NewProjectDialog
          onClose={() => setCreatingProject(false)}
          onCreated={async (p) => {
            setCreatingProject(false);
            await loadProjects();
            navigate(`/projects/${p.id}`);
          }}
        />
      )}

      <section className="project-main">
        {error && (
          <div className="alert error" role="alert">
            {error}
          </div>
        )}
        <div className="row between">
          <h1>{current?.name ?? 'Projects'}</h1>
          {current && (
            <PublicPageToggle project={current} onChange={(p) => setProjects((all) => all?.map((x) => (x.id === p.id ? p : x)) ?? null)} />
          )}
          <button
            className="btn primary"
            disabled={!!busy}
            onClick={() => void createPipeline('Untitled pipeline', { schemaVersion: 1, nodes: [], edges: [] }, 'blank')}
          >
            {busy === 'blank' ? 'Creating…' : '+ Blank pipeline'}
          </button>
        </div>

        <h3>Pipelines</h3>
        {pipelines === null ? (
          <Loading label="Loading pipelines…" />
        ) : pipelines.length === 0 ? (
          <div className="empty small">
            <p>
              <strong>No pipelines yet — start from a template</strong> below, or begin with a blank canvas.
            </p>
          </div>
        ) : (
          <ul className="pipeline-grid">
            {pipelines.map((p) => (
              <li key={p.id} className="card pipeline-card">
                <a className="title" {...linkProps(`/pipelines/${p.id}`)}>
                  {p.name}
                </a>
                <span className="muted small">
                  v{p.version} · edited {timeAgo(p.updatedAt)}
                </span>
                <div className="row">
                  <a className="btn small" {...linkProps(`/pipelines/${p.id}`)}>
                    Open
                  </a>
                  <a className="btn small ghost" {...linkProps(`/pipelines/${p.id}/runs`)}>
                    Runs
                  </a>
                  <button className="btn small ghost danger" disabled={!!busy} onClick={() => void removePipeline(p)}>
                    Delete
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}

        <h3>Start from a template</h3>
        {templates.length === 0 ? (
          <p className="muted">No templates available for this server's node catalog.</p>
        ) : (
          <ul className="template-grid">
            {templates.map((t) => (
              <li key={t.id} className="card template-card">
                <strong>{t.name}</strong>
                <p className="muted small">{t.description}</p>
                <p className="chain small">
                  {t.graph.nodes
                    .map((n) => n.type)
                    .filter((v, i, a) => a.indexOf(v) === i)
                    .join(' → ')}
                </p>
                <button className="btn small" disabled={!!busy} onClick={() => void createPipeline(t.name, t.graph, t.id)}>
                  {busy === t.id ? 'Creating…' : 'Use template'}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

/** Names a new project and creates it; refusals (an empty or too long name) show in the dialog. */
function NewProjectDialog({ onClose, onCreated }: { onClose(): void; onCreated(p: Project): void | Promise<void> }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setError('Give the project a name.');
    setBusy(true);
    setError(null);
    try {
      await onCreated(await api<Project>('POST', '/projects', { name: name.trim() }));
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop" onClick={onClose}>
      <form
        className="modal card"
        role="dialog"
        aria-modal="true"
        aria-label="New project"
        noValidate
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => void submit(e)}
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <h2>New project</h2>
        <p className="muted small">A project groups pipelines, their runs and media, with defaults for new nodes.</p>
        <label className="field">
          <span>Name</span>
          <input
            name="project-name"
            autoFocus
            maxLength={120}
            placeholder="e.g. Bedtime stories"
            value={name}
            aria-invalid={error !== null || undefined}
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        {error && (
          <div className="alert error" role="alert">
            {error}
          </div>
        )}
        <div className="row end">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create project'}
          </button>
        </div>
      </form>
    </div>
  );
}

/** Opens or closes the project's read-only public page; closing it kills the link (a new one comes next time). */
function PublicPageToggle({ project, onChange }: { project: Project; onChange(p: Project): void }) {
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setBusy(true);
    try {
      onChange(await api<Project>('PATCH', `/projects/${project.id}`, { isPublic: !project.isPublic }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="row public-toggle">
      {project.publicPath && (
        <a className="small" href={project.publicPath} target="_blank" rel="noreferrer" data-public-link>
          Public page
        </a>
      )}
      <label className="small">
        <input type="checkbox" checked={project.isPublic} disabled={busy} onChange={() => void toggle()} /> Public
      </label>
    </div>
  );
}
