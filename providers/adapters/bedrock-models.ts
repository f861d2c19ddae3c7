/**
 * Bedrock's model list. It lives on the control plane (service `bedrock`, host
 * `bedrock.{region}.{dnsSuffix}`), not on Bedrock Runtime: `GET /foundation-models`, restJson1, no
 * body, no pagination, answered with `{"modelSummaries":[{modelId, outputModalities,
 * inferenceTypesSupported, modelLifecycle, …}]}` (AWS SDK `ListFoundationModelsCommand`).
 */
import { LlmError, LlmErrorCode } from '../errors.js';

/** The path of ListFoundationModels. */
export const foundationModelsPath = '/foundation-models';

/**
 * The query this adapter sends: only models that write text and can be called on demand by their
 * bare id. The service filters on these; {@link onDemandTextModelIds} filters again, so a proxy or
 * an older endpoint that ignores them cannot smuggle in embedding, image or provisioned-only models.
 */
export const foundationModelsQuery = 'byInferenceType=ON_DEMAND&byOutputModality=TEXT';

/**
 * The AWS DNS suffix of a region: `amazonaws.com.cn` in the China partition, else `amazonaws.com`
 * (the partitions of the AWS SDK's endpoint rules that Bedrock runs in).
 */
export function awsDnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** The default control-plane origin of a region, as the AWS SDK's Bedrock endpoint rules build it. */
export function bedrockControlPlaneUrl(region: string): string {
  return `https://bedrock.${region}.${awsDnsSuffix(region)}`;
}

/**
 * The ids a Converse call can name from a ListFoundationModels answer: text output and
 * `ON_DEMAND` among the inference types. Models offered only through inference profiles
 * (`INFERENCE_PROFILE`) or provisioned throughput (`PROVISIONED`, the `…:0:200k` ids) are left
 * out: their bare id is refused by Converse. Legacy models stay: they still answer until retired.
 */
export function onDemandTextModelIds(body: unknown): string[] {
  const summaries = isRecord(body) ? body.modelSummaries : undefined;
  if (!Array.isArray(summaries)) {
    throw new LlmError(LlmErrorCode.malformedResponse, 'bedrock returned a model list without modelSummaries', { provider: 'bedrock' });
  }
  const ids: string[] = [];
  for (const summary of summaries) {
    if (!isRecord(summary) || typeof summary.modelId !== 'string') continue;
    if (!includes(summary.outputModalities, 'TEXT') || !includes(summary.inferenceTypesSupported, 'ON_DEMAND')) continue;
    if (!ids.includes(summary.modelId)) ids.push(summary.modelId);
  }
  return ids;
}

function includes(list: unknown, value: string): boolean {
  return Array.isArray(list) && list.includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
