import { useState, type FormEvent } from 'react';
import { api, ApiError, setSession } from '../lib/api';
import { linkProps, navigate } from '../lib/router';

export default function AuthScreen({ mode }: { mode: 'login' | 'signup' }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const signup = mode === 'signup';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setSession(
        await api<{ token: string; refreshToken: string }>('POST', signup ? '/auth/register' : '/auth/login', { email, password }),
      );
      const next = new URLSearchParams(location.search).get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', true);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="auth">
      <form className="card auth-card" onSubmit={submit} aria-label={signup ? 'Sign up' : 'Log in'}>
        <div className="brand big">
          <span className="logo" aria-hidden>
            ◆
          </span>{' '}
          CreativeFlow
        </div>
        <h1>{signup ? 'Create your account' : 'Welcome back'}</h1>
        <p className="muted">{signup ? 'Draw AI content pipelines, run them, keep what they make.' : 'Log in to your studio.'}</p>
        <label className="field">
          <span>Email</span>
          <input
            type="email"
            name="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            autoFocus
          />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autoComplete={signup ? 'new-password' : 'current-password'}
            required
            minLength={signup ? 8 : 1}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {signup && <small className="muted">At least 8 characters.</small>}
        </label>
        {error && (
          <div className="alert error" role="alert">
            {error}
          </div>
        )}
        <button className="btn primary wide" type="submit" disabled={busy}>
          {busy ? 'Please wait…' : signup ? 'Sign up' : 'Log in'}
        </button>
        <p className="muted center">
          {signup ? (
            <>
              Already have an account? <a {...linkProps(`/login${location.search}`)}>Log in</a>
            </>
          ) : (
            <>
              New here? <a {...linkProps(`/signup${location.search}`)}>Create an account</a>
            </>
          )}
        </p>
      </form>
    </div>
  );
}
