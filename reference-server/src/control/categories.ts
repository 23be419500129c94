/**
 * Category suggestions (SPEC.md §20.5) by a local rule: a keyword table, matched on the words of the text.
 * No model and no network (OMP-CTRL-038); the client decides whether to add the tags `category:<name>`.
 */

/** The rule's name, declared in health as `capability_details.control.category_rule`. */
export const CATEGORY_RULE = 'omp-keywords-1';

/** Words (or word starts, ending in `*`) that suggest each category. */
const TABLE: Record<string, readonly string[]> = {
  work: [
    'work',
    'job',
    'meeting*',
    'project*',
    'deadline*',
    'client*',
    'colleague*',
    'office',
    'manager',
    'team*',
  ],
  technology: [
    'code',
    'coding',
    'program*',
    'software',
    'api*',
    'deploy*',
    'typescript',
    'javascript',
    'python',
    'rust',
    'go',
    'database*',
    'server*',
    'bug*',
    'git',
    'docker',
    'linux',
    'release*',
  ],
  preferences: ['prefer*', 'like*', 'dislike*', 'love*', 'hate*', 'favorite*', 'favourite*', 'style'],
  health: [
    'health*',
    'allerg*',
    'doctor*',
    'medic*',
    'sleep*',
    'exercise*',
    'diet*',
    'gym',
    'symptom*',
    'vegan',
    'vegetarian',
  ],
  food: [
    'food*',
    'eat*',
    'restaurant*',
    'cook*',
    'recipe*',
    'coffee',
    'tea',
    'lunch*',
    'dinner*',
    'breakfast*',
  ],
  travel: ['travel*', 'trip*', 'flight*', 'hotel*', 'vacation*', 'holiday*', 'airport*', 'visa*'],
  finance: [
    'money',
    'bank*',
    'budget*',
    'invest*',
    'salary',
    'tax*',
    'invoice*',
    'payment*',
    'price*',
    'fintech',
  ],
  family: [
    'family',
    'wife',
    'husband',
    'partner*',
    'son*',
    'daughter*',
    'child*',
    'kid*',
    'parent*',
    'mother',
    'father',
    'brother*',
    'sister*',
  ],
  education: ['learn*', 'study*', 'course*', 'school*', 'university', 'exam*', 'lesson*', 'teach*'],
  personal: ['birthday*', 'hobby', 'hobbies', 'home', 'friend*', 'live*', 'name'],
};

const exact = new Map<string, string[]>();
const prefixes: { start: string; category: string }[] = [];
for (const [category, words] of Object.entries(TABLE)) {
  for (const w of words) {
    if (w.endsWith('*')) prefixes.push({ start: w.slice(0, -1), category });
    else exact.set(w, [...(exact.get(w) ?? []), category]);
  }
}

/** Categories for a text, best first (most matching words, then name), at most 3. */
export function suggestCategories(text: string): string[] {
  const hits = new Map<string, number>();
  const words =
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/\p{L}[\p{L}\p{N}]*/gu) ?? [];
  for (const word of new Set(words)) {
    const found = new Set(exact.get(word) ?? []);
    for (const p of prefixes) if (word.startsWith(p.start)) found.add(p.category);
    for (const c of found) hits.set(c, (hits.get(c) ?? 0) + 1);
  }
  return [...hits]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 3)
    .map(([c]) => c);
}
