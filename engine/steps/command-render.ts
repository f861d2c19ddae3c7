/**
 * How a `command` step's parameters are rendered. A one-string `command` (no `args`) is split into
 * words on the mission's own text first; each word's templates are rendered afterwards and stay
 * inside that word. `command: "touch {{ vars.v }}"` with `v = "a.txt /elsewhere/x"` touches one
 * file named `a.txt /elsewhere/x`, and a quote inside a value cannot close the quotes around it.
 */
import { MissionError, MissionErrorCode } from '../errors.js';
import { splitCommandWords } from './command-line.js';
import type { ParameterRenderer } from './types.js';

/** Renders `command` parameters: a command line split before rendering, everything else as usual. */
export function renderCommandParameters(parameters: Record<string, unknown>, render: ParameterRenderer): Record<string, unknown> {
  const { command, ...rest } = parameters;
  const rendered = render.value(rest) as Record<string, unknown>;
  // With `args`, `command` is the program alone and each argument is its own template already.
  if (typeof command !== 'string' || rest.args !== undefined) return { ...rendered, command: render.value(command) };
  const words = splitCommandWords(command, true).map((segments) => ({
    text: segments.map((segment) => render.text(segment.text)).join(''),
    templated: segments.some((segment) => segment.template),
  }));
  const [program, ...args] = words;
  if (program === undefined) return { ...rendered, command };
  if (program.templated && /\s/.test(program.text)) {
    throw new MissionError(
      MissionErrorCode.parameters,
      'command: the program name rendered from a template contains spaces; a template renders inside one word of the command line, so give the program in "command" and its arguments as a list in "args"',
    );
  }
  if (program.text === '') throw new MissionError(MissionErrorCode.parameters, 'command: the program name rendered empty');
  return { ...rendered, command: program.text, args: args.map((word) => word.text) };
}
