/** The memories table: search in every mode the server runs, filters, cursor paging and bulk actions. */
import { useEffect, useState } from 'preact/hooks';
import {
  type App,
  api,
  type Health,
  hasControl,
  type ListPage,
  type Memory,
  query,
  type SearchPage,
  type Stats,
  searchModes,
} from './api.ts';
import { Confirm, describe, Notice, StateBadge, TableWrap, Time } from './ui.tsx';

const PAGE = 20;
const TYPES = ['semantic', 'episodic', 'procedural'];
const STATES = ['active', 'paused', 'archived'];

interface Filters {
  q: string;
  mode: string;
  type: string;
  tags: string;
  app: string;
  states: string[];
  category: string;
  from: string;
  to: string;
}

/** Filters from the route's query (so that "this app's memories" is a link). */
function initialFilters(params: URLSearchParams): Filters {
  return {
    q: params.get('q') ?? '',
    mode: params.get('mode') ?? 'keyword',
    type: params.get('type') ?? '',
    tags: params.get('tags') ?? '',
    app: params.get('app') ?? '',
    states: params.get('state')?.split(',').filter(Boolean) ?? [],
    category: params.get('category') ?? '',
    from: '',
    to: '',
  };
}

type BulkAction = 'archived' | 'paused' | 'active' | 'delete';

