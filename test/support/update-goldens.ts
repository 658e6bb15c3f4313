// `npm run golden:update`: the only way goldens change. Review the diff like code.
import { writeFileSync } from 'node:fs';
import { compileFixtureIncludes, listFixtures } from './fixtures.js';

for (const f of listFixtures()) {
  const { text, stream } = compileFixtureIncludes(f);
  writeFileSync(f.golden, text);
  process.stdout.write(`updated ${f.golden}\n`);
  if (stream !== null) {
    writeFileSync(f.streamGolden, stream);
    process.stdout.write(`updated ${f.streamGolden}\n`);
  }
}
