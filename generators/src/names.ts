/** Words <-> identifiers. The model stores names as lower-case word lists; each emitter applies its casing. */

/** Lower-case words of an identifier or path segment: `searchMemoriesGet` -> [search, memories, get]. */
export function words(identifier: string): string[] {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** English singular of a plural noun, enough for resource names: memories -> memory, keys -> key. */
export function singular(word: string): string {
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ses') || word.endsWith('xes')) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** camelCase: [search, get] -> searchGet. */
export function camelCase(ws: readonly string[]): string {
  return ws.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
}

/** PascalCase: [list, memories] -> ListMemories. */
export function pascalCase(ws: readonly string[]): string {
  return ws.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

/** snake_case: [search, get] -> search_get. */
export function snakeCase(ws: readonly string[]): string {
  return ws.join('_');
}
