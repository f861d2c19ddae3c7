/**
 * The phrase patterns of prompt-injection rules, per language. Each is a case-insensitive,
 * bounded regular expression; gaps between key words are bounded too (`[^.\n]{0,n}`) so matching
 * stays linear.
 */

/** A bounded gap of a few words within one sentence. */
const gap = (max: number): string => `[^.!?\\n]{0,${max}}?`;

/** "Ignore / forget / override the previous instructions", in several languages. */
export const instructionOverride: string[] = [
  // English
  `\\b(?:ignore|disregard|forget|override|bypass|abandon|discard)\\b${gap(30)}\\b(?:previous|prior|above|earlier|preceding|all|any|your|system|original|initial|former|existing)\\b${gap(24)}\\b(?:instructions?|prompts?|rules|directives?|directions|guidelines|programming|constraints|restrictions|guardrails|policies|orders)\\b`,
  `\\b(?:do not|don't|stop)\\s+(?:follow|obey|follow(?:ing)?)${gap(20)}\\b(?:previous|prior|above|system|your)\\b${gap(20)}\\b(?:instructions?|rules|prompt)\\b`,
  `\\bnew\\s+(?:instructions|rules|system prompt)\\s*:`,
  `\\byour\\s+(?:new|real|true)\\s+(?:instructions|task|purpose|goal)\\s+(?:is|are)\\s*(?:to\\b|:)`,
  // Spanish
  `\\b(?:ignora|ignore|ignorad|olvida|olvide|descarta|omite)\\b${gap(30)}\\b(?:instrucciones|reglas|indicaciones|órdenes)\\b${gap(20)}(?:anteriores|previas|de arriba|del sistema)?`,
  // French
  `\\b(?:ignore[rsz]?|oublie[rsz]?|néglige[rsz]?|fais abstraction)\\b${gap(30)}\\b(?:instructions|consignes|règles|directives)\\b`,
  // German
  `\\b(?:ignorier(?:e|en|t)?|vergiss|vergessen sie|missachte)\\b${gap(30)}\\b(?:anweisungen|instruktionen|regeln|vorgaben|befehle)\\b`,
  // Italian
  `\\b(?:ignora|ignorate|dimentica|dimenticate|trascura)\\b${gap(30)}\\b(?:istruzioni|regole|indicazioni)\\b`,
  // Portuguese
  `\\b(?:ignore|ignora|esqueça|esqueca|desconsidere)\\b${gap(30)}\\b(?:instruções|instrucoes|regras|orientações)\\b`,
  // Dutch
  `\\b(?:negeer|vergeet)\\b${gap(30)}\\b(?:instructies|regels|opdrachten)\\b`,
  // Russian
  `(?:игнорируй|игнорируйте|забудь|забудьте|проигнорируй)${gap(30)}(?:инструкции|указания|правила|команды)`,
  // Chinese
  `(?:忽略|无视|忘记|忘掉|不要理会|忽视)${gap(12)}(?:指令|指示|说明|规则|提示|要求)`,
  // Japanese
  `(?:指示|命令|ルール|プロンプト)${gap(12)}(?:無視|忘れ)`,
  // Korean
  `(?:지시|명령|규칙|지침)${gap(12)}(?:무시|잊어)`,
];

/** Asking for the hidden system prompt or the instructions given before the conversation. */
export const promptExfiltration: string[] = [
  `\\bwhat (?:is|are|was|were) your\\s+(?:exact\\s+|full\\s+|original\\s+|initial\\s+|hidden\\s+)?(?:system prompt|system message|instructions|initial prompt|pre-?prompt)`,
  `\\b(?:reveal|show|print|display|output|repeat|recite|leak|dump|tell me|give me|write out)\\b${gap(30)}\\b(?:system prompt|system message|initial (?:prompt|instructions)|hidden (?:prompt|instructions)|original (?:prompt|instructions)|(?:your|the) instructions (?:above|you were given)|pre-?prompt|developer (?:message|prompt))`,
  `\\brepeat\\b${gap(20)}\\b(?:words|text|everything|all)\\b${gap(12)}\\b(?:above|before|preceding)\\b`,
  `\\bwhat (?:were|are) you (?:told|instructed|programmed)\\b`,
  `\\b(?:revela|muestra|muéstrame|dime)\\b${gap(24)}\\b(?:prompt del sistema|instrucciones (?:del sistema|iniciales|ocultas))`,
  `\\b(?:révèle|montre|affiche|donne)[-\\w]*\\b${gap(24)}\\b(?:prompt (?:système|systeme)|instructions (?:initiales|système|cachées))`,
  `\\b(?:zeig|gib|verrate)\\w*\\b${gap(24)}\\b(?:system-?prompt|anfangsanweisungen|versteckten anweisungen)`,
  `(?:系统提示|系统提示词|初始指令)${gap(8)}(?:告诉|显示|输出|打印|是什么)|(?:告诉我|显示|输出|打印)${gap(8)}(?:系统提示|系统提示词|初始指令)`,
  `(?:システムプロンプト)${gap(8)}(?:教えて|表示|出力)`,
  `(?:покажи|выведи|раскрой)${gap(20)}(?:системный промпт|системные инструкции)`,
];

