/** Apps (AI tools and MCP clients) with a pause switch each, their counts and a link to their memories. */
import { useEffect, useState } from 'preact/hooks';
import { type App, api } from './api.ts';
import { describe, Notice, TableWrap, Time } from './ui.tsx';

/** The apps screen. */
export function Apps() {
  const [apps, setApps] = useState<App[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [newName, setNewName] = useState('');

  useEffect(() => {
    api<{ apps: App[] }>('GET', '/v1/apps')
      .then((r) => setApps(r.apps))
      .catch((e) => setError(describe(e)));
  }, [reload]);

  async function setPaused(name: string, paused: boolean): Promise<void> {
    setError(null);
    // Show the switch in its new position at once; the reload below replaces it with what the server holds.
    setApps((list) => list?.map((a) => (a.name === name ? { ...a, paused } : a)) ?? list);
    try {
      await api('PUT', `/v1/apps/${encodeURIComponent(name)}`, { paused });
      setInfo(`${name} ${paused ? 'paused: its reads and writes are refused' : 'resumed'}.`);
      setReload((n) => n + 1);
    } catch (e) {
      setError(describe(e));
    }
  }

  return (
    <section aria-labelledby="apps-h">
      <h1 id="apps-h">Apps</h1>
      <p class="hint">
        Every AI tool that wrote a memory or made a request. A paused app can neither read nor write; you
        still can.
      </p>
      <Notice error={error} info={info} />
      {apps && apps.length === 0 && <p class="empty">No apps yet.</p>}
      {apps && apps.length > 0 && (
        <TableWrap label="Apps table">
          <table class="apps">
            <caption class="sr-only">Apps</caption>
            <thead>
              <tr>
                <th scope="col">App</th>
                <th scope="col">Paused</th>
                <th scope="col">Memories</th>
                <th scope="col">Reads</th>
                <th scope="col">Writes</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {apps.map((a) => (
                <tr key={a.name} data-app={a.name}>
                  <th scope="row">{a.name}</th>
                  <td>
                    <label class="switch">
                      <input
                        type="checkbox"
                        checked={a.paused}
                        aria-label={`Pause ${a.name}`}
                        onChange={(e) => void setPaused(a.name, e.currentTarget.checked)}
                      />
                      <span>{a.paused ? 'paused' : 'running'}</span>
                    </label>
                  </td>
                  <td>
                    <a href={`#/memories?app=${encodeURIComponent(a.name)}&state=active,paused,archived`}>
                      {a.memories_count} memories
                    </a>
                  </td>
                  <td>
                    <a href={`#/log?app=${encodeURIComponent(a.name)}`}>{a.reads_count}</a>
                  </td>
                  <td>{a.writes_count}</td>
                  <td>
                    <Time at={a.last_seen_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      <form
        class="filters"
        aria-label="Pause an app before it connects"
        onSubmit={(e) => {
          e.preventDefault();
          if (newName.trim()) void setPaused(newName.trim(), true).then(() => setNewName(''));
        }}
      >
        <div class="field">
          <label for="new-app">Pause an app by name</label>
          <input id="new-app" value={newName} onInput={(e) => setNewName(e.currentTarget.value)} />
        </div>
        <div class="field submit">
          <button type="submit">Pause</button>
        </div>
      </form>
    </section>
  );
}
