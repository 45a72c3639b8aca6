import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { getToken, logout, signedInBefore } from './lib/api';
import { linkProps, matchRoute, navigate, usePath, useSearchParam } from './lib/router';
import { currentTheme, setTheme, type Theme } from './lib/theme';
import { Loading } from './ui/Loading';

const AuthScreen = lazy(() => import('./screens/AuthScreen'));
const ProjectsScreen = lazy(() => import('./screens/ProjectsScreen'));
const EditorScreen = lazy(() => import('./screens/EditorScreen'));
const VersionScreen = lazy(() => import('./screens/VersionScreen'));
const RunScreen = lazy(() => import('./screens/RunScreen'));
const BatchScreen = lazy(() => import('./screens/BatchScreen'));
const HistoryScreen = lazy(() => import('./screens/HistoryScreen'));
const RunsScreen = lazy(() => import('./screens/RunsScreen'));
const CompareScreen = lazy(() => import('./screens/CompareScreen'));
const MediaScreen = lazy(() => import('./screens/MediaScreen'));
const SettingsScreen = lazy(() => import('./screens/SettingsScreen'));
const SchedulesScreen = lazy(() => import('./screens/SchedulesScreen'));
const PublicProjectScreen = lazy(() => import('./screens/PublicProjectScreen'));

function useToken(): string | null {
  const [token, set] = useState(getToken);
  useEffect(() => {
    const update = () => set(getToken());
    window.addEventListener('cf-auth', update);
    window.addEventListener('storage', update);
    return () => {
      window.removeEventListener('cf-auth', update);
      window.removeEventListener('storage', update);
    };
  }, []);
  return token;
}

function ThemeToggle() {
  const [theme, set] = useState<Theme>(currentTheme);
  useEffect(() => {
    const update = () => set(currentTheme());
    window.addEventListener('cf-theme', update);
    return () => window.removeEventListener('cf-theme', update);
  }, []);
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      className="btn ghost icon"
      title={`Switch to ${next} theme`}
      aria-label={`Switch to ${next} theme`}
      onClick={() => setTheme(next)}
    >
      {theme === 'dark' ? '☀' : '☾'}
    </button>
  );
}

function Shell({ children, active }: { children: ReactNode; active: string }) {
  return (
    <div className="shell">
      <header className="topbar">
        <a className="brand" {...linkProps('/')}>
          <span className="logo" aria-hidden>
            ◆
          </span>{' '}
          CreativeFlow
        </a>
        <nav className="mainnav">
          <a className={active === 'projects' ? 'active' : ''} {...linkProps('/')}>
            Projects
          </a>
          <a className={active === 'runs' ? 'active' : ''} {...linkProps('/runs')}>
            Runs
          </a>
          <a className={active === 'media' ? 'active' : ''} {...linkProps('/media')}>
            Media
          </a>
          <a className={active === 'schedules' ? 'active' : ''} {...linkProps('/schedules')}>
            Schedules
          </a>
          <a className={active === 'settings' ? 'active' : ''} {...linkProps('/settings')}>
            Settings
          </a>
        </nav>
        <div className="spacer" />
        <ThemeToggle />
        <button
          className="btn ghost"
          onClick={() => {
            void logout();
            navigate('/login');
          }}
        >
          Log out
        </button>
      </header>
      <main className="content">{children}</main>
    </div>
  );
}

export function App() {
  const path = usePath();
  const token = useToken();
  const version = useSearchParam('version');
  const route = matchRoute(path);

  useEffect(() => {
    if (!token && route.screen !== 'login' && route.screen !== 'signup' && route.screen !== 'public') {
      const next = path === '/' ? '' : `?next=${encodeURIComponent(path)}`;
      navigate(`${signedInBefore() ? '/login' : '/signup'}${next}`, true);
    }
  }, [token, route.screen, path]);

  // A public project page needs no account and shows nothing of the studio around it.
  if (route.screen === 'public') {
    return (
      <Suspense fallback={<Loading />}>
        <PublicProjectScreen token={route.token} />
      </Suspense>
    );
  }

  if (route.screen === 'login' || route.screen === 'signup' || !token) {
    return (
      <Suspense fallback={<Loading />}>
        <AuthScreen mode={route.screen === 'signup' || (route.screen !== 'login' && !signedInBefore()) ? 'signup' : 'login'} />
      </Suspense>
    );
  }

  let screen: ReactNode;
  let active = 'projects';
  switch (route.screen) {
    case 'projects':
      screen = <ProjectsScreen projectId={route.projectId} />;
      break;
    case 'editor':
      // ?version=N: that version, read-only.
      screen = version ? (
        <VersionScreen key={`${route.pipelineId}@${version}`} pipelineId={route.pipelineId} version={version} />
      ) : (
        <EditorScreen key={route.pipelineId} pipelineId={route.pipelineId} />
      );
      break;
    case 'history':
      screen = <HistoryScreen pipelineId={route.pipelineId} />;
      break;
    case 'run':
      screen = <RunScreen key={route.runId} runId={route.runId} />;
      break;
    case 'batch':
      screen = <BatchScreen key={route.batchId} batchId={route.batchId} />;
      break;
    case 'runs':
      active = 'runs';
      screen = <RunsScreen />;
      break;
    case 'compare':
      active = 'runs';
      screen = <CompareScreen />;
      break;
    case 'media':
      active = 'media';
      screen = <MediaScreen />;
      break;
    case 'schedules':
      active = 'schedules';
      screen = <SchedulesScreen />;
      break;
    case 'settings':
      active = 'settings';
      screen = <SettingsScreen />;
      break;
    default:
      screen = (
        <div className="page">
          <div className="empty">
            <h2>Nothing here</h2>
            <p>This page does not exist.</p>
            <a className="btn primary" {...linkProps('/')}>
              Go to projects
            </a>
          </div>
        </div>
      );
  }
  return (
    <Shell active={active}>
      <Suspense fallback={<Loading />}>{screen}</Suspense>
    </Shell>
  );
}
