/**
 * One self-contained HTML file: verdict per level, a compliance matrix (area × level), every check, and for each
 * problem the redacted request/response and a curl line. No external assets; a few lines of inline JS filter rows.
 */

import type { Report } from '../core/report.ts';
import type { CheckResult } from '../core/types.ts';
import type { Exchange } from '../http/client.ts';
import {
  cellStatus,
  certifiedAgainst,
  draftLine,
  draftSplit,
  esc,
  groupByRequirement,
  matrix,
  mcpEndpoint,
  rootCauseLines,
  stamp,
  statusLabel,
  verdictLabel,
} from './common.ts';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{padding:16px 24px;background:#263238;color:#fff}header h1{margin:0 0 4px;font-size:20px}
main{padding:16px 24px;max-width:1200px}
table{border-collapse:collapse;margin:8px 0 16px;background:#fff}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eceff1}.pass{background:#e8f5e9}.fail{background:#ffebee}.warn{background:#fff8e1}.error{background:#f3e5f5}.blocked{background:#fff3e0}.skip{background:#f5f5f5;color:#666}.none{background:#fff}
.conformant{color:#2e7d32;font-weight:600}.not_conformant{color:#c62828;font-weight:600}.incomplete{color:#b26a00;font-weight:600}.not_declared,.not_requested{color:#666}
pre{background:#263238;color:#eceff1;padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-all;font-size:12px;max-height:320px}
details{margin:4px 0}summary{cursor:pointer}.muted{color:#666}.filters button{margin-right:4px}
code{font-size:12px}
`;

const JS = `
document.querySelectorAll('.filters button').forEach(b=>b.addEventListener('click',()=>{
  const s=b.dataset.s;document.querySelectorAll('tr.check').forEach(r=>{r.style.display=(s==='all'||r.classList.contains(s))?'':'none'});
}));
`;

function exchangeBlock(e: Exchange): string {
  const reqHead = Object.entries(e.requestHeaders)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  const resHead = Object.entries(e.responseHeaders)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
  const req = `${e.method} ${e.url}\n${reqHead}${e.requestBody !== null ? `\n\n${e.requestBody}` : ''}`;
  const res = e.transportError
    ? `(no response: ${e.transportError})`
    : `HTTP ${e.status}\n${resHead}${e.responseBody ? `\n\n${e.responseBody}` : ''}`;
  return `<div><b>Request</b><pre>${esc(req)}</pre><b>Response</b> <span class="muted">(${e.durationMs} ms)</span><pre>${esc(res)}</pre></div>`;
}

function checkRow(r: CheckResult, anchorBase: string): string {
  const detail: string[] = [];
  if (r.blockedBy)
    detail.push(`<div>blocked by <a href="#${esc(r.blockedBy)}">${esc(r.blockedBy)}</a></div>`);
  if (r.reason) detail.push(`<div>${esc(r.reason)}</div>`);
  if (r.sinceDraft) detail.push(`<div class="muted">changed since draft 0.2: ${esc(r.sinceDraft)}</div>`);
  for (const n of r.notes) detail.push(`<div class="muted">note: ${esc(n)}</div>`);
  for (const f of r.failures) {
    detail.push(`<details${r.status === 'fail' ? ' open' : ''}><summary>${esc(f.message)}</summary>`);
    if (f.curl) detail.push(`<b>Reproduce</b><pre>${esc(f.curl)}</pre>`);
    if (f.exchange) detail.push(exchangeBlock(f.exchange));
    detail.push('</details>');
  }
  const reqs = r.requirements.map((id) => `<a href="${anchorBase}">${esc(id)}</a>`).join(' ');
  return `<tr class="check ${r.status}" id="${esc(r.id)}"><td><code>${esc(r.id)}</code></td><td>${esc(r.level)}</td><td>${esc(r.rfc)}</td><td>${esc(statusLabel(r))}</td><td>${esc(r.title)}<div class="muted">${reqs}</div>${detail.join('')}</td><td>${r.durationMs}</td></tr>`;
}

/** Failing checks of one requirement group, messages merged, each with one reproduction. */
function groupsHtml(title: string, results: readonly CheckResult[]): string {
  const gs = groupByRequirement(results);
  if (!gs.length) return '';
  const items = gs
    .map((g) => {
      const statuses = [...new Set(g.results.map((r) => statusLabel(r)))].join('/');
      const msgs = g.messages
        .map(
          (m) =>
            `<li>${esc(m.message)}${g.results.length > 1 ? ` <span class="muted">(${m.checks.map((c) => `<a href="#${esc(c)}">${esc(c)}</a>`).join(', ')})</span>` : ''}${m.first.curl ? `<pre>${esc(m.first.curl)}</pre>` : ''}</li>`,
        )
        .join('');
      const since = g.results.find((r) => r.sinceDraft)?.sinceDraft;
      return `<details><summary><code>${esc(g.requirement)}</code> ${esc(statuses)} — ${esc(g.results[0]?.title ?? '')}</summary><ul>${msgs}</ul>${since ? `<div class="muted">changed since draft 0.2: ${esc(since)}</div>` : ''}</details>`;
    })
    .join('');
  return `<h2>${esc(title)} (${gs.length})</h2>${items}`;
}

/** What opens the report: root causes, then the failures grouped by requirement (split for a draft server). */
function firstSections(report: Report): string {
  const out: string[] = [];
  const causes = rootCauseLines(report);
  if (causes.length)
    out.push(`<h2>Fix first</h2><ul>${causes.map((l) => `<li class="fail">${esc(l)}</li>`).join('')}</ul>`);
  const split = draftSplit(report);
  if (split) {
    out.push(`<p><b>${esc(draftLine(report) ?? '')}.</b></p>`);
    out.push(groupsHtml('Documented changes since draft 0.2 (SPEC §15)', split.changed));
    out.push(groupsHtml('Defects under draft 0.2 too', split.defects));
    out.push(
      groupsHtml(
        'Runner errors',
        report.checks.filter((r) => r.status === 'error'),
      ),
    );
  } else out.push(groupsHtml('Problems by requirement', report.checks));
  return out.join('\n');
}

/** Render the HTML report. */
export function renderHtml(report: Report): string {
  const m = matrix(report);
  const server = report.target.server
    ? `${report.target.server.name} ${report.target.server.version}`
    : 'unknown server';
  const levels = report.levels
    .map(
      (l) =>
        `<tr><td>${l.level}</td><td>${l.declared ? 'yes' : 'no'}</td><td>${l.requested ? 'yes' : 'no'}</td><td class="${l.verdict}">${esc(verdictLabel(l.verdict))}</td><td>${esc(l.reason ?? '')}</td><td>${l.counts.pass}</td><td>${l.counts.fail}</td><td>${l.counts.warn}</td><td>${l.counts.blocked}</td><td>${l.counts.skip}</td><td>${l.counts.error}</td></tr>`,
    )
    .join('');
  const matrixRows = m.areas
    .map((a) => {
      const cells = m.levels
        .map((l) => {
          const c = m.cells.get(`${a}\u0000${l}`);
          if (!c) return '<td class="none"></td>';
          const k = c.counts;
          return `<td class="${cellStatus(c)}">${k.pass}/${c.total}${k.fail ? ` · ${k.fail} fail` : ''}${k.warn ? ` · ${k.warn} warn` : ''}${k.blocked ? ` · ${k.blocked} blocked` : ''}${k.error ? ` · ${k.error} error` : ''}${k.skip ? ` · ${k.skip} skip` : ''}</td>`;
        })
        .join('');
      return `<tr><th>${esc(a)}</th>${cells}</tr>`;
    })
    .join('');
  const specUrl = `https://openmemoryprotocol.org/spec/${report.spec.version}`;
  const rows = report.checks
    .filter((r) => !(r.status === 'skip' && (r.skipKind === 'not-requested' || r.skipKind === 'deselected')))
    .map((r) => checkRow(r, specUrl))
    .join('\n');
  const c = report.cleanup;
  const cleanup = c
    ? `<p>Cleanup: ${c.created} created, ${c.deleted} deleted, ${c.alreadyGone} already gone, ${c.swept} swept, residue <b>${c.residue === null ? `unknown (${esc(c.unverified ?? 'not verified')})` : c.residue}</b>. ${c.warnings.map(esc).join('; ')}</p>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>OMP conformance — ${esc(report.target.baseUrl)} — ${esc(verdictLabel(report.verdict))}</title>
<style>${CSS}</style></head>
<body>
<header><h1>OMP conformance: <span>${esc(verdictLabel(report.verdict))}</span></h1>
<div>${esc(report.message)}</div>
<div>${esc(report.target.baseUrl)} · ${esc(server)}${report.target.bundled ? ' (bundled reference server)' : ''} · run ${esc(report.runId)} · ${esc(report.startedAt)} · ${report.durationMs} ms</div>
${mcpEndpoint(report) ? `<div>${esc(mcpEndpoint(report) ?? '')}</div>` : ''}
<div class="spec-version">${esc(certifiedAgainst(report))}</div>
<div>${esc(stamp(report))}</div></header>
<main>
${firstSections(report)}
<h2>Levels</h2>
<table><tr><th>level</th><th>declared</th><th>requested</th><th>verdict</th><th>why</th><th>pass</th><th>fail</th><th>warn</th><th>blocked</th><th>skip</th><th>error</th></tr>${levels}</table>
<h2>Compliance matrix</h2>
<table><tr><th>area</th>${m.levels.map((l) => `<th>${l}</th>`).join('')}</tr>${matrixRows}</table>
<h2>Checks</h2>
<div class="filters"><button data-s="all">all</button><button data-s="fail">fail</button><button data-s="warn">warn</button><button data-s="blocked">blocked</button><button data-s="error">error</button><button data-s="skip">skip</button><button data-s="pass">pass</button></div>
<table><tr><th>check</th><th>level</th><th>RFC 2119</th><th>status</th><th>title</th><th>ms</th></tr>
${rows}
</table>
${cleanup}
<p class="muted">Credentials are redacted: &lt;token-a&gt; is $OMP_TOKEN, &lt;token-b&gt; is $OMP_TOKEN_B, &lt;tool:NAME&gt; is $OMP_TOOL_TOKEN_NAME in the curl lines.</p>
</main>
<script>${JS}</script>
</body></html>
`;
}
