/**
 * Secret detectors: `secret.<kind>` for the credential formats providers publish (prefixes and
 * lengths as documented by each vendor and as collected by the secretlint and gitleaks rule sets),
 * private keys, JWTs, connection strings with a password, and a generic rule for a high-entropy
 * value assigned to a name that says it is a secret.
 */
import type { Detector } from '../types.js';
import { regexDetector } from './regex-detector.js';

/** Left boundary: not inside a longer token. */
const L = '(?<![A-Za-z0-9_-])';
/** Right boundary. */
const R = '(?![A-Za-z0-9_-])';

interface TokenSpec {
  kind: string;
  what: string;
  pattern: string;
  maxLength: number;
  flags?: string;
  continuation?: Detector['continuation'];
}

/** Vendor token formats with a distinctive prefix: a match is a secret with no further check. */
const tokenSpecs: TokenSpec[] = [
  { kind: 'aws_access_key', what: 'an AWS access key id', pattern: `${L}(?:AKIA|ASIA|ABIA|ACCA|AIDA|AROA)[A-Z2-7]{16}${R}`, maxLength: 20 },
  { kind: 'openai_api_key', what: 'an OpenAI API key', pattern: `${L}sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,220}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{48})${R}`, maxLength: 240 },
  { kind: 'anthropic_api_key', what: 'an Anthropic API key', pattern: `${L}sk-ant-(?:api|admin|sid)\\d{2}-[A-Za-z0-9_-]{32,120}${R}`, maxLength: 140 },
  { kind: 'google_api_key', what: 'a Google API key', pattern: `${L}AIza[0-9A-Za-z_-]{35}${R}`, maxLength: 39 },
  { kind: 'google_oauth_token', what: 'a Google OAuth access token', pattern: `${L}ya29\\.[0-9A-Za-z_-]{30,300}${R}`, maxLength: 305 },
  { kind: 'azure_storage_key', what: 'an Azure storage account key', pattern: `AccountKey=[A-Za-z0-9+/]{86}==`, maxLength: 99 },
  { kind: 'github_token', what: 'a GitHub token', pattern: `${L}(?:gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{82})${R}`, maxLength: 255 },
  { kind: 'gitlab_token', what: 'a GitLab token', pattern: `${L}(?:glpat|gldt|glptt|glrt|glsoat|glcbt|gloas)-[A-Za-z0-9_-]{20,64}${R}`, maxLength: 72 },
  { kind: 'slack_token', what: 'a Slack token', pattern: `${L}xox[abposr]-(?:\\d{1,16}-){1,3}[A-Za-z0-9-]{10,100}${R}`, maxLength: 160 },
  { kind: 'slack_webhook', what: 'a Slack incoming-webhook URL', pattern: `(?:https?://)?hooks\\.slack\\.com/(?:services|workflows)/T[A-Z0-9]{6,12}/[A-Z0-9]{6,12}/[A-Za-z0-9]{20,32}`, maxLength: 98 },
  { kind: 'stripe_key', what: 'a Stripe secret key', pattern: `${L}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{24,99}${R}`, maxLength: 108 },
  { kind: 'huggingface_token', what: 'a Hugging Face token', pattern: `${L}hf_[A-Za-z0-9]{34,40}${R}`, maxLength: 43 },
  { kind: 'groq_api_key', what: 'a Groq API key', pattern: `${L}gsk_[A-Za-z0-9]{52}${R}`, maxLength: 56 },
  { kind: 'xai_api_key', what: 'an xAI API key', pattern: `${L}xai-[A-Za-z0-9]{70,90}${R}`, maxLength: 94 },
  { kind: 'npm_token', what: 'an npm access token', pattern: `${L}npm_[A-Za-z0-9]{36}${R}`, maxLength: 40 },
  { kind: 'pypi_token', what: 'a PyPI upload token', pattern: `${L}pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,200}${R}`, maxLength: 220 },
  { kind: 'sendgrid_api_key', what: 'a SendGrid API key', pattern: `${L}SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}${R}`, maxLength: 69 },
  { kind: 'twilio_api_key', what: 'a Twilio API key', pattern: `${L}SK[0-9a-f]{32}${R}`, maxLength: 34 },
  { kind: 'mailgun_api_key', what: 'a Mailgun API key', pattern: `${L}key-[0-9a-f]{32}${R}`, maxLength: 36 },
  { kind: 'shopify_token', what: 'a Shopify access token', pattern: `${L}shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}${R}`, maxLength: 38 },
  { kind: 'digitalocean_token', what: 'a DigitalOcean token', pattern: `${L}do[por]_v1_[a-f0-9]{64}${R}`, maxLength: 70 },
  { kind: 'jwt', what: 'a JSON Web Token', pattern: `${L}eyJ[A-Za-z0-9_-]{8,400}\\.eyJ[A-Za-z0-9_-]{8,1600}\\.[A-Za-z0-9_-]{0,700}`,
    // Recognised from its first two parts; the streaming scanner masks the rest as it comes.
    maxLength: 420, continuation: { kind: 'while', chars: /[A-Za-z0-9_.-]/ } },
];

