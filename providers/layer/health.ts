/**
 * Health of every provider+model the layer has called: its circuit breaker (fed by real traffic
 * and, while open, by free probes — `adapter.listModels`, never a billed completion), an EWMA of
 * the time to first token, an error rate and the last error. Routing reads it to skip open
 * circuits and rank by latency; `llm.health()` shows it.
 */
import { LlmErrorCode, type LlmError } from '../errors.js';
import type { LlmEvent, ProviderAdapter } from '../types.js';
import { advanceCircuit, maxRemembered, newCircuit, type CircuitSnapshot, type CircuitState } from './circuit-machine.js';
import type { HealthPolicy } from './resolve-policies.js';
import type { LayerClock } from './stage.js';

/** A JSON-able view of one target's health. */
export interface TargetHealthSnapshot {
  provider: string;
  model: string;
  circuit: CircuitState;
  /** When an open circuit may be tried again (epoch ms). */
  openUntil?: number;
  /** Exponentially weighted mean time to first token, in milliseconds; absent before the first answer. */
  firstTokenMs?: number;
  /** Exponentially weighted share of recent calls that failed for health reasons (0–1). */
  errorRate: number;
  calls: number;
  failures: number;
  lastError?: { code: string; message: string; at: number };
}

/** Codes that say something about the target's health (client mistakes and rate limits do not). */
const healthCodes = new Set<string>([
  LlmErrorCode.server,
  LlmErrorCode.overloaded,
  LlmErrorCode.timeout,
  LlmErrorCode.connection,
  LlmErrorCode.streamInterrupted,
  LlmErrorCode.malformedResponse,
  LlmErrorCode.quotaExceeded,
]);

/** Targets tracked at most: model names can come from mission input, so the map must not grow without end. */
export const maxTrackedTargets = 1024;

/** Smoothing of the latency and error-rate averages: recent calls weigh most. */
const smoothing = 0.2;
/** Deadline of one probe. */
const probeTimeoutMs = 5_000;

class TargetHealth {
  circuit: CircuitSnapshot = newCircuit();
  firstTokenMs: number | undefined;
  errorRate = 0;
  calls = 0;
  failures = 0;
  lastError: TargetHealthSnapshot['lastError'];
  /** Times of the latest successes (a ring of {@link maxRemembered}), for the breaker's failure share. */
  readonly successTimes: number[] = [];
  successCursor = 0;
  consecutiveFailures = 0;
  /** A half-open circuit lets one trial through at a time. */
  trialInFlight = false;
  probeTimer: unknown;

  constructor(
    readonly provider: string,
    readonly model: string,
  ) {}

  get state(): CircuitState {
    return this.circuit.value as CircuitState;
  }
}

/** Tracks health per `provider/model`. */
export class HealthTracker {
  private readonly targets = new Map<string, TargetHealth>();
  private closed = false;

  constructor(
    private readonly policy: HealthPolicy,
    private readonly clock: LayerClock,
    private readonly adapterFor: (provider: string) => ProviderAdapter | undefined,
    /** Receives breaker changes that no call caused (probe results). */
    private readonly onBackgroundEvent: (event: LlmEvent) => void,
  ) {}

  /** Whether the target's circuit is open (routing skips it). */
  isOpen(key: string): boolean {
    const health = this.targets.get(key);
    if (!health || health.state === 'closed') return false;
    if (health.state === 'half-open') return health.trialInFlight;
    return !this.cooledDown(health);
  }

  /** EWMA time to first token, for `least-latency`. */
  firstTokenMs(key: string): number | undefined {
    return this.targets.get(key)?.firstTokenMs;
  }

