/**
 * The static safety checks RustChain users rely on, run before a mission starts and by
 * `mission validate`: dangerous commands, deletes under system paths, plain-http URLs to hosts that
 * are not local, secrets written literally in the mission file, and (in strict mode) steps without
 * a timeout. Each finding has a risk score from 0 to 100; a check *fails* at 70 or more (plain
 * http and missing timeouts fail only in strict mode). A failing check stops the run unless the
 * user allows that check by name (`mission run --allow-unsafe <check>`), which is audited.
 */
import { compileSafetyPolicy } from '../../providers/layer/safety/policy.js';
import { findAll } from '../../providers/layer/safety/scanner.js';
import { toPointer } from './source-positions.js';
import type { LoadedMission, ValidationIssue } from './types.js';

/** The check names `--allow-unsafe` accepts. */
export const safetyCheckNames = ['dangerous-command', 'system-path-delete', 'plain-http', 'literal-secret', 'missing-timeout'] as const;

/** One of {@link safetyCheckNames}. */
export type SafetyCheckName = (typeof safetyCheckNames)[number];

/** One finding of the mission safety checks. */
export interface MissionSafetyFinding {
  check: SafetyCheckName;
  /** 0 (harmless) to 100 (destroys the machine). */
  risk: number;
  /** Whether it stops the run (unless allowed). */
  fails: boolean;
  message: string;
  hint: string;
  stepId?: string;
  pointer: string;
  line: number;
  column: number;
}

/** Options of {@link missionSafetyFindings}. */
export interface MissionSafetyOptions {
  /** Strict mode (also on when the mission sets `llm.safety.level: strict`). */
  strict?: boolean;
}

/** Risk at and above which a check fails. */
export const failingRisk = 70;

