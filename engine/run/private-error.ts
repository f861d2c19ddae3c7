/**
 * Keeps error messages out of the hash chain. A step's error message often quotes its input (the
 * command line, the file content that failed to parse, the prompt the provider refused), and the
 * chain cannot be erased; so the chained event keeps the error's code and retryability, and the
 * whole error goes into the event's payload, which `mission audit erase` can erase.
 */

/** The chained data and payload to record for an event whose data may carry an `error`. */
export function withPrivateError(data: Record<string, unknown>, payload: unknown): { data: Record<string, unknown>; payload: unknown } {
  const error = data.error;
  // An event that already has a payload keeps its shape; only payload-less events gain one.
  if (payload !== undefined || typeof error !== 'object' || error === null || !('message' in error)) return { data, payload };
  const { code, isRetryable } = error as { code?: unknown; isRetryable?: unknown };
  const chained = { ...(code === undefined ? {} : { code }), ...(isRetryable === undefined ? {} : { isRetryable }) };
  return { data: { ...data, error: chained }, payload: { error } };
}
