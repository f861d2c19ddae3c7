/**
 * Content safety for the LLM layer, usable without the engine: compile a policy, scan texts,
 * scan streams with a hold-back window, or plug the whole policy into a call pipeline as a
 * {@link import('../stage.js').CallStage}.
 */
export type { Detector, SafetyAction, SafetyCategory, SafetyDirection, SafetyFinding, SafetyScanResult, SafetyVerdict } from './types.js';
export { defaultRules, levelPresets, mergeSafetyConfigs } from './config.js';
export type { ModerationConfig, RuleObject, RuleSetting, SafetyConfig, SafetyLevel, TopicsConfig } from './config.js';
export { compileSafetyPolicy } from './policy.js';
export type { CompiledRule, SafetyPolicy } from './policy.js';
export { scanText, excerptOf } from './scanner.js';
export { StreamScanner } from './stream-scanner.js';
export type { StreamScanStep } from './stream-scanner.js';
export { scanMessages } from './input-scan.js';
export type { MessageFinding, MessagesScan } from './input-scan.js';
export { createSafetyStage } from './safety-stage.js';
export type { SafetyStageOptions } from './safety-stage.js';
export { judgeModerator, llamaGuardPrompt, openAiModerator, parseJudgeAnswer, parseOpenAiModeration } from './moderation.js';
export type { JudgeModeratorOptions, ModerationVerdict, Moderator, OpenAiModeratorOptions } from './moderation.js';
export { ModerationUnavailableError, SafetyBlockedError, SafetyConfigError, SafetyErrorCode, SafetyInputTooLargeError } from './errors.js';
export { validateSafetyConfig } from './validate-config.js';
export type { SafetyConfigIssue } from './validate-config.js';
