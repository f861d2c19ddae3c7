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

/**
 * Answers "is `target` upstream of `stepId`?" (a transitive `depends_on`), computing each asked-about
 * step's ancestors once, iteratively: a 10,000-step chain neither overflows the stack nor builds
 * the full quadratic closure for steps no template asks about.
 */
export function upstreamLookup(mission: MissionDefinition): (stepId: string, target: string) => boolean {
  const byId = stepIndexById(mission);
  const cache = new Map<string, Set<string>>();
  const ancestors = (id: string): Set<string> => {
    let seen = cache.get(id);
    if (seen) return seen;
    seen = new Set<string>();
    const pending = [id];
    while (pending.length > 0) {
      const position = byId.get(pending.pop()!);
      if (position === undefined) continue;
      for (const dependency of mission.steps[position].dependsOn) {
        if (seen.has(dependency) || !byId.has(dependency)) continue;
        seen.add(dependency);
        pending.push(dependency);
      }
    }
    cache.set(id, seen);
    return seen;
  };
  return (stepId, target) => ancestors(stepId).has(target);
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
  const finish = (node: number): void => {
    if (low.get(node) !== order.get(node)) return;
    const component: number[] = [];
    let member: number;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || edges(node).includes(node)) components.push(component.sort((a, b) => a - b));
  };
  // Iterative, with an explicit frame stack: a mission may be a chain of thousands of steps.
  const connect = (root: number): void => {
    const frames: { node: number; next: number[]; cursor: number }[] = [];
    const enter = (node: number): void => {
      order.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      frames.push({ node, next: edges(node), cursor: 0 });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      if (frame.cursor < frame.next.length) {
        const next = frame.next[frame.cursor++];
        if (!order.has(next)) enter(next);
        else if (onStack.has(next)) low.set(frame.node, Math.min(low.get(frame.node)!, order.get(next)!));
        continue;
      }
      frames.pop();
      finish(frame.node);
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
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
    // Templates read `steps.<id>` from a plain object, where this key names the prototype instead.
    if (step.id === '__proto__') {
      add(toPointer(['steps', position, 'id']), `step id '__proto__' is reserved`, 'choose another id');
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
