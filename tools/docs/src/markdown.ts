/**
 * Markdown → HTML with the anchors the conformance runner links to: every heading gets GitHub's slug as its id
 * (github-slugger, de-duplicated like GitHub), every requirement line (`- **OMP-CRUD-001** [MUST · Core] …`)
 * becomes `<li id="omp-crud-001">`, and every requirement ID in running text links to its requirement.
 */
import GithubSlugger from 'github-slugger';
import { Marked, type Token, type Tokens } from 'marked';
import { escapeHtml, requirementAnchor, requirementIdPattern, type TocEntry } from './html.ts';

/** What a rendering produced besides the HTML. */
export interface RenderedMarkdown {
  html: string;
  /** Every heading, in order, with its id. */
  headings: TocEntry[];
  /** Requirement IDs that received an anchor, in order. */
  requirementIds: string[];
}

/** How rendering links requirement IDs. */
export interface MarkdownOptions {
  /** The href of a requirement; `#omp-crud-001` by default (same page). */
  requirementHref?: (id: string) => string;
}

const requirementLine = /^\*\*(OMP-[A-Z]+-\d{3})\*\*\s*\[([A-Z ]+?)\s*·/;

const entities: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};

/** Heading text as GitHub sees it for its slug: the text of the inline tokens, markup removed. */
export function plainText(tokens: readonly Token[]): string {
  let out = '';
  for (const token of tokens) {
    if ('tokens' in token && Array.isArray(token.tokens) && token.type !== 'codespan') {
      out += plainText(token.tokens);
    } else if (token.type === 'codespan' || token.type === 'text' || token.type === 'escape') {
      out += String((token as { text: string }).text).replace(
        /&(amp|lt|gt|quot|#39);/g,
        (m) => entities[m] ?? m,
      );
    } else if (token.type === 'requirementRef') {
      out += (token as Tokens.Generic).raw;
    }
  }
  return out;
}

/** Render a markdown document. */
export function renderMarkdown(source: string, options: MarkdownOptions = {}): RenderedMarkdown {
  const href = options.requirementHref ?? ((id: string) => `#${requirementAnchor(id)}`);
  const slugger = new GithubSlugger();
  const headings: TocEntry[] = [];
  const requirementIds: string[] = [];
  const marked = new Marked({ gfm: true });
  marked.use({
    extensions: [
      {
        name: 'requirementRef',
        level: 'inline',
        start: (src: string) => src.search(requirementIdPattern),
        tokenizer: (src: string) => {
          const match = new RegExp(`^${requirementIdPattern.source}`).exec(src);
          return match ? { type: 'requirementRef', raw: match[0] } : undefined;
        },
        renderer: (token) =>
          `<a class="req-ref" href="${escapeHtml(href(token.raw))}">${escapeHtml(token.raw)}</a>`,
      },
    ],
    renderer: {
      heading(token: Tokens.Heading): string {
        const id = slugger.slug(plainText(token.tokens));
        const html = this.parser.parseInline(token.tokens);
        headings.push({ depth: token.depth, id, html });
        return `<h${token.depth} id="${escapeHtml(id)}">${html}</h${token.depth}>\n`;
      },
      listitem(item: Tokens.ListItem): string | false {
        const match = requirementLine.exec(item.text);
        if (!match) return false;
        const id = match[1]!;
        const level = match[2]!.trim().toLowerCase().replace(/\s+/g, '-');
        requirementIds.push(id);
        const anchor = requirementAnchor(id);
        return `<li id="${anchor}" class="requirement level-${escapeHtml(level)}">${this.parser.parse(item.tokens)}</li>\n`;
      },
    },
  });
  const html = marked.parse(source, { async: false });
  return { html, headings, requirementIds };
}

/** Render one paragraph's worth of inline markdown (descriptions in openapi.yaml). */
export function renderInline(source: string, options: MarkdownOptions = {}): string {
  const rendered = renderMarkdown(source, options).html.trim();
  // A single paragraph loses its <p> so it can sit in a table cell; anything longer keeps its blocks.
  const single = /^<p>([\s\S]*)<\/p>$/.exec(rendered);
  return single && !single[1]!.includes('<p>') ? single[1]! : rendered;
}