  /**
   * Asks to send a call to the target. Closed: yes. Open and cooled down with no probe to decide:
   * the circuit goes half-open and this call is its trial. Half-open: only one trial at a time.
   */
  admit(key: string, provider: string, model: string, events: LlmEvent[]): boolean {
    const health = this.entry(key, provider, model);
    if (health.state === 'closed') return true;
    if (health.state === 'open') {
      if (!this.cooledDown(health)) return false;
      this.move(health, key, { type: 'cooldown.elapsed' }, events, 'cool-down elapsed; trial call');
    }
    if (health.trialInFlight) return false;
    health.trialInFlight = true;
    return true;
  }

  /** Records a successful attempt and its time to first token. */
  recordSuccess(key: string, provider: string, model: string, firstTokenMs: number | undefined, events: LlmEvent[]): void {
    const health = this.entry(key, provider, model);
    health.calls++;
    health.trialInFlight = false;
    if (firstTokenMs !== undefined) {
      health.firstTokenMs = health.firstTokenMs === undefined ? firstTokenMs : health.firstTokenMs + smoothing * (firstTokenMs - health.firstTokenMs);
      if (firstTokenMs > this.policy.slowFirstTokenMs) {
        const message = `first token after ${Math.round(firstTokenMs)} ms, slower than slow_first_token_ms (${this.policy.slowFirstTokenMs} ms)`;
        this.fail(health, key, LlmErrorCode.timeout, message, false, events);
        return;
      }
    }
    health.errorRate -= smoothing * health.errorRate;
    health.consecutiveFailures = 0;
    const now = this.clock.now();
    if (health.successTimes.length < maxRemembered) health.successTimes.push(now);
    else health.successTimes[health.successCursor] = now;
    health.successCursor = (health.successCursor + 1) % maxRemembered;
    // A closed circuit only counts successes; the machine moves on one only when half-open.
    if (health.state === 'half-open') this.move(health, key, { type: 'success' }, events, 'trial call succeeded');
  }

  /** Records a failed attempt; only failures that say something about the target's health count. */
  recordFailure(key: string, provider: string, model: string, error: LlmError, events: LlmEvent[]): void {
    const health = this.entry(key, provider, model);
    health.calls++;
    health.trialInFlight = false;
    if (!healthCodes.has(error.code)) {
      // A client-side failure tells nothing about the target; a half-open trial that met one retries later.
      return;
    }
    this.fail(health, key, error.code, error.message, error.code === LlmErrorCode.quotaExceeded, events);
  }

  /** A call gave up its place (cancelled mid-attempt): a half-open circuit may admit another trial. */
  abandon(key: string): void {
    const health = this.targets.get(key);
    if (health) health.trialInFlight = false;
  }

  /** A JSON-able snapshot of every target seen. */
  snapshot(): Record<string, TargetHealthSnapshot> {
    const result: Record<string, TargetHealthSnapshot> = {};
    for (const [key, health] of this.targets) {
      result[key] = {
        provider: health.provider,
        model: health.model,
        circuit: health.state,
        ...(health.state === 'closed' ? {} : { openUntil: health.circuit.context.openUntil }),
        ...(health.firstTokenMs === undefined ? {} : { firstTokenMs: Math.round(health.firstTokenMs * 100) / 100 }),
        errorRate: Math.round(health.errorRate * 1000) / 1000,
        calls: health.calls,
        failures: health.failures,
        ...(health.lastError ? { lastError: { ...health.lastError } } : {}),
      };
    }
    return result;
  }

  /** Stops every pending probe. */
  close(): void {
    this.closed = true;
    for (const health of this.targets.values()) this.cancelProbe(health);
  }

  private entry(key: string, provider: string, model: string): TargetHealth {
    let health = this.targets.get(key);
    if (!health) {
      if (this.targets.size >= maxTrackedTargets) this.forgetOne();
      health = new TargetHealth(provider, model);
      this.targets.set(key, health);
    }
    return health;
  }

  /** Forgets the oldest closed target (an open one still guards calls; if all are open, the oldest). */
  private forgetOne(): void {
    let victim: string | undefined;
    for (const [key, health] of this.targets) {
      if (health.state === 'closed') {
        victim = key;
        break;
      }
      victim ??= key;
    }
    if (victim === undefined) return;
    this.cancelProbe(this.targets.get(victim)!);
    this.targets.delete(victim);
  }

