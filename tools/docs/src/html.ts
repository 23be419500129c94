/** HTML helpers shared by the pages: escaping and one self-contained page layout (inline CSS, no script). */

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The anchor of a requirement: its ID in lower case, e.g. `omp-crud-001`. */
export function requirementAnchor(id: string): string {
  return id.toLowerCase();
}

/** Requirement IDs as SPEC.md writes them (`OMP-CRUD-001`). */
export const requirementIdPattern = /OMP-[A-Z]+-\d{3}/;

/** One entry of a page's table of contents. */
export interface TocEntry {
  depth: number;
  id: string;
  /** Already HTML. */
  html: string;
}

const css = `
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg-soft: #f6f8fa; --accent: #0969da; --must: #cf222e; --should: #9a6700; --may: #1a7f37; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.55 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
.layout { display: grid; grid-template-columns: 19rem minmax(0, 1fr); min-height: 100vh; }
nav.toc { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow: auto; padding: 1rem 1rem 2rem; border-right: 1px solid var(--line); background: var(--bg-soft); font-size: 13px; }
nav.toc ul { list-style: none; margin: 0; padding-left: 0.8rem; } nav.toc > ul { padding-left: 0; }
nav.toc li { margin: 0.15rem 0; } nav.toc .home { display: block; font-weight: 600; margin-bottom: 0.8rem; }
main { padding: 1.5rem 2.5rem 4rem; max-width: 64rem; }
h1, h2, h3, h4 { line-height: 1.25; scroll-margin-top: 1rem; } h2 { border-bottom: 1px solid var(--line); padding-bottom: 0.3rem; margin-top: 2.2rem; }
code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code { background: var(--bg-soft); padding: 0.1em 0.3em; border-radius: 4px; }
pre { background: var(--bg-soft); padding: 0.8rem; overflow: auto; border-radius: 6px; border: 1px solid var(--line); } pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; display: block; overflow: auto; }
th, td { border: 1px solid var(--line); padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; } th { background: var(--bg-soft); }
li.requirement { margin: 0.35rem 0; padding: 0.15rem 0.4rem; border-left: 3px solid var(--line); list-style: none; scroll-margin-top: 1rem; }
li.requirement:target { background: #fff8c5; border-left-color: var(--should); }
li.requirement.level-must, li.requirement.level-must-not { border-left-color: var(--must); }
li.requirement.level-should, li.requirement.level-should-not { border-left-color: var(--should); }
li.requirement.level-may { border-left-color: var(--may); }
.operation { border: 1px solid var(--line); border-radius: 8px; padding: 0.2rem 1.2rem 1rem; margin: 1.4rem 0; scroll-margin-top: 1rem; }
.operation:target { box-shadow: 0 0 0 3px #54aeff66; }
.method { display: inline-block; min-width: 4.2rem; text-align: center; border-radius: 4px; padding: 0.1rem 0.4rem; color: #fff; font: 600 12px/1.6 ui-monospace, monospace; }
.method.get { background: #1a7f37; } .method.post { background: #0969da; } .method.put { background: #9a6700; } .method.delete { background: #cf222e; } .method.patch { background: #8250df; }
.muted { color: var(--muted); } .req { color: var(--must); font-weight: 600; } .status { font-weight: 600; }
details { margin: 0.4rem 0; } summary { cursor: pointer; }
td.name { white-space: nowrap; font-family: ui-monospace, monospace; font-size: 13px; }
td.constraints { font-size: 13px; }
`;

/** A complete HTML document: table of contents on the left, the content on the right. */
export function page(options: {
  title: string;
  toc: readonly TocEntry[];
  body: string;
  home?: string;
}): string {
  const items = options.toc.map(
    (e) =>
      `<li style="padding-left:${Math.max(0, e.depth - 2) * 0.8}rem"><a href="#${escapeHtml(e.id)}">${e.html}</a></li>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<style>${css}</style>
</head>
<body>
<div class="layout">
<nav class="toc"><a class="home" href="${escapeHtml(options.home ?? 'index.html')}">OMP documentation</a><ul>
${items.join('\n')}
</ul></nav>
<main>
${options.body}
</main>
</div>
</body>
</html>
`;
}
