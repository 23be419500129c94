/** The access log: who read or wrote which memory, and when, with filters and cursor paging. */
import { useEffect, useState } from 'preact/hooks';
import { api, type LogEntry, type LogPage, query } from './api.ts';
import { describe, Notice, TableWrap, Time } from './ui.tsx';

const OPERATIONS = [
  'create',
  'get',
  'update',
  'delete',
  'list',
  'search',
  'export',
  'import',
  'bulk_delete',
  'state_change',
];

/** A table of access-log entries. */
export function AccessLogTable({ entries, labelledBy }: { entries: LogEntry[]; labelledBy: string }) {
  if (entries.length === 0) return <p class="empty">No entries.</p>;
  return (
    <TableWrap label="Access log table">
      <table class="access-log" aria-labelledby={labelledBy}>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Operation</th>
            <th scope="col">App</th>
            <th scope="col">Via</th>
            <th scope="col">Memories</th>
            <th scope="col">Request</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <tr key={e.id}>
              <td>
                <Time at={e.at} />
              </td>
              <td>{e.operation}</td>
              <td>{e.app ?? 'you'}</td>
              <td>{e.via}</td>
              <td>
                {e.memory_ids.slice(0, 3).map((id) => (
                  <a key={id} class="id" href={`#/memory/${encodeURIComponent(id)}`}>
                    {id}
                  </a>
                ))}
                {e.memory_ids.length > 3 && ` +${e.memory_ids.length - 3}`}
              </td>
              <td class="id">{e.request_id}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

/** The access-log screen. */
export function AccessLog({ params }: { params: URLSearchParams }) {
  const [app, setApp] = useState(params.get('app') ?? '');
  const [operation, setOperation] = useState('');
  const [applied, setApplied] = useState({ app: params.get('app') ?? '', operation: '' });
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [page, setPage] = useState<LogPage | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setError(null);
    const cursor = cursors[cursors.length - 1] ?? null;
    api<LogPage>('GET', `/v1/access-log${query({ ...applied, limit: 50, cursor })}`)
      .then(setPage)
      .catch((e) => setError(describe(e)));
  }, [applied, cursors]);

  return (
    <section aria-labelledby="log-h">
      <h1 id="log-h">Access log</h1>
      <form
        class="filters"
        aria-label="Access log filters"
        onSubmit={(e) => {
          e.preventDefault();
          setCursors([null]);
          setApplied({ app, operation });
        }}
      >
        <div class="field">
          <label for="log-app">App</label>
          <input id="log-app" value={app} onInput={(e) => setApp(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="log-op">Operation</label>
          <select id="log-op" value={operation} onChange={(e) => setOperation(e.currentTarget.value)}>
            <option value="">any</option>
            {OPERATIONS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </div>
        <div class="field submit">
          <button type="submit" class="primary">
            Apply
          </button>
        </div>
      </form>
      <Notice error={error} />
      {page && <AccessLogTable entries={page.entries} labelledBy="log-h" />}
      <nav class="pager" aria-label="Access log pages">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button
          type="button"
          disabled={!page?.next_cursor}
          onClick={() => page?.next_cursor && setCursors([...cursors, page.next_cursor])}
        >
          Older
        </button>
      </nav>
    </section>
  );
}