const privateKey = regexDetector({
  id: 'secret.private_key',
  category: 'secret',
  reason: 'a private key',
  // The header alone proves it; the body runs to the footer (the streaming scanner masks it all).
  pattern: /-----BEGIN[ A-Z0-9]{0,24}PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{0,12000}?-----END[ A-Z0-9]{0,24}PRIVATE KEY(?: BLOCK)?-----)?/g,
  maxLength: 60,
  continuation: { kind: 'until', end: /-----END[ A-Z0-9]{0,24}PRIVATE KEY(?: BLOCK)?-----/, endMaxLength: 60, maxLength: 12000 },
  mayMatch: (text) => text.includes('PRIVATE KEY'),
});

const connectionString = regexDetector({
  id: 'secret.connection_string',
  category: 'secret',
  reason: 'a connection string with a password in it',
  // scheme://user:password@host — the password is the secret; `user:@host` and templated
  // placeholders (`${PASSWORD}`, `<password>`, `****`) are not.
  pattern: /\b[a-z][a-z0-9+.-]{1,24}:\/\/[^\s:/@'"]{1,64}:([^\s@/'"]{1,128})@[A-Za-z0-9.-]{1,253}/gi,
  group: 1,
  maxLength: 24 + 3 + 64 + 1 + 128 + 1 + 253,
  mayMatch: (text) => text.includes('://'),
  accept: (password) => !/^(?:\$\{[^}]*\}|\$[A-Z_]+|<[^>]*>|\*+|x+|password|pass|secret|changeme|\{\{.*\}\})$/i.test(password) && !password.startsWith('${'),
});

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const character of value) counts.set(character, (counts.get(character) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const probability = count / value.length;
    entropy -= probability * Math.log2(probability);
  }
  return entropy;
}

const genericAssignment = regexDetector({
  id: 'secret.generic_assignment',
  category: 'secret',
  reason: 'a high-entropy value assigned to a name that says it is a secret (key, token, password)',
  // The name may carry more words around the telling one (aws_secret_access_key, MY_SERVICE_TOKEN,
  // stripeSecret, x-api-key), optionally quoted, then an assignment in any common syntax.
  // Matching starts at the telling word (a leading identifier part adds nothing to the span).
  pattern: /(?:api[_-]?key|apikey|secret|token|passw(?:or)?d|pwd|private[_-]?key|access[_-]?key)[A-Za-z0-9_-]{0,20}["']?\s{0,4}(?::|=|:=|=>)\s{0,4}["'`]?([A-Za-z0-9+/_.~=!@#$%^&*-]{12,160})/gi,
  group: 1,
  maxLength: 30 + 14 + 20 + 12 + 160,
  accept(value) {
    if (/^(?:\$\{|\{\{|<|process\.env|os\.environ|env\.)/i.test(value)) return false;
    const letters = /[A-Za-z]/.test(value);
    const digits = /\d/.test(value);
    // Words and identifiers (`get_token_from_env`) are low-entropy; real secrets mix classes.
    return letters && digits && shannonEntropy(value) >= 3.5;
  },
});

/** Every secret detector. */
export function secretDetectors(): Detector[] {
  const tokens = tokenSpecs.map((spec) =>
    regexDetector({
      id: `secret.${spec.kind}`,
      category: 'secret',
      reason: spec.what,
      pattern: new RegExp(spec.pattern, spec.flags ?? 'g'),
      maxLength: spec.maxLength,
      continuation: spec.continuation,
    }),
  );
  return [...tokens, privateKey, connectionString, genericAssignment];
}
