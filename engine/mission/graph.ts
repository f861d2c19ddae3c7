/**
 * The step dependency graph: duplicate ids, unknown `depends_on` targets, cycles, and which steps
 * are upstream of which (templates may only read finished steps).
 */
import { didYouMean } from './suggest.js';
import { toPointer } from './source-positions.js';
import type { LoadedMission, MissionDefinition, ValidationIssue } from './types.js';

/** Index of the first step with each id (later duplicates are reported, not indexed). */
export function stepIndexById(mission: MissionDefinition): Map<string, number> {
  const index = new Map<string, number>();
  mission.steps.forEach((step, position) => {
    if (step.id !== '' && !index.has(step.id)) index.set(step.id, position);
  });
  return index;
}

/** Ids of all steps a step transitively depends on (unknown targets ignored). */
export function upstreamSteps(mission: MissionDefinition): Map<string, Set<string>> {
  const byId = stepIndexById(mission);
  const result = new Map<string, Set<string>>();
  const visit = (id: string, seen: Set<string>): void => {
    const position = byId.get(id);
    if (position === undefined) return;
    for (const target of mission.steps[position].dependsOn) {
      if (seen.has(target) || !byId.has(target)) continue;
      seen.add(target);
      visit(target, seen);
    }
  };
  for (const id of byId.keys()) {
    const seen = new Set<string>();
    visit(id, seen);
    result.set(id, seen);
  }
  return result;
}

/**
 * Strongly connected components (Tarjan), each a dependency cycle when it has more than one
 * step or a step that depends on itself. Indices are step positions.
 */
function cycles(mission: MissionDefinition): number[][] {
  const byId = stepIndexById(mission);
  const edges = (position: number) => mission.steps[position].dependsOn
    .map((target) => byId.get(target))
    .filter((target): target is number => target !== undefined);
  let counter = 0;
  const order = new Map<number, number>();
  const low = new Map<number, number>();
  const stack: number[] = [];
  const onStack = new Set<number>();
  const components: number[][] = [];
  // Recursion depth is bounded by the number of steps, which is small for any real mission.
  const connect = (node: number): void => {
    order.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of edges(node)) {
      if (!order.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, order.get(next)!));
      }
    }
    if (low.get(node) === order.get(node)) {
      const component: number[] = [];
      let member: number;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || edges(node).includes(node)) components.push(component.sort((a, b) => a - b));
    }
  };
  for (const position of byId.values()) if (!order.has(position)) connect(position);
  return components.sort((left, right) => left[0] - right[0]);
}

/** Shortest path inside a component from its first step back to itself, as step positions. */
function cyclePath(mission: MissionDefinition, component: number[]): number[] {
  const byId = stepIndexById(mission);
  const members = new Set(component);
  const start = component[0];
  const previous = new Map<number, number>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of mission.steps[node].dependsOn) {
      const next = byId.get(target);
      if (next === undefined || !members.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let current = node; current !== start; current = previous.get(current)!) path.splice(1, 0, current);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/** Duplicate ids, unknown dependency targets and cycles. */
export function graphIssues(loaded: LoadedMission): ValidationIssue[] {
  const { mission, file } = loaded;
  const issues: ValidationIssue[] = [];
  const add = (pointer: string, message: string, hint?: string) =>
    issues.push({ file, ...loaded.positionOf(pointer), pointer, message, ...(hint ? { hint } : {}) });
  const byId = stepIndexById(mission);

  mission.steps.forEach((step, position) => {
    const first = byId.get(step.id);
    if (step.id !== '' && first !== undefined && first !== position) {
      const firstLine = loaded.positionOf(toPointer(['steps', first, 'id'])).line;
      add(toPointer(['steps', position, 'id']), `duplicate step id '${step.id}' (first used on line ${firstLine})`,
        'give each step a unique id');
    }
    step.dependsOn.forEach((target, targetIndex) => {
      if (byId.has(target)) return;
      add(toPointer(['steps', position, 'depends_on', targetIndex]),
        `step '${step.id}' depends on '${target}', which is not a step in this mission`,
        didYouMean(target, byId.keys()));
    });
  });

  for (const component of cycles(mission)) {
    const path = cyclePath(mission, component);
    const [first, second] = path;
    const names = path.map((position) => mission.steps[position].id);
    const dependencyIndex = mission.steps[first].dependsOn.indexOf(mission.steps[second].id);
    add(toPointer(['steps', first, 'depends_on', dependencyIndex]),
      `dependency cycle: ${names.join(' → ')}`,
      `each step waits for the next, so none can start; remove one of these depends_on entries`);
  }
  return issues;
}
