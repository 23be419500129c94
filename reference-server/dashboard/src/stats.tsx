/** Counts by state, type, app and category. */
import { useEffect, useState } from 'preact/hooks';
import { api, type Stats as StatsBody } from './api.ts';
import { describe, Notice } from './ui.tsx';

function Counts({ title, rows }: { title: string; rows: [string, number][] }) {
  const id = `stats-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <div class="card">
      <h2 id={id}>{title}</h2>
      {rows.length === 0 ? (
        <p class="empty">None.</p>
      ) : (
        <table aria-labelledby={id}>
          <tbody>
            {rows.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td class="num">{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** The stats screen. */
export function Stats() {
  const [s, setS] = useState<StatsBody | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<StatsBody>('GET', '/v1/stats')
      .then(setS)
      .catch((e) => setError(describe(e)));
  }, []);
  return (
    <section aria-labelledby="stats-h">
      <h1 id="stats-h">Stats</h1>
      <Notice error={error} />
      {s && (
        <>
          <p class="big">
            <strong>{s.total}</strong> memories · <strong>{s.apps_count}</strong> apps
          </p>
          <div class="cards">
            <Counts title="By state" rows={Object.entries(s.by_state)} />
            <Counts title="By type" rows={Object.entries(s.by_type)} />
            <Counts title="By app" rows={s.by_app.map((a) => [a.app, a.count])} />
            <Counts title="By category" rows={s.by_category.map((c) => [c.category, c.count])} />
          </div>
        </>
      )}
    </section>
  );
}
