import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import seedrandom from 'seedrandom';
import {
  escapeProbability,
  PPM_NODE_RECORD as RECORD,
  PpmModel,
  symbolProbability,
  type EscapeMethod,
} from '../../src/model/ppm';
import type { PairMap } from '../../src/util/pair-map';
import { tempDir } from '../temp-dir';

/** The model's private state the audit reads. */
interface Trie {
  order: number;
  nodes: Int32Array;
  counts: Float64Array;
  nodeIds: number;
  freeIds: number[];
  children: PairMap;
  rootChild: Int32Array;
  liveNodes: number;
  liveContexts: number;
  path: Int32Array;
  pathLength: number;
  recent: Int32Array;
  recentEnd: number;
  symbols: { size: number };
}

/**
 * What is wrong with a model's trie, at most a few lines (none when nothing). Every node id below nodeIds is either
 * reachable from the root through child and sibling links, once, or free (count -1), never both; the child map,
 * the root's table and the last-child links lead only to reachable nodes, and the map to every child of a node with
 * several; the live counts and the current path match the tree; a node counts no more than its suffix (its string
 * without the first symbol), which is stored. The walks stop at a node reached twice, so a corrupt trie fails here.
 */
function trieProblems(model: PpmModel): string[] {
  const trie = model as unknown as Trie;
  const { nodes, counts, order } = trie;
  const field = (id: number, slot: number) => nodes[id * RECORD.ints + slot];
  const count = (id: number) => counts[id * RECORD.floats + RECORD.count];
  const problems: string[] = [];
  const depth = new Map<number, number>([[0, 0]]);
  const childCount = new Map<number, number>();
  const byKey = new Map<string, number>();
  const stack = [0];
  while (stack.length > 0) {
    const id = stack.pop()!;
    let previous = -1;
    let children = 0;
    for (let c = field(id, RECORD.firstChild); c >= 0; previous = c, c = field(c, RECORD.nextSibling)) {
      if (depth.has(c)) {
        problems.push(`node ${c} is reached twice, the second time as a child of ${id} (a cycle or a shared record)`);
        break;
      }
      depth.set(c, depth.get(id)! + 1);
      children++;
      const symbol = field(c, RECORD.symbol);
      if (field(c, RECORD.parent) !== id) problems.push(`node ${c}, a child of ${id}, names ${field(c, 0)} as parent`);
      if (field(c, RECORD.prevSibling) !== previous)
        problems.push(`node ${c}'s previous sibling is ${field(c, RECORD.prevSibling)}, not ${previous}`);
      if (byKey.has(`${id},${symbol}`)) problems.push(`nodes ${byKey.get(`${id},${symbol}`)} and ${c}: same string`);
      byKey.set(`${id},${symbol}`, c);
      if (!(count(c) >= 1)) problems.push(`reachable node ${c} has count ${count(c)}`);
      if (depth.get(c)! > order + 1) problems.push(`node ${c} is deeper than order + 1`);
      stack.push(c);
    }
    childCount.set(id, children);
  }
  const free = new Set<number>();
  for (const id of trie.freeIds) {
    const [parent, symbol] = [field(id, RECORD.parent), field(id, RECORD.symbol)];
    if (free.has(id)) problems.push(`id ${id} is free twice`);
    free.add(id);
    if (depth.has(id)) problems.push(`node ${id} is free but reachable (a child of ${parent})`);
    if (count(id) !== -1) problems.push(`free node ${id} has count ${count(id)} (counted again after it was dropped)`);
    else if (trie.children.get(parent, symbol) === id)
      problems.push(`dropped node ${id} is still the child map's entry for (${parent}, ${symbol})`);
  }
  for (let id = 1; id < trie.nodeIds; id++) {
    if (!depth.has(id) && !free.has(id)) problems.push(`node ${id} is neither reachable nor free (lost)`);
  }
  const live = depth.size - 1;
  const contexts = [...depth.values()].filter((d) => d >= 1 && d <= order).length;
  if (trie.liveNodes !== live) problems.push(`liveNodes ${trie.liveNodes}, but ${live} nodes are reachable`);
  if (trie.liveContexts !== contexts) problems.push(`liveContexts ${trie.liveContexts}, but ${contexts} reachable`);
  let mapped = 0;
  for (const [id, d] of depth) {
    const parent = field(id, RECORD.parent);
    const last = field(id, RECORD.lastChild);
    if (last >= 0 && !(depth.has(last) && field(last, RECORD.parent) === id))
      problems.push(`node ${id}'s last child ${last} is not a reachable child of it`);
    if (d < 2) continue;
    if (trie.children.get(parent, field(id, RECORD.symbol)) === id) mapped++;
    else if (childCount.get(parent)! >= 2)
      problems.push(`node ${id}, one of ${childCount.get(parent)} children of ${parent}, is not in the child map`);
  }
  if (trie.children.size !== mapped)
    problems.push(`the child map holds ${trie.children.size} entries, ${mapped} of them reachable nodes'`);
  for (let symbol = 0; symbol < trie.symbols.size; symbol++) {
    const expected = byKey.get(`0,${symbol}`) ?? -1;
    if (trie.rootChild[symbol] !== expected)
      problems.push(`the root's table has ${trie.rootChild[symbol]} for symbol ${symbol}, the tree ${expected}`);
  }
  // a node's string, oldest symbol first, and the node of a string
  const spelled = (id: number) => {
    const string: number[] = [];
    for (let at = id; at !== 0 && string.length <= order + 1; at = field(at, RECORD.parent))
      string.unshift(field(at, RECORD.symbol));
    return string;
  };
  const nodeOf = (string: number[]) => string.reduce((at, s) => (at < 0 ? -1 : (byKey.get(`${at},${s}`) ?? -1)), 0);
  // the current contexts: path[m] spells the last m symbols, and the path stops where the next context is missing
  const newest = Array.from({ length: order }, (_, i) => trie.recent[(trie.recentEnd - 1 - i + 2 * order) % order]);
  const lastSymbols = (m: number) => newest.slice(0, m).reverse();
  for (let m = 0; m < trie.pathLength; m++) {
    if (trie.path[m] !== nodeOf(lastSymbols(m)))
      problems.push(`path[${m}] is node ${trie.path[m]}, the last ${m} symbols' node is ${nodeOf(lastSymbols(m))}`);
  }
  const next = lastSymbols(trie.pathLength);
  if (trie.pathLength <= order && next.every((s) => s >= 0) && nodeOf(next) >= 0)
    problems.push(`the path ends at order ${trie.pathLength - 1}, but the next context exists`);
  for (const [id, d] of depth) {
    if (d < 2) continue;
    const suffix = nodeOf(spelled(id).slice(1));
    if (suffix < 0) problems.push(`node ${id} (${spelled(id)}) is stored without its suffix`);
    else if (count(suffix) < count(id))
      problems.push(`node ${id} (${spelled(id)}) counts ${count(id)}, more than its suffix's ${count(suffix)}`);
  }
  return problems.slice(0, 5);
}

