/** Rate limits that queue instead of failing (see {@link createRateLimiter}). */
export { createRateLimiter } from './rate-limiter.js';
export type { RateLimiterOptions } from './rate-limiter.js';
export { RateLimitQueueError } from './rate-limit-error.js';
export { estimateRequestTokens, defaultAnswerTokens } from './estimate.js';
