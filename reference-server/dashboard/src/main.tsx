/** The dashboard shell: log in once (key kept in sessionStorage), then navigate the screens by hash route. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import {
  api,
  forgetKey,
  type Health,
  hasControl,
  setUnauthorizedHandler,
  storedKey,
  storeKey,
} from './api.ts';
import { Apps } from './apps.tsx';
import { Connect } from './connect.tsx';
import { MemoryDetail } from './detail.tsx';
import { AccessLog } from './log.tsx';
import { Memories } from './memories.tsx';
import { Stats } from './stats.tsx';
import { Transfer } from './transfer.tsx';
import { describe, Notice, useHashRoute } from './ui.tsx';

function Login({ onLogin }: { onLogin: (h: Health) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    setError(null);
    try {
      await api('GET', '/v1/me', undefined, key.trim());
      storeKey(key.trim());
      onLogin(await api<Health>('GET', '/v1/health'));
    } catch (err) {
      setError(describe(err));
    }
  }
  return (
    <main id="main" class="login">
      <h1>OMP dashboard</h1>
      <form onSubmit={(e) => void submit(e)} aria-label="Log in">
        <label for="key">API key</label>
        <input
          id="key"
          name="key"
          type="password"
          autocomplete="current-password"
          required
          value={key}
          onInput={(e) => setKey(e.currentTarget.value)}
        />
        <p class="hint">Kept in this tab only (session storage) and sent to this server alone.</p>
        <button type="submit" class="primary">
          Log in
        </button>
      </form>
      <Notice error={error} />
    </main>
  );
}

const SCREENS: { path: string; label: string; control?: boolean }[] = [
  { path: '/memories', label: 'Memories' },
  { path: '/apps', label: 'Apps', control: true },
  { path: '/log', label: 'Access log', control: true },
  { path: '/stats', label: 'Stats', control: true },
  { path: '/transfer', label: 'Import / export' },
  { path: '/connect', label: 'Connect' },
];

function Screen({ health }: { health: Health }) {
  const { path, params } = useHashRoute();
  if (path.startsWith('/memory/'))
    return <MemoryDetail id={decodeURIComponent(path.slice(8))} health={health} />;
  switch (path) {
    case '/apps':
      return <Apps />;
    case '/log':
      return <AccessLog params={params} />;
    case '/stats':
      return <Stats />;
    case '/transfer':
      return <Transfer />;
    case '/connect':
      return <Connect />;
    default:
      // A new key set re-mounts the screen so its filters start from the link's query.
      return <Memories key={params.toString()} health={health} params={params} />;
  }
}

function Shell() {
  const [health, setHealth] = useState<Health | null>(null);
  const [checking, setChecking] = useState(storedKey() !== null);
  const { path } = useHashRoute();

  useEffect(() => {
    setUnauthorizedHandler(() => {
      forgetKey();
      setHealth(null);
    });
    if (!storedKey()) return;
    api<Health>('GET', '/v1/health')
      .then(setHealth)
      .catch(() => forgetKey())
      .finally(() => setChecking(false));
  }, []);

  if (checking && !health) return <p role="status">Loading…</p>;
  if (!health) return <Login onLogin={setHealth} />;
  const control = hasControl(health);
  return (
    <>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header>
        <span class="brand">OMP</span>
        <nav aria-label="Screens">
          <ul>
            {SCREENS.filter((s) => !s.control || control).map((s) => (
              <li key={s.path}>
                <a href={`#${s.path}`} aria-current={path === s.path ? 'page' : undefined}>
                  {s.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button
          type="button"
          class="logout"
          onClick={() => {
            forgetKey();
            setHealth(null);
          }}
        >
          Log out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {!control && (
          <p class="notice" role="note">
            This server does not offer the control profile: states, apps, the access log and stats are hidden.
          </p>
        )}
        <Screen health={health} />
      </main>
      <footer>
        {health.server?.name ?? 'OMP server'} {health.server?.version ?? ''} · OMP {health.version}
      </footer>
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<Shell />, root);
