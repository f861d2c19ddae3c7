/**
 * The `stream_limits` block of the `llm:` configuration as the adapters take it
 * (`CallOptions.limits`). Missing keys keep the defaults of `stream-limits.ts`.
 */
import type { StreamLimits } from '../../stream-limits.js';
import type { StreamLimitsConfig } from '../config-types.js';

/** `config` (snake_case, from YAML) as {@link StreamLimits}; undefined when nothing is set. */
export function streamLimitsFromConfig(config: StreamLimitsConfig | undefined): StreamLimits | undefined {
  if (!config) return undefined;
  const limits: StreamLimits = {};
  if (config.max_line_bytes !== undefined) limits.maxLineBytes = config.max_line_bytes;
  if (config.max_frame_bytes !== undefined) limits.maxFrameBytes = config.max_frame_bytes;
  if (config.max_response_chars !== undefined) limits.maxResponseChars = config.max_response_chars;
  if (config.max_error_body_bytes !== undefined) limits.maxErrorBodyBytes = config.max_error_body_bytes;
  if (config.idle_ms !== undefined) limits.idleMs = config.idle_ms;
  return Object.keys(limits).length > 0 ? limits : undefined;
}