  private fail(health: TargetHealth, key: string, code: string, message: string, quota: boolean, events: LlmEvent[]): void {
    health.failures++;
    health.consecutiveFailures++;
    health.errorRate += smoothing * (1 - health.errorRate);
    const at = this.clock.now();
    health.lastError = { code, message, at };
    const policy = this.policy;
    this.move(
      health,
      key,
      {
        type: 'failure',
        at,
        quota,
        threshold: policy.failureThreshold,
        windowMs: policy.windowMs,
        openMs: policy.openMs,
        quotaOpenMs: policy.quotaOpenMs,
        recentSuccesses: health.successTimes.reduce((count, time) => (at - time < policy.windowMs ? count + 1 : count), 0),
        ...successCoverage(health.successTimes),
        consecutive: health.consecutiveFailures,
      },
      events,
      `${code}: ${message}`,
    );
  }

  /** Open with a probe scheduled means the probe decides; without one, the next call after the cool-down does. */
  private cooledDown(health: TargetHealth): boolean {
    return health.probeTimer === undefined && this.clock.now() >= health.circuit.context.openUntil;
  }

  private move(health: TargetHealth, key: string, event: Parameters<typeof advanceCircuit>[1], events: LlmEvent[], reason: string): void {
    const before = health.state;
    health.circuit = advanceCircuit(health.circuit, event);
    const after = health.state;
    if (before === after) return;
    events.push({ type: `circuit-${after}`, target: key, reason });
    if (after === 'open') this.scheduleProbe(health, key);
    else this.cancelProbe(health);
  }

  private scheduleProbe(health: TargetHealth, key: string): void {
    this.cancelProbe(health);
    const adapter = this.adapterFor(health.provider);
    // A probe cannot tell a refilled quota from an empty one: quota circuits wait out their time.
    if (this.closed || !this.policy.probe || health.circuit.context.quota || !adapter?.listModels) return;
    const delay = Math.max(0, health.circuit.context.openUntil - this.clock.now());
    health.probeTimer = this.clock.setTimeout(() => void this.probe(health, key, adapter), delay);
  }

  private cancelProbe(health: TargetHealth): void {
    if (health.probeTimer !== undefined) this.clock.clearTimeout(health.probeTimer);
    health.probeTimer = undefined;
  }

  private async probe(health: TargetHealth, key: string, adapter: ProviderAdapter): Promise<void> {
    health.probeTimer = undefined;
    if (this.closed || health.state !== 'open') return;
    const events: LlmEvent[] = [];
    this.move(health, key, { type: 'cooldown.elapsed' }, events, 'cool-down elapsed; probing with a model list');
    health.trialInFlight = true;
    const controller = new AbortController();
    const timer = this.clock.setTimeout(() => controller.abort(), probeTimeoutMs);
    let failure: string | undefined;
    try {
      await adapter.listModels!({ signal: controller.signal });
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    } finally {
      this.clock.clearTimeout(timer);
    }
    health.trialInFlight = false;
    if (!this.closed && (health.state as CircuitState) === 'half-open') {
      if (failure === undefined) this.move(health, key, { type: 'success' }, events, 'probe answered');
      else this.move(health, key, { type: 'probe.failed', at: this.clock.now(), openMs: this.policy.openMs }, events, `probe failed: ${failure}`);
    }
    for (const event of events) this.onBackgroundEvent(event);
  }
}

/** Where a full ring of success times starts, and how many it holds from there (all of them). */
function successCoverage(times: readonly number[]): { successesKnownSince?: number; successesSinceKnown?: number } {
  if (times.length < maxRemembered) return {};
  let oldest = times[0];
  for (const time of times) if (time < oldest) oldest = time;
  return { successesKnownSince: oldest, successesSinceKnown: times.length };
}
