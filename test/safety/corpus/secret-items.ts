/**
 * Secret items: credentials in the formats vendors issue them, in the places they leak (.env
 * files, JSON and YAML config, code, shell history, chat), and hard negatives — hashes, ids,
 * placeholders and code that reads a secret without containing one.
 */
import type { CorpusItem } from './item.js';
import { alnum, base64url, hex, lower, upper, type Random } from './random.js';

const base32Upper = `${upper}234567`;
const base64 = `${alnum}+/`;

function wrap(random: Random, name: string, value: string): string {
  return random.pick([
    `${name.toUpperCase()}=${value}`,
    `export ${name.toUpperCase()}="${value}"`,
    `{"${name}": "${value}"}`,
    `${name}: ${value}`,
    `const ${name} = '${value}';`,
    `here is my ${name.replace(/_/g, ' ')}: ${value} — can you check why it fails?`,
    `curl -H "Authorization: Bearer ${value}" https://api.example.com/v1/items`,
    `${value}`,
  ]);
}

/** The secret part of the corpus. */
export function secretItems(random: Random): CorpusItem[] {
  const items: CorpusItem[] = [];
  const add = (rule: string | null, value: string | undefined, text: string) => items.push({ id: `secret-${items.length + 1}`, family: 'secret', rule, value, text });
  const kinds: Array<[string, string, () => string]> = [
    ['secret.aws_access_key', 'aws_access_key_id', () => `${random.pick(['AKIA', 'ASIA'])}${random.chars(base32Upper, 16)}`],
    ['secret.openai_api_key', 'openai_api_key', () => random.pick([`sk-proj-${random.chars(base64url, 156)}`, `sk-${random.chars(alnum, 48)}`, `sk-svcacct-${random.chars(base64url, 120)}`])],
    ['secret.anthropic_api_key', 'anthropic_api_key', () => `sk-ant-api03-${random.chars(base64url, 93)}AA`],
    ['secret.google_api_key', 'google_api_key', () => `AIza${random.chars(base64url, 35)}`],
    ['secret.github_token', 'github_token', () => random.pick([`ghp_${random.chars(alnum, 36)}`, `gho_${random.chars(alnum, 36)}`, `ghs_${random.chars(alnum, 36)}`, `github_pat_${random.chars(alnum, 22)}_${random.chars(alnum, 59)}`])],
    ['secret.gitlab_token', 'gitlab_token', () => `glpat-${random.chars(base64url, 20)}`],
    ['secret.slack_token', 'slack_token', () => `${random.pick(['xoxb', 'xoxp'])}-${random.digits(12)}-${random.digits(12)}-${random.chars(alnum, 24)}`],
    ['secret.slack_webhook', 'slack_webhook', () => `https://hooks.slack.com/services/T${random.chars(upper + '0123456789', 8)}/B${random.chars(upper + '0123456789', 10)}/${random.chars(alnum, 24)}`],
    ['secret.stripe_key', 'stripe_secret_key', () => `${random.pick(['sk_live_', 'rk_live_', 'sk_test_'])}${random.chars(alnum, random.int(24, 99))}`],
    ['secret.huggingface_token', 'hf_token', () => `hf_${random.chars(alnum, 34)}`],
    ['secret.npm_token', 'npm_token', () => `npm_${random.chars(alnum, 36)}`],
    ['secret.sendgrid_api_key', 'sendgrid_api_key', () => `SG.${random.chars(base64url, 22)}.${random.chars(base64url, 43)}`],
    ['secret.jwt', 'id_token', () => `eyJ${random.chars(base64url, 33)}.eyJ${random.chars(base64url, random.int(40, 300))}.${random.chars(base64url, 43)}`],
  ];
  for (let round = 0; round < 18; round++) {
    for (const [rule, name, make] of kinds) {
      const value = make();
      add(rule, value, wrap(random, name, value));
    }
  }
  for (let index = 0; index < 20; index++) {
    const kind = random.pick(['RSA ', 'EC ', 'OPENSSH ', '', 'DSA ']);
    const body = Array.from({ length: random.int(3, 12) }, () => random.chars(base64, 64)).join('\n');
    const value = `-----BEGIN ${kind}PRIVATE KEY-----\n${body}\n-----END ${kind}PRIVATE KEY-----`;
    add('secret.private_key', value, random.pick([`${value}`, `key.pem:\n${value}\n`, `Here is the deploy key:\n\n${value}\n\nPlease install it.`]));
  }
  for (let index = 0; index < 30; index++) {
    const password = random.chars(alnum + '!%^*_', random.int(10, 24));
    const user = random.pick(['admin', 'app', 'postgres', 'svc_reader', 'root']);
    const host = random.pick(['db.internal.example.com', 'localhost', '10.0.3.7', 'cluster0.ab1cd.mongodb.net', 'redis.example.io']);
    const scheme = random.pick(['postgres', 'postgresql', 'mysql', 'mongodb+srv', 'redis', 'amqp', 'mssql']);
    add('secret.connection_string', password, random.pick([`DATABASE_URL=${scheme}://${user}:${password}@${host}:5432/app`, `url: "${scheme}://${user}:${password}@${host}/prod"`, `connect("${scheme}://${user}:${password}@${host}")`]));
  }
  for (let index = 0; index < 40; index++) {
    const value = random.chars(alnum, random.int(20, 48));
    const name = random.pick(['api_key', 'API_KEY', 'apiKey', 'secret', 'client_secret', 'SECRET_KEY', 'auth_token', 'access_token', 'password', 'db_password', 'aws_secret_access_key', 'x-api-key', 'private_key', 'MY_SERVICE_TOKEN', 'stripeSecret']);
    add('secret.generic_assignment', value, random.pick([`${name}=${value}`, `${name} = "${value}"`, `"${name}": "${value}"`, `${name}: ${value}`, `${name} := "${value}"`]));
  }

  // Hard negatives.
  const negatives: Array<() => string> = [
    () => `commit ${random.chars(hex, 40)} fixes the build`,
    () => `sha256:${random.chars(hex, 64)}`,
    () => `"integrity": "sha512-${random.chars(base64, 86)}=="`,
    () => `request id ${random.chars(hex, 8)}-${random.chars(hex, 4)}-${random.chars(hex, 4)}-${random.chars(hex, 4)}-${random.chars(hex, 12)}`,
    () => `api_key = os.environ["API_KEY"]`,
    () => `password: \${DB_PASSWORD}`,
    () => `token = get_token(session)`,
    () => `const apiKey = process.env.OPENAI_API_KEY;`,
    () => `OPENAI_API_KEY=your-api-key-here`,
    () => `apiKey: "YOUR_API_KEY"`,
    () => `password = "********"`,
    () => `secret: <your-secret>`,
    () => `DATABASE_URL=postgres://localhost:5432/app_dev`,
    () => `DATABASE_URL=postgres://app@db.example.com/app`,
    () => `url: postgres://user:\${PASSWORD}@db.example.com/app`,
    () => `mongodb://mongo:27017/test`,
    () => `pip install scikit-learn  # sk-learn is not a package name`,
    () => `The AKIA prefix marks long-term AWS access keys.`,
    () => `-----BEGIN PUBLIC KEY-----\n${random.chars(base64, 64)}\n-----END PUBLIC KEY-----`,
    () => `-----BEGIN CERTIFICATE-----\n${random.chars(base64, 64)}\n-----END CERTIFICATE-----`,
    () => `tokenRefreshIntervalMilliseconds = 30000`,
    () => `password_min_length: 12`,
    () => `token_limit: ${random.int(1000, 200000)}`,
    () => `max_tokens=${random.int(100, 8000)}`,
    () => `the secret to good bread is time and ${random.pick(['salt', 'patience', 'heat'])}`,
    () => `data:image/png;base64,${random.chars(base64, 60)}`,
    () => `docker pull ghcr.io/${random.pick(lower)}${random.pick(lower)}/app@sha256:${random.chars(hex, 64)}`,
    () => `class="${random.pick(['btn', 'card', 'nav'])}-${random.chars(lower, 6)} flex items-center"`,
    () => `See https://github.com/${random.chars(lower, 6)}/${random.chars(lower, 8)}/blob/${random.chars(hex, 40)}/README.md`,
    () => `Use the gh_pages branch and ghp-import`,
    () => `eyJ is how base64 JSON starts, e.g. eyJhbGciOi`,
    () => `password = "password"`,
    () => `SECRET_KEY = get_random_secret_key()`,
    () => `export AWS_PROFILE=staging`,
    () => `Authorization: Bearer \${TOKEN}`,
    () => `key_id: ${random.digits(6)}`,
    () => `hf_hub_download(repo_id="org/model", filename="config.json")`,
    () => `xoxo, see you soon`,
    () => `sk_test and sk_live are Stripe's key prefixes`,
    () => `UUID: ${random.chars(hex, 32)}`,
  ];
  for (let index = 0; index < 320; index++) add(null, undefined, negatives[index % negatives.length]!());

  // Less common vendors, appended last so the items above keep their random draws.
  const moreKinds: Array<[string, string, () => string]> = [
    ['secret.google_oauth_token', 'access_token', () => `ya29.${random.chars(base64url, random.int(60, 160))}`],
    ['secret.azure_storage_key', 'storage_connection', () => `DefaultEndpointsProtocol=https;AccountName=${random.chars(lower, 10)};AccountKey=${random.chars(base64, 86)}==;EndpointSuffix=core.windows.net`],
    ['secret.groq_api_key', 'groq_api_key', () => `gsk_${random.chars(alnum, 52)}`],
    ['secret.xai_api_key', 'xai_api_key', () => `xai-${random.chars(alnum, 80)}`],
    ['secret.pypi_token', 'pypi_token', () => `pypi-AgEIcHlwaS5vcmc${random.chars(base64url, 120)}`],
    ['secret.twilio_api_key', 'twilio_api_key', () => `SK${random.chars(hex, 32)}`],
    ['secret.mailgun_api_key', 'mailgun_api_key', () => `key-${random.chars(hex, 32)}`],
    ['secret.shopify_token', 'shopify_token', () => `shpat_${random.chars(hex, 32)}`],
    ['secret.digitalocean_token', 'do_token', () => `dop_v1_${random.chars(hex, 64)}`],
  ];
  for (let round = 0; round < 10; round++) {
    for (const [rule, name, make] of moreKinds) {
      const made = make();
      const value = rule === 'secret.azure_storage_key' ? made.slice(made.indexOf('AccountKey='), made.indexOf('==;') + 2) : made;
      add(rule, value, wrap(random, name, made));
    }
  }
  return items;
}
