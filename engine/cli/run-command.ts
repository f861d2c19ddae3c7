/**
 * `mission run <file>` and `mission resume <run-id>`: run with live progress, Ctrl-C cancels
 * cleanly (exit 130), `--json` prints one result object on stdout. The LLM layer is loaded only
 * for missions with model-calling steps.
 */
import type { Command } from 'commander';
import { readFileSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import type { ProjectConfig } from '../config/project-config.js';
import { parseMission } from '../mission/load.js';
import { safetyCheckNames } from '../mission/safety-check.js';
import type { MissionDefinition } from '../mission/types.js';
import { resumeRun, runMission } from '../run/run-mission.js';
import type { RunOptions, RunResult } from '../run/run-types.js';
import type { LlmService } from '../steps/llm/llm-service.js';
import { killAllProcessTrees } from '../steps/process-runner.js';
import type { StepServices } from '../steps/types.js';
import { sha256Hex } from '../store/index.js';
import { createLogger, databasePath, openExistingStore, openStore, parseVars, type StoreOptions } from './cli-context.js';
import { CliExit, ExitCode } from './cli-exit.js';
import { loadValidMission, registryFor } from './mission-loading.js';
import { collect, databaseOption, logLevelOption } from './option-parsers.js';
import { createProgressPrinter, summarize } from './progress.js';
import { configOptionFlags, configOptionHelp, loadProjectConfigOrExit } from './project-config-option.js';

interface RunCommandOptions extends StoreOptions {
  config?: string;
  var?: string[];
  allowUnsafe?: string[];
  workspace?: string;
  json?: boolean;
  logLevel?: string;
}

/** Step kinds that call a model: only missions with one load the LLM layer and discover providers. */
const modelKinds: ReadonlySet<string> = new Set(['llm', 'agent', 'chain']);

/** Registers `run` and `resume`. */
export function register(program: Command): void {
  program
    .command('run')
    .description('run a mission file')
    .argument('<file>', 'mission file (.yaml, .yml or .json)')
    .option('--var <key=value>', 'set a mission variable (repeatable)', collect)
    .addOption(databaseOption())
    .option('--workspace <dir>', 'directory file steps are confined to (default: the current directory)')
    .option('--json', 'print one JSON result object on stdout')
    .option(configOptionFlags, configOptionHelp)
    .addOption(logLevelOption())
    .option('--allow-unsafe <check>', `run although this mission safety check fails (repeatable; recorded in the audit trail): ${safetyCheckNames.join(', ')}`, collect)
    .action(async (file: string, options: RunCommandOptions) => {
      const vars = parseVars(options.var ?? []);
      const allowUnsafe = options.allowUnsafe ?? [];
      const unknown = allowUnsafe.filter((check) => !(safetyCheckNames as readonly string[]).includes(check));
      if (unknown.length > 0) throw new CliExit(ExitCode.invalid, `--allow-unsafe ${unknown[0]} is not a safety check: use one of ${safetyCheckNames.join(', ')}`);
      if (options.workspace !== undefined && !isDirectory(options.workspace)) {
        throw new CliExit(ExitCode.invalid, `--workspace ${options.workspace} is not an existing directory`);
      }
      const logger = createLogger(options.logLevel);
      const project = await loadProjectConfigOrExit(options.config);
      const { loaded, registry } = await loadValidMission(file, Object.keys(vars), { project, allowUnsafe });
      // A misspelt --var would otherwise pass unnoticed while the default it meant to override is used.
      const declared = Object.keys(loaded.mission.vars);
      for (const name of Object.keys(vars).filter((key) => declared.length > 0 && !declared.includes(key))) {
        process.stderr.write(`warning: --var ${name} is not declared under vars: in ${file} (declared: ${declared.join(', ')})\n`);
      }
      const projectRoutes = Object.keys(project.llm.routes ?? {});
      await execute(options, logger, loaded.mission, project, (common) => runMission(loaded, { ...common, registry, vars, workspace: options.workspace, allowUnsafe, projectRoutes }));
    });

  program
    .command('resume')
    .description('continue an interrupted or failed run; succeeded steps are not run again')
    .argument('<run-id>', 'id of the run (see `mission runs`)')
    .addOption(databaseOption())
    .option('--json', 'print one JSON result object on stdout')
    .option('--take-over', 'resume even though the run is recorded as running in a live process')
    .option(configOptionFlags, configOptionHelp)
    .addOption(logLevelOption())
    .action(async (runId: string, options: RunCommandOptions & { takeOver?: boolean }) => {
      const logger = createLogger(options.logLevel);
      const project = await loadProjectConfigOrExit(options.config);
      const store = openExistingStore(options);
      const run = store.getRun(runId);
      store.close();
      if (!run) throw new CliExit(ExitCode.failed, `no run with id ${runId} in ${databasePath(options)}`, 'MISSION_ERR_RUN_NOT_FOUND');
      const loaded = parseMission(run.missionSource, run.missionFile);
      const registry = await registryFor(loaded);
      // Resume deliberately runs the mission as recorded (the kept outputs came from it); an
      // edited file would otherwise be ignored without a word.
      if (missionFileChanged(run.missionFile, run.missionHash)) {
        process.stderr.write(`note: ${run.missionFile} changed since run ${runId} started; resuming the mission as it was recorded then (start a new run to use the edited file)\n`);
      }
      await execute(options, logger, loaded.mission, project, (common) => resumeRun(runId, { ...common, registry, takeOver: options.takeOver }));
    });
}

async function execute(
  options: RunCommandOptions,
  logger: Logger,
  mission: MissionDefinition,
  project: ProjectConfig,
  start: (common: Omit<RunOptions, 'registry'>) => Promise<RunResult>,
): Promise<void> {
  const store = openStore(options);
  const controller = new AbortController();
  let interrupts = 0;
  // 130 for Ctrl-C (SIGINT), 143 for SIGTERM: 128 + the signal's number, as shells report it.
  let interruptedExit: number = ExitCode.interrupted;
  const onInterrupt = (signal: NodeJS.Signals): void => {
    interrupts++;
    if (signal === 'SIGTERM') interruptedExit = ExitCode.terminated;
    if (interrupts > 1) {
      // Quitting at once: commands lead their own process groups, which would outlive us.
      killAllProcessTrees();
      process.exit(interruptedExit);
    }
    process.stderr.write(`\n${signal === 'SIGTERM' ? 'Terminated' : 'Interrupted'}: cancelling running steps (${signal === 'SIGTERM' ? 'signal' : 'Ctrl-C'} again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  const live = !options.json && process.stderr.isTTY === true;
  const usesModels = mission.steps.some((step) => modelKinds.has(step.kind));
  const progress = live ? createProgressPrinter((text) => process.stderr.write(text), { ticking: true, columns: process.stderr.columns }) : undefined;
  let services: StepServices = {};
  try {
    if (usesModels && logger.isLevelEnabled('debug')) {
      // Provider requests with status and timing; the hook never sees headers, bodies or queries.
      const { observeHttpExchanges } = await import('../../providers/http.js');
      observeHttpExchanges((exchange) => logger.debug(exchange, 'provider request'));
    }
    services = usesModels ? await (await import('./services.js')).createStepServices(mission, controller.signal, project, databasePath(options)) : {};
    const result = await start({ store, logger, signal: controller.signal, services, onProgress: progress?.onEvent });
    progress?.stop();
    const costOutput = usesModels ? await import('./run-cost-output.js') : undefined;
    const cost = costOutput ? await costOutput.readRunCost(databasePath(options), result.runId) : undefined;
    if (options.json) process.stdout.write(`${JSON.stringify(cost ? costOutput!.withRunCost(result, cost) : result)}\n`);
    else process.stdout.write(`${summarize(result)}${cost ? `\n${costOutput!.formatRunCost(cost)}` : ''}\n`);
    process.exitCode = result.status === 'succeeded' ? ExitCode.succeeded : result.status === 'cancelled' ? interruptedExit : ExitCode.failed;
  } finally {
    progress?.stop();
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
    store.close();
    // Provider connection pools (and the layer's probes and stores) exist only when the LLM layer was loaded.
    (services.llm as LlmService | undefined)?.close?.();
    if (usesModels) {
      const http = await import('../../providers/http.js');
      http.observeHttpExchanges(undefined);
      await http.closePools();
    }
  }
}

function isDirectory(candidate: string): boolean {
  try {
    return statSync(candidate).isDirectory();
  } catch {
    return false;
  }
}

/** Whether the mission file still exists here and differs from the recorded source. */
function missionFileChanged(file: string, recordedHash: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  return sha256Hex(text) !== recordedHash;
}
