// The shared corpus (public Kong configs and Admin API logs) is not part of the repository: CI has
// it beside the clone (../shared/corpus), a user's clone does not. Tests that read it are only
// registered when it is there; test/replay/corpus.test.ts then shows the one line saying they were
// skipped, or fails where the corpus is required (KONGC_REQUIRE_CORPUS=1, set by .ci/run).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../src/paths.js';

export const CORPUS_ROOT = join(PACKAGE_ROOT, '..', 'shared', 'corpus');
export const HAVE_CORPUS = existsSync(CORPUS_ROOT);
export const CORPUS_REQUIRED = process.env.KONGC_REQUIRE_CORPUS === '1';

/** A folder of the corpus, or null when there is no corpus. */
export function corpusDir(name: 'admin-logs' | 'declarative'): string | null {
  return HAVE_CORPUS ? join(CORPUS_ROOT, name) : null;
}
