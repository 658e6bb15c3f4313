// kongc schema: print the JSON Schema (for editor completion via yaml-language-server).
import { schemaJson } from '../validate/schema.js';

export function runSchema(): void {
  process.stdout.write(schemaJson());
}
