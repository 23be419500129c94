// The runner's own packages as a user imports them: the schemas validate, the catalogue loads. One JSON line.
import { toViolations, validatorFor } from '@omp-kit/schemas';
import { getRequirement, requirements, specVersion } from '@omp-kit/spec';

const validate = validatorFor('create-request');
const ok = validate({ content: 'x', type: 'semantic', source: { tool: 't' } });
const bad = validate({ type: 'semantic' });
console.log(
  JSON.stringify({
    ok,
    bad,
    violations: toViolations(validate.errors),
    spec: specVersion,
    requirements: requirements.length,
    first: getRequirement(requirements[0].id).id,
  }),
);