test('pruning leaves a consistent trie: no dropped node reachable, no live one lost (audited after each step)', () => {
  const random = seedrandom.alea('trie audit');
  let prunes = 0;
  for (let trial = 0; trial < 25; trial++) {
    const order = 1 + (trial % 5);
    // the largest cap grows the records past their first 1024 nodes; large tries are audited at prunes and now and then
    const maxContexts = [order + 1, 16, 64, 300, 2000][Math.floor(trial / 5)];
    const alphabet = 3 + Math.floor(random() * (trial % 3 === 0 ? 400 : 30));
    // a skewed draw: some contexts recur (counts above 1), most do not
    const symbol = () => Math.floor(random() ** 2 * alphabet);
    let models = [new PpmModel({ order, maxContexts })];
    const audit = (when: string) =>
      models.forEach((model, copy) => assert.deepEqual(trieProblems(model), [], `trial ${trial}, ${when}, #${copy}`));
    models[0].learn(Uint32Array.from({ length: 200 }, symbol));
    audit('after a batch');
    for (let step = 0; step < 1500; step++) {
      // mostly learnt symbols, some frozen steps (offline training's faults), and a copy that goes on alike
      const [s, learn] = [symbol(), random() < 0.85];
      if (step === 700) models = [models[0], models[0].clone()];
      let pruned = false;
      for (const model of models) {
        const before = model.size().counts;
        model.update(s, learn);
        pruned ||= model.size().counts < before;
      }
      if (pruned) prunes++;
      if (maxContexts <= 64 || pruned || step % 100 === 0)
        audit(`step ${step} (symbol ${s}, ${learn ? 'learnt' : 'frozen'})`);
    }
  }
  assert.ok(prunes > 1000, `only ${prunes} prunes`);
});

