/** One memory: its content and fields, state buttons, the history of its states and its access log. */
import { useEffect, useState } from 'preact/hooks';
import { api, type Health, type HistoryEntry, hasControl, type LogPage, type Memory } from './api.ts';
import { AccessLogTable } from './log.tsx';
import { Confirm, describe, Notice, StateBadge, TableWrap, Time } from './ui.tsx';

/** The memory detail screen. */
export function MemoryDetail({ id, health }: { id: string; health: Health }) {
  const control = hasControl(health);
  const [memory, setMemory] = useState<Memory | null>(null);
  const [history, setHistory] = useState<HistoryEntry[]>([]);
  const [log, setLog] = useState<LogPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [reload, setReload] = useState(0);
  const path = `/v1/memories/${encodeURIComponent(id)}`;

  useEffect(() => {
    setError(null);
    api<Memory>('GET', path)
      .then(setMemory)
      .catch((e) => setError(describe(e)));
    if (!control) return;
    api<{ entries: HistoryEntry[] }>('GET', `${path}/history`)
      .then((h) => setHistory(h.entries))
      .catch((e) => setError(describe(e)));
    api<LogPage>('GET', `/v1/access-log?memory_id=${encodeURIComponent(id)}&limit=50`)
      .then(setLog)
      .catch((e) => setError(describe(e)));
  }, [id, reload, control]);

  async function setState(state: string): Promise<void> {
    try {
      await api('POST', `${path}/state`, { state, reason: 'changed in the dashboard' });
      setInfo(`State set to ${state}.`);
      setReload((n) => n + 1);
    } catch (e) {
      setError(describe(e));
    }
  }

  async function remove(): Promise<void> {
    setConfirmDelete(false);
    try {
      await api('DELETE', path);
      location.hash = '#/memories';
    } catch (e) {
      setError(describe(e));
    }
  }

  return (
    <section aria-labelledby="detail-h">
      <p>
        <a href="#/memories">← All memories</a>
      </p>
      <h1 id="detail-h">Memory {id}</h1>
      <Notice error={error} info={info} />
      {memory && (
        <>
          <blockquote class="memory-content">{memory.content}</blockquote>
          <dl class="facts">
            <dt>Type</dt>
            <dd>{memory.type}</dd>
            <dt>App</dt>
            <dd>{memory.source?.tool ?? '—'}</dd>
            <dt>Tags</dt>
            <dd>{memory.tags.join(', ') || '—'}</dd>
            <dt>Namespace</dt>
            <dd>{memory.namespace ?? '—'}</dd>
            {control && (
              <>
                <dt>State</dt>
                <dd>
                  <StateBadge state={memory.state} />
                </dd>
              </>
            )}
            <dt>Created</dt>
            <dd>
              <Time at={memory.created_at} />
            </dd>
            <dt>Updated</dt>
            <dd>
              <Time at={memory.updated_at} />
            </dd>
          </dl>
          <fieldset class="actions">
            <legend class="sr-only">Change this memory</legend>
            {control &&
              ['active', 'paused', 'archived'].map((s) => (
                <button
                  key={s}
                  type="button"
                  disabled={(memory.state ?? 'active') === s}
                  onClick={() => void setState(s)}
                >
                  {s === 'active' ? 'Activate' : s === 'paused' ? 'Pause' : 'Archive'}
                </button>
              ))}
            <button type="button" class="danger" onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          </fieldset>
        </>
      )}
      {control && (
        <>
          <h2>State history</h2>
          {history.length === 0 ? (
            <p class="empty">No state changes yet.</p>
          ) : (
            <TableWrap label="State history table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">From</th>
                    <th scope="col">To</th>
                    <th scope="col">App</th>
                    <th scope="col">By</th>
                    <th scope="col">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {history.map((h) => (
                    <tr key={h.at + h.to}>
                      <td>
                        <Time at={h.at} />
                      </td>
                      <td>{h.from}</td>
                      <td>{h.to}</td>
                      <td>{h.app ?? 'you'}</td>
                      <td>{h.principal}</td>
                      <td>{h.reason ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )}
          <h2 id="detail-log-h">Access log</h2>
          {log && <AccessLogTable entries={log.entries} labelledBy="detail-log-h" />}
        </>
      )}
      <Confirm
        open={confirmDelete}
        title="Delete this memory?"
        confirmLabel="Delete for good"
        danger
        onCancel={() => setConfirmDelete(false)}
        onConfirm={() => void remove()}
      >
        <p>The memory and its history are erased. This cannot be undone.</p>
      </Confirm>
    </section>
  );
}
