// Compile Kong YAML text in tests exactly as the CLI does.
import { stringify } from 'yaml';
import { compileDocuments, type CompileOptions, type CompileResult } from '../../src/compile.js';
import { parseDeclarative } from '../../src/load/document.js';

export function compileYaml(yamlText: string, options: CompileOptions = {}, file = 'kong.yaml'): CompileResult {
  return compileDocuments([parseDeclarative(file, yamlText)], options);
}

export function compileObject(config: object, options: CompileOptions = {}): CompileResult {
  return compileYaml(stringify(config), options);
}
