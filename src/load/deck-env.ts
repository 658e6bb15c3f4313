// decK's `${{ env "DECK_X" }}` substitution (Go template delimiters); only DECK_-prefixed variables.
const ENV_REF = /\$\{\{\s*env\s+"([^"]*)"\s*\}\}/g;

export function substituteDeckEnv(
  text: string,
  env: NodeJS.ProcessEnv,
): { text: string } | { error: string; hint?: string; offset: number } {
  let failure: { error: string; hint?: string; offset: number } | undefined;
  const out = text.replace(ENV_REF, (whole, name: string, offset: number) => {
    if (failure) return whole;
    if (!name.startsWith('DECK_')) {
      failure = { error: `environment variable "${name}" must start with DECK_`, hint: 'decK only substitutes DECK_-prefixed variables', offset };
      return whole;
    }
    const value = env[name];
    if (value === undefined) {
      failure = { error: `environment variable ${name} is not set`, hint: `export ${name}=… before running kongc`, offset };
      return whole;
    }
    return value;
  });
  return failure ?? { text: out };
}
