/**
 * Where Bedrock's credentials come from. Static keys from the environment sign directly; a bearer
 * token (`AWS_BEARER_TOKEN_BEDROCK`, Bedrock API keys) replaces SigV4; anything else goes through
 * the standard AWS chain — shared credentials/config files with profiles, the ECS/EKS container
 * endpoint, web identity, IMDSv2 — from the official `@aws-sdk/credential-providers`, loaded only
 * when it is needed, and refreshed before the credentials expire.
 */
import { LlmError, LlmErrorCode } from '../errors.js';
import type { AwsCredentials } from '../wire/sigv4.js';

const provider = 'bedrock';

/** Credentials as the AWS SDK's providers return them. */
export interface ExpiringCredentials extends AwsCredentials {
  expiration?: Date;
}

/** A source of credentials (the AWS SDK's `AwsCredentialIdentityProvider` fits). */
export type CredentialSource = () => Promise<ExpiringCredentials>;

/** Credentials are refreshed this long before they expire, so a signed request never carries stale ones. */
export const credentialRefreshMarginMs = 5 * 60 * 1000;
/** Longest wait for the chain (a container endpoint, IMDS) to hand over credentials. */
export const credentialLoadTimeoutMs = 15_000;

/**
 * Caches a source's credentials until shortly before they expire; concurrent callers share one
 * load. A failed load is not cached (the next call tries again).
 */
export function cachedCredentials(source: CredentialSource, now: () => number = Date.now, marginMs = credentialRefreshMarginMs): CredentialSource {
  let current: ExpiringCredentials | undefined;
  let loading: Promise<ExpiringCredentials> | undefined;
  const fresh = (credentials: ExpiringCredentials | undefined): credentials is ExpiringCredentials =>
    credentials !== undefined && (credentials.expiration === undefined || credentials.expiration.getTime() - now() > marginMs);
  return () => {
    if (fresh(current)) return Promise.resolve(current);
    loading ??= withTimeout(source(), credentialLoadTimeoutMs)
      .then((credentials) => {
        if (!credentials?.accessKeyId || !credentials.secretAccessKey) throw new Error('the credential source returned no keys');
        current = credentials;
        return credentials;
      })
      .catch((cause: unknown) => {
        throw new LlmError(
          LlmErrorCode.authentication,
          `bedrock found no usable AWS credentials (environment, shared files and profiles, container endpoint, web identity, instance metadata): ${(cause as Error)?.message ?? cause}`,
          { provider, cause },
        );
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
}

/** The standard AWS credential chain, from the official SDK package, imported on first use. */
export function nodeProviderChain(profile?: string): CredentialSource {
  let chain: ((options?: { forceRefresh?: boolean }) => Promise<ExpiringCredentials>) | undefined;
  return async () => {
    // The SDK's chain keeps what it found until told otherwise; `cachedCredentials` calls again
    // only when the credentials are near expiry, so every later call asks for fresh ones.
    if (chain) return chain({ forceRefresh: true });
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    chain = fromNodeProviderChain(profile ? { profile } : {});
    return chain();
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no credentials within ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Whether the environment points at a credential source of the AWS chain (so Bedrock counts as
 * configured without static keys): a profile, the shared credentials or config file, a container
 * credentials endpoint (ECS/EKS), a web identity token file, or instance metadata explicitly
 * enabled (`AWS_EC2_METADATA_DISABLED=false`: IMDS cannot be detected without a network probe).
 */
export function awsChainSource(env: Record<string, string | undefined>, fileExists: (path: string) => boolean): string | undefined {
  const set = (name: string): boolean => (env[name]?.trim() ?? '') !== '';
  for (const name of ['AWS_PROFILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE']) {
    if (set(name)) return name;
  }
  if (env.AWS_EC2_METADATA_DISABLED?.trim().toLowerCase() === 'false') return 'AWS_EC2_METADATA_DISABLED';
  const home = env.HOME ?? env.USERPROFILE;
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE?.trim() || (home ? `${home}/.aws/credentials` : undefined);
  const configFile = env.AWS_CONFIG_FILE?.trim() || (home ? `${home}/.aws/config` : undefined);
  if (credentialsFile && fileExists(credentialsFile)) return credentialsFile;
  if (configFile && fileExists(configFile)) return configFile;
  return undefined;
}
