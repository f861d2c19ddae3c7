/**
 * The table keys a served model may be priced under, most specific first. Providers name one
 * model many ways: Bedrock cross-region inference profiles (`us.`, `eu.`, `apac.`, `global.` …)
 * price like the base model where the table has no entry of their own; Gemini may answer
 * `models/gemini-2.5-pro`; Azure's deployment names are the user's, but the served model id the
 * response carries is the base model's.
 */

/** Bedrock inference-profile prefixes: geography (`us.`, `eu.`, `apac.`, …) or `global.`. */
const bedrockProfilePrefix = /^(us|eu|apac|ap|jp|au|ca|us-gov|global)\./;
/** A trailing release date some providers append (`-2024-07-18`, `-20250929`, `@20241022`). */
const dateSuffix = /([-@]\d{4}-\d{2}-\d{2}|[-@]\d{8})$/;

/** Candidate `provider/model` keys for one served model, best match first, without duplicates. */
export function priceKeyCandidates(provider: string, model: string, region?: string): string[] {
  const keys: string[] = [];
  const add = (candidate: string): void => {
    const key = `${provider}/${candidate}`;
    if (!keys.includes(key)) keys.push(key);
  };
  let base = model.trim();
  if (provider === 'gemini' && base.startsWith('models/')) base = base.slice('models/'.length);
  if (provider === 'bedrock' && base.startsWith('arn:')) base = base.slice(base.lastIndexOf('/') + 1);
  if (provider === 'bedrock' && region) add(`${region}/${base}`);
  add(base);
  if (provider === 'bedrock') {
    const unprefixed = base.replace(bedrockProfilePrefix, '');
    if (region) add(`${region}/${unprefixed}`);
    add(unprefixed);
  }
  if (dateSuffix.test(base)) add(base.replace(dateSuffix, ''));
  return keys;
}

/** Providers that run models on the user's own machine: free unless the configuration says otherwise. */
export const localProviders: ReadonlySet<string> = new Set(['ollama', 'shimmy']);