const dangerousCommands: Array<{ pattern: RegExp; risk: number; what: string }> = [
  { pattern: /\brm\s+(?:-[a-zA-Z]*\s+)*-[a-zA-Z]*[rR][a-zA-Z]*\s+(?:-[a-zA-Z-]+\s+)*(?:--no-preserve-root\s+)?["']?(?:\/|\/\*|~|\$HOME|\/\s)["']?(?:\s|$)/, risk: 100, what: 'recursively deletes the root or home directory' },
  { pattern: /\b(?:curl|wget)\b[^|;&\n]*\|\s*(?:sudo\s+)?(?:ba|z|k|da)?sh\b/, risk: 90, what: 'pipes a download straight into a shell' },
  { pattern: /\bmkfs(?:\.\w+)?\b/, risk: 95, what: 'formats a filesystem' },
  { pattern: /:\s*\(\s*\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:/, risk: 100, what: 'is a fork bomb' },
  { pattern: /\bdd\b[^\n]*\bof=\/dev\/(?:sd|hd|nvme|xvd|disk|mmcblk)/, risk: 95, what: 'writes raw bytes over a disk' },
  { pattern: />\s*\/dev\/(?:sd|hd|nvme|xvd|disk)[a-z0-9]*/, risk: 95, what: 'overwrites a disk device' },
  { pattern: /\bchmod\s+(?:-[a-zA-Z]*R[a-zA-Z]*\s+)777\s+\/(?:\s|$)/, risk: 85, what: 'makes the whole filesystem writable by everyone' },
  { pattern: /\b(?:shutdown|reboot|halt|poweroff)\b(?:\s+-[a-zA-Z]+)*(?:\s+now)?\s*$/, risk: 75, what: 'shuts the machine down' },
];

const systemPaths = /^(?:\/(?:etc|usr|bin|sbin|boot|lib|lib64|sys|proc|dev|var\/lib|var\/log|root|opt|System|Library)(?:\/|$)|\/$|[A-Za-z]:[\\/](?:Windows|Program Files)(?:[\\/]|$))/i;
const deleteCommand = /\b(?:rm|rmdir|shred|unlink|del|rd)\b(?:\s+-[a-zA-Z-]+)*\s+["']?(\/[^\s"']*|[A-Za-z]:\\[^\s"']*)/g;

const localHost = /^(?:localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|0\.0\.0\.0|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(?:1[6-9]|2\d|3[01])\.\d+\.\d+|[^.]+\.local|[^.]+\.localhost|host\.docker\.internal)$/i;
const plainHttpUrl = /\bhttp:\/\/([^\s/:"'`<>{}]+)/gi;

/** Every string in a value, with its JSON pointer. */
function* strings(value: unknown, segments: Array<string | number>, depth = 0): Generator<{ text: string; pointer: string }> {
  if (depth > 64) return;
  if (typeof value === 'string') yield { text: value, pointer: toPointer(segments) };
  else if (Array.isArray(value)) for (const [index, item] of value.entries()) yield* strings(item, [...segments, index], depth + 1);
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) yield* strings(item, [...segments, key], depth + 1);
}

const secretPolicy = (() => {
  let compiled: ReturnType<typeof compileSafetyPolicy> | undefined;
  return () => (compiled ??= compileSafetyPolicy({ rules: { 'pii.*': 'off', 'injection.*': 'off' } }));
})();

function record(raw: unknown): Record<string, unknown> | undefined {
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
}

/** Every safety finding of a loaded mission, in document order. */
export function missionSafetyFindings(loaded: LoadedMission, options: MissionSafetyOptions = {}): MissionSafetyFinding[] {
  const raw = record(loaded.raw);
  const strict = options.strict || record(record(raw?.llm)?.safety)?.level === 'strict';
  const findings: MissionSafetyFinding[] = [];
  const add = (check: SafetyCheckName, risk: number, pointer: string, offset: number | undefined, message: string, hint: string, stepId?: string): void => {
    const position = offset !== undefined && loaded.positionInValue ? loaded.positionInValue(pointer, offset) : loaded.positionOf(pointer);
    const fails = risk >= failingRisk || (strict && (check === 'plain-http' || check === 'missing-timeout'));
    findings.push({ check, risk, fails, message, hint, stepId, pointer, line: position.line, column: position.column });
  };

  const rawSteps = Array.isArray(raw?.steps) ? (raw!.steps as unknown[]) : [];
  loaded.mission.steps.forEach((step, index) => {
    const rawStep = record(rawSteps[index]);
    const base: Array<string | number> = ['steps', index, 'parameters'];
    const parameters = step.parameters;
    // What the step would execute: `command` plus `args` (also `sh -c "…"`), and shell-ish fields.
    if (step.kind === 'command' || typeof parameters.command === 'string') {
      const pieces = [...strings(parameters.command, [...base, 'command']), ...strings(parameters.args, [...base, 'args']), ...strings(parameters.script, [...base, 'script'])];
      const line = pieces.map((piece) => piece.text).join(' ');
      // Printing a dangerous command is not running it.
      const printsOnly = /^\s*(?:echo|printf)\b/.test(line);
      for (const danger of printsOnly ? [] : dangerousCommands) {
        if (!danger.pattern.test(line)) continue;
        const where = pieces.find((piece) => danger.pattern.test(piece.text)) ?? pieces[0]!;
        add('dangerous-command', danger.risk, where.pointer, undefined, `step ${step.id} runs a command that ${danger.what}`, 'remove the command, or pass --allow-unsafe dangerous-command if you really mean it', step.id);
      }
      for (const piece of printsOnly ? [] : pieces) {
        for (const match of piece.text.matchAll(deleteCommand)) {
          // `rm -rf /` itself is the dangerous-command check's; this one is for paths under it.
          if (match[1] !== '/' && systemPaths.test(match[1]!)) add('system-path-delete', 90, piece.pointer, match.index, `step ${step.id} deletes under the system path ${match[1]}`, 'delete inside the workspace instead, or pass --allow-unsafe system-path-delete', step.id);
        }
      }
    }
    if (step.kind === 'delete_file' || step.kind === 'move_file') {
      for (const key of ['path', 'source', 'file_path']) {
        const value = parameters[key];
        if (typeof value === 'string' && systemPaths.test(value)) add('system-path-delete', 90, toPointer([...base, key]), undefined, `step ${step.id} deletes ${value}, under a system path`, 'file steps belong in the workspace; pass --allow-unsafe system-path-delete to run anyway', step.id);
      }
    }
    for (const piece of strings(parameters, base)) {
      for (const match of piece.text.matchAll(plainHttpUrl)) {
        const host = match[1]!.replace(/^[^@]*@/, '');
        if (localHost.test(host) || host.includes('{{')) continue;
        add('plain-http', 60, piece.pointer, match.index, `step ${step.id} uses plain http to ${host}: anyone on the path can read or change the traffic`, 'use https://, or pass --allow-unsafe plain-http', step.id);
      }
    }
    if (strict && step.timeoutSeconds === undefined && loaded.mission.config.timeoutSeconds === undefined && rawStep) {
      add('missing-timeout', 50, toPointer(['steps', index]), undefined, `step ${step.id} has no timeout_seconds (strict mode)`, 'set timeout_seconds on the step or config.timeout_seconds for all steps', step.id);
    }
  });

  // Secrets written literally anywhere in the file (a template like {{ env.TOKEN }} is fine).
  for (const piece of strings(loaded.raw, [])) {
    if (piece.text.length > 100_000) continue;
    for (const finding of findAll(secretPolicy(), piece.text, 'input')) {
      if (finding.category !== 'secret') continue;
      add('literal-secret', 90, piece.pointer, finding.start, `a secret is written literally in the mission (${finding.reason}, rule ${finding.rule})`, 'read it from the environment instead: {{ env.NAME }}', undefined);
    }
  }
  return findings.sort((left, right) => left.line - right.line || left.column - right.column);
}

/**
 * The findings as validation issues: failing checks are errors unless `allowUnsafe` names them
 * (then, like non-failing ones, warnings that say so).
 */
export function safetyIssues(loaded: LoadedMission, options: MissionSafetyOptions & { allowUnsafe?: Iterable<string> } = {}): ValidationIssue[] {
  const allowed = new Set(options.allowUnsafe ?? []);
  return missionSafetyFindings(loaded, options).map((finding) => {
    const blocking = finding.fails && !allowed.has(finding.check);
    return {
      file: loaded.file,
      line: finding.line,
      column: finding.column,
      pointer: finding.pointer,
      message: `[${finding.check}, risk ${finding.risk}] ${finding.message}${finding.fails && !blocking ? ' (allowed by --allow-unsafe)' : ''}`,
      hint: finding.hint,
      ...(blocking ? {} : { severity: 'warning' as const }),
    };
  });
}
