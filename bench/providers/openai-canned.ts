/**
 * Canned OpenAI Chat Completions bodies for the provider-overhead benchmark, in the exact byte
 * shapes the real API sends: a pretty-printed `chat.completion` object (recorded), and
 * `chat.completion.chunk` SSE frames with `stream_options.include_usage` (`"usage":null` on
 * every chunk, then a `choices: []` usage chunk and `data: [DONE]`).
 */

/** A recorded non-streamed answer, byte for byte as the API sent it. */
export const chatCompletionJson = String.raw`{
  "id": "chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU",
  "object": "chat.completion",
  "created": 1770933883,
  "model": "gpt-4.1-nano-2025-04-14",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "**Holiday Name:** Galaxy Day  \n\n**Date:** October 31st, aligning with the night sky's peak viewing of constellations and celestial events.  \n\n**Purpose:** Galaxy Day celebrates the universe's vastness, beauty, and our collective curiosity about the cosmos. It's a time to honor science, imagination, and our shared human wonder about the stars and beyond.  \n\n**Traditions:**  \n\n1. **Stargazing Festivals:** Communities host outdoor gatherings in parks, rooftops, or open fields. People set up telescopes, enjoy guided stargazing sessions, and share stories about space, astronomy, and mythologies linked to constellations.  \n\n2. **Cosmic Costumes:** Participants dress up as planets, stars, astronauts, aliens, or celestial phenomena. Parades and costume contests encourage creativity inspired by the universe's mysteries.  \n\n3. **Celestial Art:** Art installations and light shows depict galaxies, nebulae, and astronomical phenomena. Schools and galleries often hold exhibitions or workshops focusing on space-inspired creativity.  \n\n4. **Educational Activities:** Museums and science centers offer special exhibits, planetarium shows, and activities for all ages to learn about space exploration, astronomy, and the universe's origins.  \n\n5. **Offering of Light:** In homage to distant stars, families and communities light candles or lanterns, symbolizing hope, curiosity, and the idea that even the smallest light can illuminate vast darkness\u2014mirroring our quest to find knowledge amidst the cosmos.  \n\n6. **Global Connection:** As Galaxy Day emphasizes shared wonder, people are encouraged to connect virtually with friends or communities worldwide to share discoveries, stories, and aspirations related to space.  \n\nGalaxy Day fosters a sense of unity, exploration, and awe, inspiring individuals to look up and dream beyond our world.",
        "refusal": null,
        "annotations": []
      },
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 16,
    "completion_tokens": 363,
    "total_tokens": 379,
    "prompt_tokens_details": {
      "cached_tokens": 0,
      "audio_tokens": 0
    },
    "completion_tokens_details": {
      "reasoning_tokens": 0,
      "audio_tokens": 0,
      "accepted_prediction_tokens": 0,
      "rejected_prediction_tokens": 0
    }
  },
  "service_tier": "default",
  "system_fingerprint": "fp_de604bd877"
}`;

/** The content deltas (and their `obfuscation` padding) of a recorded streamed answer. */
const recordedDeltas: ReadonlyArray<readonly [string, string]> = [
  ["Hi", "UC"],
  [" there", "LcdzdJdMMgDHt6"],
  ["!", "k0O"],
  [" How", ""],
  [" can", ""],
  [" I", "Jw"],
  [" help", "IIfWhAMKFR1KZpb"],
  [" today", "S4aIEacCRfN26p"],
  ["?", "rbk"],
  [" I", "At"],
  [" can", ""],
  [" answer", "S23tO1CdR8yVE"],
  [" questions", "TNNj6MD093"],
  [",", "dSQ"],
  [" explain", "KgsawPFpBILh"],
  [" concepts", "xPRnFbvV7Gd"],
  [",", "zLb"],
  [" help", "r9DHSsyELAEnmjs"],
  [" with", "lTcyuZEzmeO9Ewy"],
  [" writing", "TSkKdw5652h6"],
  [" or", "W"],
  [" brainstorming", "KbzZ7r"],
  [",", "PeF"],
  [" code", "h51OmpSJnwOlsxn"],
  [",", "q2n"],
  [" plan", "cchdUfuzmtej9jG"],
  [" something", "SaiAf799RW"],
  [",", "ha8"],
  [" and", ""],
  [" more", "tbYc6iACs4KikYZ"],
  [".", "uQP"],
  [" Tell", "fWHaciylvC15d5s"],
  [" me", "R"],
  [" what", "FLzQePm8x42nPVs"],
  [" you", ""],
  ["’d", "46"],
  [" like", "PTUhoP48MH4k0x0"],
  [" to", "d"],
  [" work", "joXhTGp9LqeK8zO"],
  [" on", "C"],
  [" or", "X"],
  [" a", "be"],
  [" topic", "yBUv8b1dlI5ORP"],
  [" you", ""],
  ["’re", "i"],
  [" curious", "Ssyp3BxSS24g"],
  [" about", "AhjV0cXZqo72k8"],
  [".", "OdX"],
];

const chunkHead =
  '{"id":"chatcmpl-C4HqHBe4xca0k0EzsCnf1t6V3YFXp","object":"chat.completion.chunk","created":1755137933,' +
  '"model":"gpt-5-nano-2025-08-07","service_tier":"default","system_fingerprint":null,"choices":';
const finalUsage =
  '{"prompt_tokens":8,"completion_tokens":48,"total_tokens":56,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},' +
  '"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}';

function frame(choices: string, usage: string, obfuscation: string): string {
  return `data: ${chunkHead}${choices},"usage":${usage},"obfuscation":"${obfuscation}"}\n\n`;
}

/**
 * The SSE frames of a streamed answer with `deltaCount` content deltas (the recorded ones, cycled):
 * a role frame, the deltas, a finish frame, the usage frame and `[DONE]`.
 */
export function chatCompletionStreamFrames(deltaCount: number = recordedDeltas.length): string[] {
  const frames = [frame('[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"finish_reason":null}]', 'null', 'nX')];
  for (let index = 0; index < deltaCount; index++) {
    const [content, obfuscation] = recordedDeltas[index % recordedDeltas.length];
    frames.push(frame(`[{"index":0,"delta":{"content":${JSON.stringify(content)}},"finish_reason":null}]`, 'null', obfuscation));
  }
  frames.push(frame('[{"index":0,"delta":{},"finish_reason":"stop"}]', 'null', 'XQdNwPP14L3TH0'));
  frames.push(frame('[]', finalUsage, 't9'));
  frames.push('data: [DONE]\n\n');
  return frames;
}

/** The text a client should assemble from {@link chatCompletionStreamFrames}. */
export function chatCompletionStreamText(deltaCount: number = recordedDeltas.length): string {
  let text = '';
  for (let index = 0; index < deltaCount; index++) text += recordedDeltas[index % recordedDeltas.length][0];
  return text;
}

/** Response headers the API sends with every answer (the ones clients read: ids, rate limits). */
export const openaiResponseHeaders: Record<string, string> = {
  'openai-version': '2020-10-01',
  'openai-processing-ms': '6191',
  'x-request-id': 'req_cce54d2033034299a777db6f8ce812cf',
  'x-ratelimit-limit-requests': '500',
  'x-ratelimit-limit-tokens': '200000',
  'x-ratelimit-remaining-requests': '499',
  'x-ratelimit-remaining-tokens': '199996',
  'x-ratelimit-reset-requests': '120ms',
  'x-ratelimit-reset-tokens': '1ms',
};