/** The memories screen. */
export function Memories({ health, params }: { health: Health; params: URLSearchParams }) {
  const control = hasControl(health);
  const modes = searchModes(health);
  const [draft, setDraft] = useState<Filters>(() => initialFilters(params));
  const [applied, setApplied] = useState<Filters>(draft);
  // Paging: cursors of the pages before this one (list), or the offset (search, which pages by offset).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [offset, setOffset] = useState(0);
  const [rows, setRows] = useState<Memory[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [modeUsed, setModeUsed] = useState<string | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [pending, setPending] = useState<BulkAction | null>(null);
  const [apps, setApps] = useState<string[]>([]);
  const [categories, setCategories] = useState<string[]>([]);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    if (!control) return;
    api<{ apps: App[] }>('GET', '/v1/apps')
      .then((r) => setApps(r.apps.map((a) => a.name)))
      .catch(() => setApps([]));
    api<Stats>('GET', '/v1/stats')
      .then((s) => setCategories(s.by_category.map((c) => c.category)))
      .catch(() => setCategories([]));
  }, [control, reload]);

  useEffect(() => {
    const f = applied;
    const tags = f.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    if (f.category) tags.push(`category:${f.category}`);
    const common = {
      type: f.type,
      tool: f.app,
      tags,
      state: control ? f.states : [],
      limit: PAGE,
    };
    setLoading(true);
    setError(null);
    const cursor = cursors[cursors.length - 1] ?? null;
    const request = f.q.trim()
      ? api<SearchPage>(
          'GET',
          `/v1/memories/search${query({ q: f.q, mode: f.mode, ...common, offset })}`,
        ).then((p) => {
          setModeUsed(p.mode_used);
          setNext(p.offset + p.memories.length < p.total ? 'offset' : null);
          return p;
        })
      : api<ListPage>('GET', `/v1/memories${query({ ...common, sort: 'created_at_desc', cursor })}`).then(
          (p) => {
            setModeUsed(null);
            setNext(p.next_cursor);
            return p;
          },
        );
    request
      .then((p) => {
        setRows(p.memories);
        setTotal(p.total);
        setSelected(new Set());
      })
      .catch((e) => setError(describe(e)))
      .finally(() => setLoading(false));
  }, [applied, cursors, offset, reload, control]);

  // The API has no time filter on list or search: the created-between filter narrows the page shown.
  const shown = rows.filter((m) => {
    if (applied.from && m.created_at < new Date(applied.from).toISOString()) return false;
    if (applied.to && m.created_at >= new Date(applied.to).toISOString()) return false;
    return true;
  });

  function apply(e: Event): void {
    e.preventDefault();
    setCursors([null]);
    setOffset(0);
    setInfo(null);
    setApplied({ ...draft });
  }

  function set<K extends keyof Filters>(k: K, v: Filters[K]): void {
    setDraft((d) => ({ ...d, [k]: v }));
  }

  async function runBulk(action: BulkAction): Promise<void> {
    const ids = [...selected];
    setPending(null);
    setError(null);
    try {
      if (action === 'delete') {
        const r = await api<{ deleted: number }>('POST', '/v1/memories/bulk-delete', { filter: { ids } });
        setInfo(`Deleted ${r.deleted} memor${r.deleted === 1 ? 'y' : 'ies'}.`);
      } else {
        const r = await api<{ changed: number; unchanged: number }>('POST', '/v1/memories/bulk-state', {
          ids,
          state: action,
          reason: 'dashboard bulk action',
        });
        setInfo(`${r.changed} changed to ${action}, ${r.unchanged} already ${action}.`);
      }
      setReload((n) => n + 1);
    } catch (e) {
      setError(describe(e));
    }
  }

  const allOnPage = shown.length > 0 && shown.every((m) => selected.has(m.id));
  const searching = applied.q.trim() !== '';
  const pageNo = searching ? offset / PAGE + 1 : cursors.length;

  return (
    <section aria-labelledby="memories-h">
      <h1 id="memories-h">Memories</h1>
      <form class="filters" onSubmit={apply} aria-label="Search and filters">
        <div class="field wide">
          <label for="f-q">Search</label>
          <input
            id="f-q"
            type="search"
            value={draft.q}
            onInput={(e) => set('q', e.currentTarget.value)}
            placeholder="Words to look for"
          />
        </div>
        <div class="field">
          <label for="f-mode">Mode</label>
          <select id="f-mode" value={draft.mode} onChange={(e) => set('mode', e.currentTarget.value)}>
            {modes.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-type">Type</label>
          <select id="f-type" value={draft.type} onChange={(e) => set('type', e.currentTarget.value)}>
            <option value="">any</option>
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-tags">Tags (comma-separated)</label>
          <input id="f-tags" value={draft.tags} onInput={(e) => set('tags', e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="f-app">App</label>
          <input
            id="f-app"
            list="app-names"
            value={draft.app}
            onInput={(e) => set('app', e.currentTarget.value)}
          />
          <datalist id="app-names">
            {apps.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </div>
        {control && (
          <div class="field">
            <label for="f-category">Category</label>
            <select
              id="f-category"
              value={draft.category}
              onChange={(e) => set('category', e.currentTarget.value)}
            >
              <option value="">any</option>
              {categories.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </div>
        )}
        {control && (
          <fieldset class="field states">
            <legend>State (none: active only)</legend>
            {STATES.map((s) => (
              <label key={s} class="check">
                <input
                  type="checkbox"
                  name="state"
                  value={s}
                  checked={draft.states.includes(s)}
                  onChange={(e) =>
                    set(
                      'states',
                      e.currentTarget.checked ? [...draft.states, s] : draft.states.filter((x) => x !== s),
                    )
                  }
                />
                {s}
              </label>
            ))}
          </fieldset>
        )}
        <div class="field">
          <label for="f-from">Created from</label>
          <input
            id="f-from"
            type="datetime-local"
            value={draft.from}
            onInput={(e) => set('from', e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="f-to">Created before</label>
          <input
            id="f-to"
            type="datetime-local"
            value={draft.to}
            onInput={(e) => set('to', e.currentTarget.value)}
          />
        </div>
        <div class="field submit">
          <button type="submit" class="primary">
            Apply
          </button>
        </div>
      </form>

      <Notice error={error} info={info} />
      <p class="summary" aria-live="polite">
        {loading
          ? 'Loading…'
          : `${total ?? 0} ${searching ? `found (${modeUsed ?? applied.mode})` : 'memories'} · page ${pageNo}`}
        {(applied.from || applied.to) && ` · ${shown.length} on this page in the time range`}
      </p>

      <fieldset class="bulk">
        <legend class="sr-only">Bulk actions on selected memories</legend>
        <span>{selected.size} selected</span>
        {control && (
          <>
            <button type="button" disabled={selected.size === 0} onClick={() => setPending('archived')}>
              Archive
            </button>
            <button type="button" disabled={selected.size === 0} onClick={() => setPending('paused')}>
              Pause
            </button>
            <button type="button" disabled={selected.size === 0} onClick={() => setPending('active')}>
              Activate
            </button>
          </>
        )}
        <button
          type="button"
          class="danger"
          disabled={selected.size === 0}
          onClick={() => setPending('delete')}
        >
          Delete
        </button>
      </fieldset>

      <TableWrap label="Memories table">
        <table class="memories">
          <caption class="sr-only">Memories, newest first</caption>
          <thead>
            <tr>
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Select every memory on this page"
                  checked={allOnPage}
                  onChange={(e) =>
                    setSelected(e.currentTarget.checked ? new Set(shown.map((m) => m.id)) : new Set())
                  }
                />
              </th>
              <th scope="col">Content</th>
              <th scope="col">Type</th>
              <th scope="col">App</th>
              <th scope="col">Tags</th>
              {control && <th scope="col">State</th>}
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((m) => (
              <tr key={m.id} data-id={m.id}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select memory ${m.id}`}
                    checked={selected.has(m.id)}
                    onChange={(e) => {
                      const s = new Set(selected);
                      if (e.currentTarget.checked) s.add(m.id);
                      else s.delete(m.id);
                      setSelected(s);
                    }}
                  />
                </td>
                <td class="content">
                  <a href={`#/memory/${encodeURIComponent(m.id)}`}>{m.content}</a>
                </td>
                <td>{m.type}</td>
                <td>{m.source?.tool ?? '—'}</td>
                <td>{m.tags.join(', ')}</td>
                {control && (
                  <td>
                    <StateBadge state={m.state} />
                  </td>
                )}
                <td>
                  <Time at={m.created_at} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {!loading && shown.length === 0 && <p class="empty">No memories match.</p>}
      </TableWrap>

      <nav class="pager" aria-label="Pages">
        <button
          type="button"
          disabled={searching ? offset === 0 : cursors.length <= 1}
          onClick={() =>
            searching ? setOffset(Math.max(0, offset - PAGE)) : setCursors(cursors.slice(0, -1))
          }
        >
          Previous page
        </button>
        <button
          type="button"
          disabled={!next}
          onClick={() => (searching ? setOffset(offset + PAGE) : setCursors([...cursors, next]))}
        >
          Next page
        </button>
      </nav>

      <Confirm
        open={pending !== null}
        title={pending === 'delete' ? 'Delete memories?' : `Set memories to ${pending ?? ''}?`}
        confirmLabel={pending === 'delete' ? 'Delete for good' : `Set ${selected.size} to ${pending ?? ''}`}
        danger={pending === 'delete'}
        onCancel={() => setPending(null)}
        onConfirm={() => pending && void runBulk(pending)}
      >
        <p>
          {pending === 'delete'
            ? `${selected.size} selected memories will be erased. This cannot be undone.`
            : `${selected.size} selected memories will be ${pending}. ${
                pending === 'active' ? '' : 'They stay stored but leave search and lists.'
              }`}
        </p>
      </Confirm>
    </section>
  );
}
