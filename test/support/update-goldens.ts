// `npm run golden:update`: the only way goldens change. Review the diff like code.
import { writeFileSync } from 'node:fs';
import { compileFixture, listFixtures } from './fixtures.js';

for (const f of listFixtures()) {
  writeFileSync(f.golden, compileFixture(f));
  process.stdout.write(`updated ${f.golden}\n`);
}
