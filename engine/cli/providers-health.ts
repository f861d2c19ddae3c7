/**
 * The health part of `mission providers`: for each target the configuration names (route targets
 * and each configured provider's default model), its circuit state, EWMA latency to the first
 * token, error rate, and the rate-limit state last seen, read from the layer's `health()`.
 */
import type { DiscoveredProviderSummary } from '../../providers/discovery-registry.js';
import type { LlmConfig } from '../../providers/layer/config-types.js';
import type { LlmHealthSnapshot } from '../../providers/layer/create-llm.js';

/** One target's line of `mission providers`. */
export interface TargetReport {
  /** `provider/model`. */
  target: string;
  /** Routes it belongs to. */
  routes: string[];
  circuit: string;
  /** EWMA time to the first token, ms; absent before the first answer. */
  latencyMs?: number;
  /** EWMA share of recent calls that failed (0–1). */
  errorRate: number;
  calls: number;
  lastError?: { code: string; message: string };
  /** The rate limiter's state for the target's provider and for the target itself. */
  rateLimit?: { provider?: unknown; target?: unknown };
}

/** Every target worth showing: route targets, then configured providers' default models. */
export function targetReports(config: LlmConfig, providers: DiscoveredProviderSummary[], health: LlmHealthSnapshot): TargetReport[] {
  const routesOf = new Map<string, string[]>();
  for (const [name, route] of Object.entries(config.routes ?? {})) {
    for (const target of route.targets ?? []) {
      const key = `${target.provider}/${target.model}`;
      routesOf.set(key, [...(routesOf.get(key) ?? []), name]);
    }
  }
  for (const provider of providers) {
    if (provider.configured && provider.defaultModel) {
      const key = `${provider.id}/${provider.defaultModel}`;
      if (!routesOf.has(key)) routesOf.set(key, []);
    }
  }
  for (const key of Object.keys(health.targets)) if (!routesOf.has(key)) routesOf.set(key, []);
  return [...routesOf].map(([target, routes]) => {
    const seen = health.targets[target];
    const provider = target.split('/')[0];
    const limits = health.rateLimits ?? {};
    const rateLimit = limits[provider] !== undefined || limits[target] !== undefined ? { provider: limits[provider], target: limits[target] } : undefined;
    return {
      target,
      routes,
      circuit: seen?.circuit ?? 'closed',
      ...(seen?.firstTokenMs !== undefined ? { latencyMs: Math.round(seen.firstTokenMs) } : {}),
      errorRate: seen?.errorRate ?? 0,
      calls: seen?.calls ?? 0,
      ...(seen?.lastError ? { lastError: { code: seen.lastError.code, message: seen.lastError.message } } : {}),
      ...(rateLimit ? { rateLimit } : {}),
    };
  });
}

/** One line of text per target. */
export function describeTarget(report: TargetReport): string {
  const latency = report.latencyMs === undefined ? 'latency –' : `latency ${report.latencyMs} ms`;
  const errors = `errors ${Math.round(report.errorRate * 100)}% of ${report.calls} call(s)`;
  const routes = report.routes.length > 0 ? ` [${report.routes.join(', ')}]` : '';
  const limits = describeLimits(report.rateLimit?.target) ?? describeLimits(report.rateLimit?.provider);
  const lastError = report.lastError ? `  last error: ${report.lastError.code}` : '';
  return `${report.target}${routes}  circuit ${report.circuit}  ${latency}  ${errors}${limits ? `  limits: ${limits}` : ''}${lastError}`;
}

function describeLimits(snapshot: unknown): string | undefined {
  if (typeof snapshot !== 'object' || snapshot === null) return undefined;
  const { limits, lastSeen, blockedBy } = snapshot as { limits?: Record<string, number | undefined>; lastSeen?: Record<string, unknown>; blockedBy?: string };
  const parts = Object.entries(limits ?? {}).filter(([, value]) => value !== undefined).map(([name, value]) => `${name} ${value}`);
  if (lastSeen) parts.push(`last seen ${lastSeen.remainingRequests ?? '?'} requests / ${lastSeen.remainingTokens ?? '?'} tokens remaining`);
  if (blockedBy) parts.push(`held by ${blockedBy}`);
  return parts.length > 0 ? parts.join(', ') : undefined;
}
