/**
 * The clients the provider-overhead benchmark compares, each as a "make one call" function plus
 * the answer it must produce: our OpenAI adapter, the official openai SDK, a bare undici
 * `request()` that only reads the bytes, and the floor a real client is measured against: bare
 * undici plus the parsing any client must do (`JSON.parse` of the body, or of each SSE frame).
 */
import OpenAI from 'openai';
import { Agent, request } from 'undici';
import { createOpenAIAdapter } from '../../providers/adapters/openai.js';
import { complete } from '../../providers/observable.js';
import type { LlmRequest } from '../../providers/types.js';
import { chatCompletionJson, chatCompletionStreamFrames, chatCompletionStreamText } from './openai-canned.js';

/** One client in one mode: `call` makes a call and returns what it got, `expected` is what it must get. */
export interface BenchClient {
  name: string;
  call(): Promise<unknown>;
  expected: unknown;
}

/** What every benchmark client sends: the canned server's model and one short question. */
export const apiKey = 'sk-bench-not-a-real-key';
export const model = 'gpt-5-nano';
export const llmRequest: LlmRequest = { model, messages: [{ role: 'user', content: 'Hello!' }] };
const sdkMessages = [{ role: 'user' as const, content: 'Hello!' }];

/** Builds the clients for one mode (non-streamed or streamed), in table order (adapter, SDK, bare, bare + parse), against a server at `baseUrl` (including `/v1`). */
export function createClients(baseUrl: string, streamed: boolean, agent: Agent): BenchClient[] {
  const adapter = createOpenAIAdapter({ apiKey, baseUrl });
  const sdk = new OpenAI({ apiKey, baseURL: baseUrl, maxRetries: 0 });
  const chatUrl = `${baseUrl}/chat/completions`;
  const bareHeaders = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${apiKey}` };
  const bareRequest = { model, messages: sdkMessages, ...(streamed ? { stream: true, stream_options: { include_usage: true } } : {}) };
  const bareBody = JSON.stringify(bareRequest);
  const text = chatCompletionStreamText();
  const recordedContent = (JSON.parse(chatCompletionJson) as { choices: { message: { content: string } }[] }).choices[0].message.content;

  if (!streamed) {
    return [
      { name: 'adapter: completeRequest', call: async () => (await adapter.completeRequest(llmRequest)).content, expected: recordedContent },
      {
        name: 'openai SDK: create',
        call: async () => (await sdk.chat.completions.create({ model, messages: sdkMessages })).choices[0].message.content,
        expected: recordedContent,
      },
      {
        name: 'bare undici: request + text()',
        call: async () => (await request(chatUrl, { dispatcher: agent, method: 'POST', headers: bareHeaders, body: bareBody })).body.text(),
        expected: chatCompletionJson,
      },
      {
        name: 'bare undici + JSON.parse',
        call: async () => {
          const { body } = await request(chatUrl, { dispatcher: agent, method: 'POST', headers: bareHeaders, body: JSON.stringify(bareRequest) });
          return (JSON.parse(await body.text()) as { choices: { message: { content: string } }[] }).choices[0].message.content;
        },
        expected: recordedContent,
      },
    ];
  }
  return [
    { name: 'adapter: complete(stream())', call: async () => (await complete(adapter.stream(llmRequest))).content, expected: text },
    {
      name: 'openai SDK: create stream + iterate',
      call: async () => {
        const stream = await sdk.chat.completions.create({ model, messages: sdkMessages, stream: true });
        let content = '';
        for await (const chunk of stream) content += chunk.choices[0]?.delta?.content ?? '';
        return content;
      },
      expected: text,
    },
    {
      name: 'bare undici: request + read bytes',
      call: async () => {
        const { body } = await request(chatUrl, { dispatcher: agent, method: 'POST', headers: bareHeaders, body: bareBody });
        let bytes = 0;
        for await (const chunk of body) bytes += (chunk as Uint8Array).length;
        return bytes;
      },
      expected: Buffer.byteLength(chatCompletionStreamFrames().join('')),
    },
    {
      // The floor a streaming client cannot go below: serialize the request, decode, split into SSE
      // frames, JSON.parse each.
      name: 'bare undici + SSE split + JSON.parse',
      call: async () => {
        const { body } = await request(chatUrl, { dispatcher: agent, method: 'POST', headers: bareHeaders, body: JSON.stringify(bareRequest) });
        const decoder = new TextDecoder();
        let text = '';
        for await (const chunk of body) text += decoder.decode(chunk as Uint8Array, { stream: true });
        let content = '';
        for (const line of text.split('\n')) {
          if (line.startsWith('data: {')) content += (JSON.parse(line.slice(6)) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? '';
        }
        return content;
      },
      expected: text,
    },
  ];
}
