/** The one-line MCP configuration for each client, pointing at this server's own URL. */
import { useState } from 'preact/hooks';
import { storedKey } from './api.ts';

interface Client {
  name: string;
  file: string;
  config: (origin: string, key: string) => unknown;
}

/** The stdio adapter (omp-mcp) for clients whose config cannot send headers; the same as adapters/mcp/README. */
const stdio =
  (tool: string, extra: Record<string, unknown> = {}) =>
  (origin: string, key: string) => ({
    mcpServers: {
      omp: {
        command: 'npx',
        args: ['-y', 'omp-mcp'],
        env: { OMP_SERVER: origin, OMP_API_KEY: key, OMP_TOOL: tool },
        ...extra,
      },
    },
  });

const CLIENTS: Client[] = [
  { name: 'Claude Desktop', file: 'claude_desktop_config.json', config: stdio('claude-desktop') },
  {
    name: 'Cursor',
    file: '~/.cursor/mcp.json',
    config: (origin, key) => ({
      mcpServers: { omp: { url: `${origin}/mcp`, headers: { Authorization: `Bearer ${key}` } } },
    }),
  },
  { name: 'Windsurf', file: '~/.codeium/windsurf/mcp_config.json', config: stdio('windsurf') },
  {
    name: 'Cline',
    file: 'cline_mcp_settings.json',
    config: stdio('cline', { disabled: false, autoApprove: [] }),
  },
];

/** The connect screen. */
export function Connect() {
  const [withKey, setWithKey] = useState(false);
  const [copied, setCopied] = useState<string | null>(null);
  const origin = location.origin;
  const key = withKey ? (storedKey() ?? 'your-key') : 'your-key';
  return (
    <section aria-labelledby="connect-h">
      <h1 id="connect-h">Connect an AI tool</h1>
      <p>
        Paste one line into the client's MCP configuration. This server answers at <code>{origin}</code>; MCP
        over HTTP is at <code>{origin}/mcp</code>.
      </p>
      <label class="check">
        <input type="checkbox" checked={withKey} onChange={(e) => setWithKey(e.currentTarget.checked)} />
        <span>
          Put my key in the lines (otherwise replace <code>your-key</code>)
        </span>
      </label>
      <p class="hint">
        Coming from OpenMemory? Its URLs <code>/mcp/&lt;client&gt;/sse/&lt;user&gt;</code> and{' '}
        <code>/mcp/&lt;client&gt;/http/&lt;user&gt;</code> work here too, with your key in an Authorization
        header.
      </p>
      {CLIENTS.map((c) => {
        const line = JSON.stringify(c.config(origin, key));
        const id = `cfg-${c.name.toLowerCase().replace(/\W+/g, '-')}`;
        return (
          <div class="card config" key={c.name}>
            <h2 id={`${id}-h`}>{c.name}</h2>
            <p class="hint">
              In <code>{c.file}</code>:
            </p>
            <pre id={id}>
              <code>{line}</code>
            </pre>
            <button
              type="button"
              onClick={() =>
                void navigator.clipboard
                  ?.writeText(line)
                  .then(() => setCopied(c.name))
                  .catch(() => setCopied(null))
              }
            >
              Copy {c.name} config
            </button>
            {copied === c.name && <span role="status"> Copied.</span>}
          </div>
        );
      })}
    </section>
  );
}
