/**
 * The cache key: SHA-256 of a canonical form of everything that shapes an answer — the target
 * (provider and model, or the route and its targets), messages, tools, tool choice, response
 * format and every sampling parameter, with defaults filled in and keys sorted — and never the
 * metadata or the caller's origin, which do not change what a model says.
 */
import { createHash } from 'node:crypto';
import type { RouteTargetConfig } from '../config-types.js';
import type { LayerRequest } from '../stage.js';

/** Bumped whenever the canonical form changes, so old entries are never misread. */
const keyVersion = 1;

/** The canonical, JSON-serializable form of `request` under `scope`. */
export function canonicalRequest(request: LayerRequest, scope: string, routeTargets?: readonly RouteTargetConfig[]): unknown {
  const tools = request.tools ?? [];
  return {
    v: keyVersion,
    scope,
    target: request.route
      ? { route: request.route, targets: (routeTargets ?? []).map((target) => ({ provider: target.provider, model: target.model })) }
      : { provider: request.provider ?? null, model: request.model ?? null },
    messages: request.messages,
    tools,
    // What providers assume when a request names no choice: `auto` with tools, nothing without.
    toolChoice: request.toolChoice ?? (tools.length > 0 ? 'auto' : 'none'),
    responseFormat: request.responseFormat ?? null,
    temperature: request.temperature ?? null,
    topP: request.topP ?? null,
    maxTokens: request.maxTokens ?? null,
    stop: request.stop ?? [],
  };
}

/** The hex SHA-256 key of `request` under `scope`. */
export function cacheKey(request: LayerRequest, scope: string, routeTargets?: readonly RouteTargetConfig[]): string {
  return createHash('sha256').update(stableJson(canonicalRequest(request, scope, routeTargets))).digest('hex');
}

/** JSON with object keys sorted and `undefined` members left out, so equal requests hash equally. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : stableJson(item))).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}
