/**
 * Templates (`{{ expr }}` in any string) and conditions (`if:`), evaluated with jexl: safe (no
 * `eval`), synchronous, compiled once.
 */
export { renderValue, renderString, evaluateCondition, conditionExpression } from './render.js';
export { templateReferences, expressionReferences } from './references.js';
export type { TemplateReferences, ExpressionReferences, StepReference } from './references.js';
export { scanTemplate, soleExpression, hasTemplate } from './template-scan.js';
export type { TemplatePart, ScannedTemplate } from './template-scan.js';
export { scopeRoots, stepScopeFields, expressionContext } from './scope.js';
export type { TemplateScope, StepResultScope } from './scope.js';
export { compileExpression, evaluateExpression, transformNames } from './jexl-engine.js';
export type { CompiledExpression, ExpressionNode } from './jexl-engine.js';
