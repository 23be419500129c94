/** Public API of @omp-kit/docs: build the static site, or render its parts. */
export { loadOpenapi, operationsOf, renderApiPage } from './api-page.ts';
export { escapeHtml, requirementAnchor } from './html.ts';
export { plainText, renderInline, renderMarkdown } from './markdown.ts';
export { type BuildOptions, type BuildResult, buildDocs } from './site.ts';
