/**
 * Run-wide checks over every exchange of the run, whatever the check that made it asserted. Exclusive checks run
 * after every other check, and this file is imported last, so these see the whole run (or what --only selected).
 */
import { check } from '../core/registry.ts';

check(
  'OMP-ERR-001.run',
  'MUST carry the error envelope on every 4xx/5xx response of the whole run',
  async (t) => {
    const m = t.run.monitor;
    for (const v of m.violations.filter((x) => x.rule === 'envelope')) t.failExchange(v.message, v.exchange);
    t.note(`${m.counts.seen} responses watched, ${m.counts.envelope} without a valid envelope`);
  },
  { exclusive: true },
);

check(
  'OMP-HTTP-001.run',
  'MUST send Content-Type application/json with every body, and no body with 204, on the whole run',
  async (t) => {
    const m = t.run.monitor;
    for (const v of m.violations.filter((x) => x.rule === 'content-type'))
      t.failExchange(v.message, v.exchange);
    t.note(
      `${m.counts.seen} responses watched, ${m.counts['content-type']} with a wrong Content-Type or body`,
    );
  },
  { exclusive: true },
);