test('a node may count more than its parent after a prune, never more than its suffix', () => {
  // learnt symbols only: the parent falls behind when a prune halves it between the context's count and the next
  const random = seedrandom.alea('above parent');
  const model = new PpmModel({ order: 3, maxContexts: 20 });
  const { nodes, counts } = model as unknown as Trie;
  const count = (id: number) => counts[id * RECORD.floats + RECORD.count];
  let seen = 0;
  for (let step = 0; step < 600; step++) {
    model.update(Math.floor(random() ** 2 * 3));
    assert.deepEqual(trieProblems(model), [], `step ${step}`);
    for (let id = 1; id < (model as unknown as Trie).nodeIds; id++) {
      const parent = nodes[id * RECORD.ints + RECORD.parent];
      if (parent !== 0 && count(parent) > 0 && count(id) > count(parent)) seen++;
    }
  }
  assert.ok(seen > 0, 'no node ever counted more than its parent');
});

/**
 * The counts PPM with pruning should hold, kept as plainly as possible: every string of 1..order+1 symbols by its
 * symbols joined with ','. A learnt symbol counts after each context of the history that is stored (order 0 up,
 * stopping at the first missing); past the cap every count halves and a string goes when its count or its prefix
 * goes, until 3/4 of the cap remain. Order 0 counts apart, never halved.
 */
class PrunedCounts {
  private readonly strings = new Map<string, number>();
  private readonly singles = new Map<number, number>();
  readonly history: number[] = [];

  constructor(
    private readonly order: number,
    private readonly maxContexts: number,
    private readonly escape: EscapeMethod,
  ) {}

  update(symbol: number, learn: boolean): void {
    if (learn) {
      this.singles.set(symbol, (this.singles.get(symbol) ?? 0) + 1);
      // the contexts stored before this symbol's counts (one of them may add the next context, as in "0 0")
      let contexts = 1;
      while (contexts <= Math.min(this.order, this.history.length) && this.strings.has(this.last(contexts))) contexts++;
      for (let m = 0; m < contexts; m++) {
        const key = m === 0 ? `${symbol}` : `${this.last(m)},${symbol}`;
        this.strings.set(key, (this.strings.get(key) ?? 0) + 1);
      }
    }
    this.history.push(symbol);
    if (learn && this.strings.size > this.maxContexts) this.prune();
  }

  size(): { contexts: number; counts: number } {
    const contexts = [...this.strings.keys()].filter((k) => k.split(',').length <= this.order).length;
    return { contexts, counts: this.strings.size };
  }

  /** Blending with exclusion over the stored contexts of the last `order` symbols, as PpmModel.distribution. */
  distribution(): Map<number, number> {
    const result = new Map<number, number>();
    let weight = 1;
    const blend = (followers: [number, number][]) => {
      const open = followers.filter(([s]) => !result.has(s));
      const n = open.reduce((sum, [, c]) => sum + c, 0);
      if (n === 0) return;
      for (const [s, c] of open) result.set(s, weight * symbolProbability(this.escape, c, n, open.length));
      weight *= escapeProbability(this.escape, n, open.length);
    };
    for (let m = Math.min(this.order, this.history.length); m >= 1; m--) {
      const context = this.last(m);
      const followers = [...this.strings]
        .filter(([k]) => k.startsWith(`${context},`) && k.split(',').length === m + 1)
        .map(([k, c]): [number, number] => [Number(k.split(',').at(-1)), c]);
      blend(followers);
    }
    blend([...this.singles]);
    return result;
  }

