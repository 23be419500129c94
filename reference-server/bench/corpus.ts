/**
 * A deterministic, varied corpus of memories for the benchmark: preferences and facts (semantic), events
 * (episodic) and procedures (procedural), written by several tools, with tags, namespaces and metadata drawn
 * from skewed pools like real use. Two search terms are planted on purpose:
 *   - COMMON_TERM occurs in exactly half of the memories (every even index);
 *   - RARE_TERM occurs in one memory in a thousand.
 */
import type { CreateMemoryRequest, Memory } from '@omp-kit/schemas/types';

/** Bump when memoryAt changes, so cached seeded stores (bench/seed.ts) are rebuilt. */
export const CORPUS_VERSION = 1;
export const COMMON_TERM = 'user';
export const RARE_TERM = 'kilimanjaro';
/** A question as an agent passes it to search_memory (8 words; keyword search 0.4 matches any of them). */
export const QUESTION = 'Which programming language does the user prefer for new services?';

/** A small, fast, seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LANGS = [
  'TypeScript',
  'Rust',
  'Go',
  'Python',
  'Kotlin',
  'Elixir',
  'Swift',
  'Zig',
  'Ruby',
  'OCaml',
  'Haskell',
  'Java',
];
const TOOLS_LIKED = [
  'vim keybindings',
  'dark mode',
  'tabs',
  'small pull requests',
  'trunk-based development',
  'pair programming',
  'property-based tests',
  'feature flags',
  'monorepos',
  'strict linters',
  'short functions',
  'code review checklists',
];
const FOODS = [
  'decaf coffee',
  'green tea',
  'oat milk',
  'spicy ramen',
  'sourdough',
  'dark chocolate',
  'sparkling water',
  'matcha',
  'falafel',
  'açaí bowls',
];
const PLACES = [
  'Lisbon',
  'Berlin',
  'Tokyo',
  'Montréal',
  'São Paulo',
  'Zürich',
  'Nairobi',
  'Oslo',
  'Kraków',
  'Seoul',
  'Reykjavík',
  'Córdoba',
];
const PEOPLE = [
  'Amélie',
  'Bogdan',
  'Chen',
  'Dara',
  'Emeka',
  'Farah',
  'Gustavo',
  'Hana',
  'Ivan',
  'Jonas',
  'Keiko',
  'Lena',
];
const PROJECTS = [
  'billing',
  'search-api',
  'mobile',
  'dashboard',
  'ingest',
  'auth-service',
  'docs-site',
  'payments',
  'analytics',
  'notifications',
  'myapp',
  'infra',
  'recommendations',
  'checkout',
  'admin',
  'etl',
  'ledger',
  'chat',
  'maps',
  'onboarding',
];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const ENVS = ['staging', 'canary', 'production', 'the preview environment'];
const TOOLS = ['claude', 'claude', 'claude', 'cursor', 'cursor', 'windsurf', 'cline', 'chatgpt'];
const TAG_POOL = [
  'preferences',
  'coding',
  'travel',
  'food',
  'health',
  'work',
  'deploy',
  'meeting',
  'family',
  'reading',
  'music',
  'finance',
  'hiring',
  'oncall',
  'design',
  'testing',
  'security',
  'performance',
  'writing',
  'learning',
  'project:alpha',
  'project:beta',
  'q3',
  'q4',
  'urgent',
  'someday',
  'people',
  'tools',
  'habits',
  'sleep',
];

type Gen = (r: () => number, p: <T>(a: readonly T[]) => T) => string;

const SEMANTIC: Gen[] = [
  (_r, p) => `Prefers ${p(LANGS)} over ${p(LANGS)} for new services and dislikes verbose comments`,
  (_r, p) => `Likes ${p(TOOLS_LIKED)} and ${p(TOOLS_LIKED)} when working on ${p(PROJECTS)}`,
  (_r, p) => `Drinks ${p(FOODS)} in the afternoon and avoids ${p(FOODS)} after six`,
  (_r, p) =>
    `Lives in ${p(PLACES)} and works remotely with a team spread across ${p(PLACES)} and ${p(PLACES)}`,
  (_r, p) => `${p(PEOPLE)} is the tech lead of ${p(PROJECTS)} and prefers async reviews`,
  (r) =>
    `Reads about ${r() < 0.5 ? 'distributed systems' : 'type theory'} on weekends, about ${Math.floor(r() * 40) + 5} pages a day`,
];
const EPISODIC: Gen[] = [
  (_r, p) => `Travelled to ${p(PLACES)} in ${p(MONTHS)} for a conference on ${p(LANGS)}`,
  (r, p) =>
    `Shipped version ${Math.floor(r() * 9) + 1}.${Math.floor(r() * 20)} of ${p(PROJECTS)} after a long week`,
  (_r, p) => `Met ${p(PEOPLE)} and ${p(PEOPLE)} to plan the migration of ${p(PROJECTS)} to ${p(LANGS)}`,
  (r, p) =>
    `Incident on ${p(PROJECTS)} in ${p(ENVS)} lasted ${Math.floor(r() * 90) + 5} minutes; root cause was a missing index`,
  (_r, p) => `Started learning ${p(LANGS)} with ${p(PEOPLE)} during the ${p(MONTHS)} hackathon`,
];
const PROCEDURAL: Gen[] = [
  (_r, p) =>
    `To deploy ${p(PROJECTS)}, run make release, wait for ${p(ENVS)} to be green, then notify the on-call channel`,
  (_r, p) => `Rotate the ${p(PROJECTS)} database credentials through the vault CLI, never by hand`,
  (_r, p) => `Before merging to ${p(PROJECTS)}, run the ${p(LANGS)} linter and the property tests locally`,
  (r) =>
    `Backups are restored with restore.sh --point-in-time and verified within ${Math.floor(r() * 50) + 10} minutes`,
];

/** The i-th memory of corpus `seed`, as stored (with id and server timestamps) for export files. */
export function memoryAt(i: number, seed = 1): Memory {
  const r = prng(seed * 1_000_003 + i);
  const p = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
  const kind = r();
  const type = kind < 0.5 ? 'semantic' : kind < 0.8 ? 'episodic' : 'procedural';
  const gens = type === 'semantic' ? SEMANTIC : type === 'episodic' ? EPISODIC : PROCEDURAL;
  let content = p(gens)(r, p);
  // Plant the common term in exactly every other memory, the rare one in one in a thousand.
  if (i % 2 === 0) content = `The ${COMMON_TERM} says: ${content[0]?.toLowerCase()}${content.slice(1)}`;
  if (i % 1000 === 7) content += `, like the climb of ${RARE_TERM[0]?.toUpperCase()}${RARE_TERM.slice(1)}`;
  const tags: string[] = [];
  const nTags = Math.floor(r() * r() * 5);
  while (tags.length < nTags) {
    // Skewed: the first tags of the pool are much more frequent.
    const t = TAG_POOL[Math.floor(r() * r() * TAG_POOL.length)] as string;
    if (!tags.includes(t)) tags.push(t);
  }
  if (type === 'semantic' && r() < 0.4 && !tags.includes('preferences')) tags.unshift('preferences');
  const namespace = r() < 0.4 ? null : `project:${p(PROJECTS)}`;
  const created =
    Date.UTC(2025, 0, 1) + Math.floor((i / 120_000) * 600 * 86_400_000) + Math.floor(r() * 60_000);
  const createdAt = new Date(created).toISOString();
  const metadata: Record<string, unknown> = r() < 0.3 ? { confidence: Math.round(r() * 100) / 100 } : {};
  return {
    id: `mem_${(seed * 10_000_000 + i).toString(36).padStart(16, '0')}`,
    content,
    type,
    source: { tool: p(TOOLS), session_id: `sess_${Math.floor(i / 25)}`, timestamp: createdAt },
    tags,
    namespace,
    created_at: createdAt,
    updated_at: createdAt,
    expires_at: null,
    metadata,
  };
}

/** A create request body derived from the i-th memory. */
export function createBodyAt(i: number, seed = 2): CreateMemoryRequest {
  const m = memoryAt(i, seed);
  return {
    content: m.content,
    type: m.type,
    source: { tool: m.source.tool },
    tags: m.tags,
    namespace: m.namespace ?? null,
    metadata: m.metadata ?? {},
  };
}

/** An export file of n memories, as JSON text. */
export function exportFileText(n: number, seed = 1): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(JSON.stringify(memoryAt(i, seed)));
  const head = {
    omp_version: '0.3',
    exported_at: new Date().toISOString(),
    server: { name: 'omp-bench', version: '1' },
  };
  return `${JSON.stringify(head).slice(0, -1)},"memories":[${parts.join(',')}]}`;
}
