import { useEffect, useState } from 'react';
import { api, ApiError, type PublicProject } from '../lib/api';

/** The read-only public page of a project (`/p/<token>`): its name and the media it published. */
export default function PublicProjectScreen({ token }: { token: string }) {
  const [page, setPage] = useState<PublicProject | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<PublicProject>('GET', `/public/projects/${encodeURIComponent(token)}`).then(setPage, (err) =>
      setError(err instanceof ApiError && err.status === 404 ? 'This page does not exist (any more).' : String(err.message ?? err)),
    );
  }, [token]);

  if (error) {
    return (
      <div className="page">
        <div className="empty">
          <h2>Nothing here</h2>
          <p>{error}</p>
        </div>
      </div>
    );
  }
  if (!page) return null;
  return (
    <div className="page public-project">
      <h1>{page.project.name}</h1>
      {page.project.description && <p className="muted">{page.project.description}</p>}
      {page.media.length === 0 && <p className="muted">Nothing published yet.</p>}
      <div className="public-media">
        {page.media.map((m) => (
          <figure key={m.id} className="card media-tile" data-media-id={m.id}>
            {m.kind === 'image' ? (
              <img src={m.url} alt="" loading="lazy" />
            ) : m.kind === 'audio' ? (
              <audio src={m.url} controls preload="none" />
            ) : (
              <a href={m.url} target="_blank" rel="noreferrer">
                {m.mimeType.split(';')[0]}
              </a>
            )}
          </figure>
        ))}
      </div>
    </div>
  );
}