  /** The last m symbols of the history, as a key. */
  private last(m: number): string {
    return this.history.slice(this.history.length - m).join(',');
  }

  private prune(): void {
    const target = Math.floor((this.maxContexts * 3) / 4);
    while (this.strings.size > target) {
      for (const [k, c] of this.strings) this.strings.set(k, Math.floor(c / 2));
      const shortestFirst = [...this.strings.keys()].sort((x, y) => x.split(',').length - y.split(',').length);
      for (const k of shortestFirst) {
        const prefix = k.split(',').slice(0, -1).join(',');
        if (this.strings.get(k) === 0 || (prefix !== '' && !this.strings.has(prefix))) this.strings.delete(k);
      }
    }
  }
}

test('a pruned model holds the counts of plain halving and dropping (size and distribution after every step)', () => {
  const random = seedrandom.alea('pruned counts');
  for (let trial = 0; trial < 16; trial++) {
    const order = 1 + (trial % 4);
    const escape = (['A', 'C', 'D'] as const)[trial % 3];
    const maxContexts = [order + 1, 16, 64, 200][Math.floor(trial / 4)];
    const alphabet = 3 + Math.floor(random() * 40);
    const model = new PpmModel({ order, maxContexts, escape });
    const reference = new PrunedCounts(order, maxContexts, escape);
    for (let step = 0; step < 800; step++) {
      const [s, learn] = [Math.floor(random() ** 2 * alphabet), random() < 0.85];
      model.update(s, learn);
      reference.update(s, learn);
      const when = `trial ${trial} (order ${order}, cap ${maxContexts}), step ${step}`;
      assert.deepEqual(model.size(), reference.size(), when);
      const [actual, expected] = [model.distribution(reference.history), reference.distribution()];
      assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), when);
      for (const [symbol, p] of expected)
        assert.ok(Math.abs(actual.get(symbol)! - p) < 1e-12, `${when}: P(${symbol}) ${actual.get(symbol)} not ${p}`);
    }
  }
});

test("the record layout is this audit's, not the library's: the package's entry leaves PPM_NODE_RECORD out", async () => {
  const library: Record<string, unknown> = await import('../../src/index');
  assert.equal(typeof library.PpmModel, 'function');
  assert.equal(library.PPM_NODE_RECORD, undefined);
});

test('a cycle of sibling links stops a prediction with the broken-trie error instead of looping forever', () => {
  // run apart with a time limit: without the check the ranking never returns
  const dir = tempDir('ppm-cycle');
  const script = join(dir, 'cycle.ts');
  writeFileSync(
    script,
    `import { PpmModel, PPM_NODE_RECORD as R } from ${JSON.stringify(resolve('src/model/ppm'))};
const model = new PpmModel({ order: 2 });
model.learn(Uint32Array.from([1, 2, 1, 3, 1, 2, 1, 3, 1]));
const trie = model as unknown as { nodes: Int32Array; path: Int32Array };
// the order-1 context (the last symbol, 1) has children 2 and 3: the first's next sibling becomes itself
const child = trie.nodes[trie.path[1] * R.ints + R.firstChild];
trie.nodes[child * R.ints + R.nextSibling] = child;
try {
  model.rank(4, () => true);
  console.log('returned');
} catch (err) {
  console.log((err as Error).message);
}
`,
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.signal, null, 'the ranking did not return within 60 s');
  assert.match(r.stdout, /^PPM model: broken trie \(a bug\): the children of node \d+ have a cycle\n$/);
});
