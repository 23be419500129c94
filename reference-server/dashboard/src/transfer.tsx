/** Export every memory to a file, and import an OMP export file. */
import { useState } from 'preact/hooks';
import { api } from './api.ts';
import { describe, Notice } from './ui.tsx';

/** The import/export screen. */
export function Transfer() {
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [conflict, setConflict] = useState('skip');
  const [busy, setBusy] = useState(false);

  async function exportAll(): Promise<void> {
    setError(null);
    setBusy(true);
    try {
      const body = await api<{ memories: unknown[] }>('GET', '/v1/export');
      const blob = new Blob([JSON.stringify(body, null, 2)], { type: 'application/vnd.omp.export+json' });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `omp-export-${new Date().toISOString().slice(0, 10)}.json`;
      a.click();
      URL.revokeObjectURL(a.href);
      setInfo(`Exported ${body.memories.length} memories.`);
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  async function importFile(e: Event): Promise<void> {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setBusy(true);
    try {
      const text = await file.text();
      const r = await api<{ imported: number; skipped: number; errors: unknown[] }>(
        'POST',
        `/v1/import?conflict=${encodeURIComponent(conflict)}`,
        text,
      );
      setInfo(`Imported ${r.imported}, skipped ${r.skipped}, ${r.errors.length} errors.`);
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="transfer-h">
      <h1 id="transfer-h">Import and export</h1>
      <Notice error={error} info={info} />
      <h2>Export</h2>
      <p>Download every memory, in every state, as an OMP export file.</p>
      <button type="button" class="primary" disabled={busy} onClick={() => void exportAll()}>
        Export all memories
      </button>
      <h2>Import</h2>
      <form onSubmit={(e) => void importFile(e)} class="filters" aria-label="Import a file">
        <div class="field wide">
          <label for="import-file">OMP export file (.json)</label>
          <input
            id="import-file"
            type="file"
            accept=".json,application/json"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </div>
        <div class="field">
          <label for="import-conflict">When an id exists</label>
          <select id="import-conflict" value={conflict} onChange={(e) => setConflict(e.currentTarget.value)}>
            <option value="skip">skip it</option>
            <option value="overwrite">overwrite it</option>
            <option value="duplicate">import a copy with a new id</option>
          </select>
        </div>
        <div class="field submit">
          <button type="submit" disabled={!file || busy}>
            Import
          </button>
        </div>
      </form>
      <p class="hint">
        Moving from OpenMemory? Convert its backup zip first:{' '}
        <code>omp-import --from openmemory file.zip</code>.
      </p>
    </section>
  );
}