/** Role-play that claims to lift the model's rules ("developer mode", DAN, "no restrictions"). */
export const rolePlay: string[] = [
  // "Developer mode" is also a phone setting: it counts when the model is the one put in it.
  `\\b(?:developer|god|debug|jailbreak|unrestricted|unfiltered|uncensored|evil)\\s+mode\\b${gap(60)}\\b(?:you|your|respond|answer|reply|output|generate|chatgpt|ai|assistant|model)\\b`,
  `\\b(?:you are|you're|you will be|stay|remain)\\s+(?:now\\s+)?in\\s+(?:developer|god|debug|jailbreak|unrestricted|unfiltered|uncensored|evil)\\s+mode\\b`,
  `\\b(?:unrestricted|unfiltered|uncensored|evil|jailbreak)\\s+mode\\b`,
  `\\bDAN\\b${gap(40)}\\b(?:do anything now|anything now|no (?:rules|restrictions|limits))|\\bdo anything now\\b`,
  `\\b(?:pretend|act|behave|roleplay|role-play|you are|you're|play a game|imagine you)\\b${gap(80)}\\b(?:no|without|free (?:of|from)|free of any|unbound by)\\b${gap(20)}\\b(?:restrictions|rules|limits|filters|guidelines|censorship|ethical|ethics|moral|morals)\\b`,
  `\\b(?:you are|you're)\\s+(?:now\\s+)?(?:no longer|not)\\s+(?:an? )?(?:ai|assistant|language model|bound|restricted|chatgpt|claude)\\b`,
  `\\bfrom now on,?\\s+you\\s+(?:are|will|must|shall)\\b${gap(40)}\\b(?:unfiltered|uncensored|without|no|never refuse|anything)\\b`,
  `\\bjailbr(?:eak|oken)\\b${gap(40)}\\b(?:you|your|assistant|ai|model|chatgpt|answer|respond)\\b`,
  `\\b(?:modo desarrollador|modo sin restricciones|mode développeur|mode sans restrictions|entwicklermodus|modalità sviluppatore|modo desenvolvedor)\\b`,
  `(?:режим разработчика|режим без ограничений|开发者模式|越狱|開発者モード|脱獄)`,
  `\\b(?:finge|imagina) que\\b${gap(30)}\\bsin (?:restricciones|reglas|filtros)`,
  `\\b(?:fais semblant|imagine) que\\b${gap(30)}\\bsans (?:restrictions|règles|filtres)`,
  `\\b(?:tu so|stell dir vor|tue so)\\b${gap(30)}\\bohne (?:einschränkungen|regeln|filter)`,
];

/** Splitting a forbidden instruction into pieces the model is asked to join. */
export const payloadSplitting: string[] = [
  `\\b[a-z]\\w{0,8}\\s*=\\s*["'][^"'\\n]{1,60}["'][\\s;,]{1,4}(?:and\\s+)?[a-z]\\w{0,8}\\s*=\\s*["'][^"'\\n]{1,60}["'][^\\n]{0,80}?(?:(?:\\b[a-z]\\w{0,8}\\s*\\+\\s*[a-z]\\w{0,8}\\b|\\b(?:concatenat|combin|join|merg|put together)\\w*)[^\\n]{0,60}?\\b(?:follow|execute|obey|do what|carry out|run|says|instruction)|\\b(?:follow|execute|obey|do what|carry out|run)\\b[^\\n]{0,30}?\\b[a-z]\\w{0,8}\\s*\\+\\s*[a-z]\\w{0,8}\\b)`,
  `\\b(?:concatenate|combine|join|merge|put together)\\b${gap(30)}\\b(?:strings|parts|pieces|fragments|words|letters)\\b[^\\n]{0,60}?\\b(?:follow|execute|obey|do what|carry out|run)\\b`,
  `\\b(?:first|1st) (?:half|part)\\b[^\\n]{0,80}?\\b(?:second|2nd) (?:half|part)\\b[^\\n]{0,80}?\\b(?:follow|execute|obey|do what it says|carry out)\\b`,
];

/** Every phrase, for reading decoded (base64, hex, leetspeak) text again. */
export const decodedPayloadSignal = new RegExp(
  [...instructionOverride, ...promptExfiltration, ...rolePlay, ...payloadSplitting].map((phrase) => `(?:${phrase})`).join('|'),
  'i',
);
