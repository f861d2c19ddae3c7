/**
 * Maps an {@link LlmRequest} onto the Gemini `generateContent` body: `user`/`model` contents,
 * `systemInstruction`, `generationConfig`, function declarations and `toolConfig`. The model goes
 * in the URL, not the body.
 */
import type { ContentPart, LlmMessage, LlmRequest, ToolChoice } from '../types.js';

/** Prefix of tool-call ids this adapter invents (Gemini usually sends none); never echoed back. */
export const geminiSyntheticIdPrefix = 'gemini-call-';

/** One part of a Gemini content. */
export type GeminiPart =
  | { text: string; thoughtSignature?: string }
  | { inlineData: { mimeType: string; data: string } }
  | { fileData: { mimeType: string; fileUri: string } }
  | { functionCall: { name: string; args: Record<string, unknown>; id?: string }; thoughtSignature?: string }
  | { functionResponse: { name: string; response: Record<string, unknown>; id?: string } };

/** One turn of a Gemini conversation. */
export interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/** The JSON body of `generateContent` / `streamGenerateContent` (only the fields this project sends). */
export interface GeminiRequestBody {
  contents: GeminiContent[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: { functionDeclarations: { name: string; description?: string; parametersJsonSchema: Record<string, unknown> }[] }[];
  toolConfig?: { functionCallingConfig: { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] } };
  generationConfig?: {
    temperature?: number;
    topP?: number;
    maxOutputTokens?: number;
    stopSequences?: string[];
    responseMimeType?: string;
    responseJsonSchema?: Record<string, unknown>;
  };
}

/** The model's resource path: `models/{id}`, unless the id already names a collection (`tunedModels/…`). */
export function geminiModelPath(model: string): string {
  return model.includes('/') ? model : `models/${model}`;
}

/** Builds the request body. */
export function buildGeminiBody(request: LlmRequest): GeminiRequestBody {
  const body: GeminiRequestBody = { contents: mapContents(request.messages) };
  const system = request.messages.filter((message) => message.role === 'system').map((message) => ({ text: message.content as string }));
  if (system.length) body.systemInstruction = { parts: system };
  if (request.tools?.length) {
    body.tools = [
      {
        // parametersJsonSchema takes JSON Schema as is; `parameters` wants Google's OpenAPI subset.
        functionDeclarations: request.tools.map((tool) => ({
          name: tool.name,
          ...(tool.description === undefined ? {} : { description: tool.description }),
          parametersJsonSchema: tool.parameters,
        })),
      },
    ];
  }
  // Without function declarations there is no calling to configure.
  if (request.tools?.length && request.toolChoice !== undefined) body.toolConfig = { functionCallingConfig: mapToolChoice(request.toolChoice) };
  const generationConfig: NonNullable<GeminiRequestBody['generationConfig']> = {};
  if (request.temperature !== undefined) generationConfig.temperature = request.temperature;
  if (request.topP !== undefined) generationConfig.topP = request.topP;
  if (request.maxTokens !== undefined) generationConfig.maxOutputTokens = request.maxTokens;
  if (request.stop?.length) generationConfig.stopSequences = request.stop;
  if (request.responseFormat) {
    generationConfig.responseMimeType = 'application/json';
    if (request.responseFormat.schema) generationConfig.responseJsonSchema = request.responseFormat.schema;
  }
  if (Object.keys(generationConfig).length) body.generationConfig = generationConfig;
  return body;
}

function mapToolChoice(choice: ToolChoice): NonNullable<GeminiRequestBody['toolConfig']>['functionCallingConfig'] {
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'required') return { mode: 'ANY' };
  return { mode: 'ANY', allowedFunctionNames: [choice.name] };
}

/** Consecutive turns of one role are merged: parallel tool results must share one user turn. */
function mapContents(messages: LlmMessage[]): GeminiContent[] {
  const contents: GeminiContent[] = [];
  const append = (role: GeminiContent['role'], parts: GeminiPart[]): void => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        break;
      case 'user':
        append('user', userParts(message.content));
        break;
      case 'assistant': {
        // Signatures go back on the parts they came on (Gemini 3 rejects a signed call sent back unsigned).
        const parts: GeminiPart[] = [];
        if (message.content) parts.push({ text: message.content, ...signed(message.signature) });
        for (const call of message.toolCalls ?? []) {
          parts.push({ functionCall: { name: call.name, args: call.arguments, ...realId(call.id) }, ...signed(call.signature) });
        }
        // A signature without text came on a trailing empty part; it goes back as one.
        if (!message.content && message.signature) parts.push({ text: '', thoughtSignature: message.signature });
        // An empty assistant turn has no parts to send; the API rejects empty `parts`.
        append('model', parts);
        break;
      }
      case 'tool':
        append('user', [{ functionResponse: { name: message.toolName, response: toolResponse(message.content, message.isError), ...realId(message.toolCallId) } }]);
        break;
    }
  }
  return contents;
}

function signed(signature: string | undefined): { thoughtSignature?: string } {
  return signature ? { thoughtSignature: signature } : {};
}

/** Only ids Gemini itself issued go back; invented ones would name calls it never made. */
function realId(id: string): { id?: string } {
  return id && !id.startsWith(geminiSyntheticIdPrefix) ? { id } : {};
}

/** `functionResponse.response` must be an object: JSON objects pass through, anything else is wrapped. */
function toolResponse(content: string, isError: boolean | undefined): Record<string, unknown> {
  if (isError) return { error: content };
  try {
    const parsed: unknown = JSON.parse(content);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // Plain text results are the common case; they are wrapped below.
  }
  return { result: content };
}

function userParts(content: string | ContentPart[]): GeminiPart[] {
  if (typeof content === 'string') return [{ text: content }];
  return content.map((part): GeminiPart => {
    if (part.type === 'text') return { text: part.text };
    const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(part.url);
    if (dataUrl) return { inlineData: { mimeType: dataUrl[1], data: dataUrl[2] } };
    return { fileData: { mimeType: part.mediaType ?? guessMimeType(part.url), fileUri: part.url } };
  });
}

function guessMimeType(url: string): string {
  const extension = /\.([a-z0-9]+)(?:[?#].*)?$/i.exec(url)?.[1]?.toLowerCase();
  const known: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', webp: 'image/webp', gif: 'image/gif', pdf: 'application/pdf' };
  return (extension && known[extension]) || 'application/octet-stream';
}
