/**
 * Layers `llm:` configurations: the mission's over the project's over the defaults. Maps merge
 * key by key (so a mission can change one retry setting and keep the rest); lists are replaced
 * whole; a route is replaced whole by a route of the same name (merging two routes' target lists
 * would build a route nobody wrote).
 */
import type { LlmConfig } from '../config-types.js';

/** Keys that must never be merged into an object (prototype pollution from hostile YAML). */
const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);
/** Deeper than this, a configuration is hostile, not layered. */
const maxDepth = 32;

function isPlainMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeValues(base: unknown, override: unknown, depth: number): unknown {
  if (override === undefined) return clone(base, depth);
  if (!isPlainMap(base) || !isPlainMap(override)) return clone(override, depth);
  if (depth > maxDepth) throw new RangeError(`the llm configuration is nested deeper than ${maxDepth} levels`);
  const merged: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(base), ...Object.keys(override)])) {
    if (forbiddenKeys.has(key)) continue;
    merged[key] = mergeValues(base[key], override[key], depth + 1);
  }
  return merged;
}

function clone(value: unknown, depth: number): unknown {
  if (depth > maxDepth) throw new RangeError(`the llm configuration is nested deeper than ${maxDepth} levels`);
  if (Array.isArray(value)) return value.map((item) => clone(item, depth + 1));
  if (!isPlainMap(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (!forbiddenKeys.has(key)) copy[key] = clone(item, depth + 1);
  return copy;
}

/**
 * Merges configurations, later ones winning: `mergeLlmConfig(defaults, project, mission)`.
 * Inputs are not modified; the result shares no objects with them.
 */
export function mergeLlmConfig(...layers: (LlmConfig | undefined)[]): LlmConfig {
  let merged: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!layer) continue;
    const { routes, ...rest } = layer;
    merged = mergeValues(merged, rest, 0) as Record<string, unknown>;
    if (routes) {
      // Routes by name: a later layer's route replaces the earlier one of that name as a whole.
      const earlier = (merged.routes ?? {}) as Record<string, unknown>;
      const replaced: Record<string, unknown> = { ...earlier };
      for (const [name, route] of Object.entries(routes)) if (!forbiddenKeys.has(name)) replaced[name] = clone(route, 1);
      merged.routes = replaced;
    }
  }
  return merged as LlmConfig;
}
