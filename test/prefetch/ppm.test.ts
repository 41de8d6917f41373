import { test } from 'node:test';
import assert from 'node:assert/strict';
import seedrandom from 'seedrandom';
import { createPredictor, FrequencyRanking, PpmModel, PPM_DEFAULTS, type EscapeMethod } from '../../src/prefetch';
import { context } from './helpers';

// "abracadabra" with a=1, b=2, r=3, c=4, d=5. Counts after training (every order updated):
//   order 0: a 5, b 2, r 2, c 1, d 1
//   order 1: a -> {b 2, c 1, d 1}; b -> {r 2}; r -> {a 2}; c -> {a 1}; d -> {a 1}
//   order 2: ab -> {r 2}; br -> {a 2}; ra -> {c 1}; ac -> {a 1}; ca -> {d 1}; ad -> {a 1}; da -> {b 1}
const ABRACADABRA = [1, 2, 3, 1, 4, 1, 5, 1, 2, 3, 1];
const [a, b, r, c, d] = [1, 2, 3, 4, 5];

function trained(escape: EscapeMethod, order = 2): PpmModel {
  const model = new PpmModel({ order, escape });
  for (const s of ABRACADABRA) model.update(s);
  return model;
}

function assertDistribution(actual: Map<number, number>, expected: [number, number][]): void {
  assert.equal(actual.size, expected.length);
  for (const [symbol, p] of expected)
    assert.ok(Math.abs((actual.get(symbol) ?? NaN) - p) < 1e-12, `P(${symbol}) = ${actual.get(symbol)}, expected ${p}`);
}

// After "...ra": order 2 "ra" = {c 1}; order 1 "a" without c = {b 2, d 1} (n=3, q=2);
// order 0 without c, b, d = {a 5, r 2} (n=7, q=2).
test('escape C (P = c/(n+q), esc = q/(n+q)) with exclusion after "ra"', () => {
  // ra: P(c) = 1/2, esc 1/2.  a: P(b) = 2/5, P(d) = 1/5, esc 2/5 -> b = 1/5, d = 1/10, weight 1/5.
  // order 0: P(a) = 5/9, P(r) = 2/9 -> a = 1/9, r = 2/45.
  assertDistribution(trained('C').distribution([r, a]), [
    [c, 1 / 2],
    [b, 1 / 5],
    [d, 1 / 10],
    [a, 1 / 9],
    [r, 2 / 45],
  ]);
});

test('escape A (P = c/(n+1), esc = 1/(n+1)) with exclusion after "ra"', () => {
  // ra: c = 1/2, esc 1/2.  a: P(b) = 2/4, P(d) = 1/4, esc 1/4 -> b = 1/4, d = 1/8, weight 1/8.
  // order 0: P(a) = 5/8, P(r) = 2/8 -> a = 5/64, r = 1/32.
  assertDistribution(trained('A').distribution([r, a]), [
    [c, 1 / 2],
    [b, 1 / 4],
    [d, 1 / 8],
    [a, 5 / 64],
    [r, 1 / 32],
  ]);
});

test('escape D (P = (c-1/2)/n, esc = q/2n) with exclusion after "ra"', () => {
  // ra: c = 0.5/1 = 1/2, esc 1/2.  a: P(b) = 1.5/3, P(d) = 0.5/3, esc 2/6 -> b = 1/4, d = 1/12, weight 1/6.
  // order 0: P(a) = 4.5/7 = 9/14, P(r) = 1.5/7 = 3/14 -> a = 3/28, r = 1/28.
  assertDistribution(trained('D').distribution([r, a]), [
    [c, 1 / 2],
    [b, 1 / 4],
    [d, 1 / 12],
    [a, 3 / 28],
    [r, 1 / 28],
  ]);
});

test('the longest context that occurred is used, and a fully excluded context escapes with probability 1', () => {
  // "cb" never occurred: start at order 1 "b" = {r 2}: r = 2/3 (C), esc 1/3;
  // order 0 without r: a 5, b 2, c 1, d 1 (n=9, q=4) -> a = 1/3 * 5/13, b = 2/39, c = d = 1/39.
  assertDistribution(trained('C').distribution([c, b]), [
    [r, 2 / 3],
    [a, 5 / 39],
    [b, 2 / 39],
    [c, 1 / 39],
    [d, 1 / 39],
  ]);
  // "br" = {a 2}: a = 2/3, esc 1/3; order 1 "r" = {a 2} is all excluded: passed with escape 1;
  // order 0 without a: b 2, r 2, c 1, d 1 (n=6, q=4) -> b = r = 1/3 * 2/10, c = d = 1/30.
  assertDistribution(trained('C').distribution([b, r]), [
    [a, 2 / 3],
    [b, 1 / 15],
    [r, 1 / 15],
    [c, 1 / 30],
    [d, 1 / 30],
  ]);
});

test('ranking follows the blended probabilities and breaks ties by recency', () => {
  // after "abracadabra" the history ends in "ra": C gives c 1/2, b 1/5, a 1/9, d 1/10, r 2/45
  assert.deepEqual(
    trained('C').rank(5, () => true),
    [c, b, a, d, r],
  );
  // D puts a (3/28) above d (1/12) as well; A puts d (1/8) above a (5/64)
  assert.deepEqual(
    trained('D').rank(4, () => true),
    [c, b, a, d],
  );
  assert.deepEqual(
    trained('A').rank(4, () => true),
    [c, b, d, a],
  );
  assert.deepEqual(
    trained('C').rank(2, (s) => s !== c),
    [b, a],
  );
  // order 0 only, counts 1:2, 2:1, 3:1: 3 was seen after 2, so it ranks first on the tie
  const model = new PpmModel({ order: 1 });
  for (const s of [1, 2, 1, 3]) model.update(s);
  assert.deepEqual(
    model.rank(3, () => true),
    [1, 3, 2],
  );
});

test('minProbability keeps only predictions at least that likely', () => {
  // after "...ra" with C: c 1/2, b 1/5, d 1/10, a 1/9, r 2/45 (see above)
  assert.deepEqual(
    trained('C').rank(5, () => true, undefined, 0.15),
    [c, b],
  );
  assert.deepEqual(
    trained('C').rank(5, () => true, undefined, 0.1),
    [c, b, a, d],
  );
  assert.deepEqual(
    trained('C').rank(5, () => true, undefined, 0.6),
    [],
  );
  // the predictor: history 1 2 1 2 1 (order 1); fault on 2: context 2 = {1: 2} gives 1 with 2/3,
  // then order 0 without 1 holds only 2, the faulted page itself: 1 alone is proposed
  const ppm = createPredictor('ppm', { order: 1, minProbability: 0.5 });
  for (const p of [1, 2, 1, 2, 1]) ppm.observeHistory(p);
  assert.deepEqual(ppm.onFault(2, 4, context(20)), [1]);
  assert.throws(
    () => createPredictor('ppm', { minProbability: 1.5 }),
    /minProbability must be a finite number between 0 and 1/,
  );
});

test('pruning halves counts, drops nodes that reach 0 and keeps the cap', () => {
  // order 1, cap 6 nodes (target 4). After 1 2 1 2 1 2: "1" 3, "2" 3, "12" 3, "21" 2; then
  // 5 adds "5" 1, "25" 1 and 6 adds "6" 1, "56" 1: 8 nodes > 6, so every count halves and
  // "5" (with "56"), "25" and "6" reach 0: left "1" 1, "2" 1, "12" 1, "21" 1.
  const model = new PpmModel({ order: 1, maxContexts: 6 });
  for (const s of [1, 2, 1, 2, 1, 2, 5, 6]) model.update(s);
  assert.deepEqual(model.size(), { contexts: 2, counts: 4 });
  // context "1" = {2: 1}: P(2) = 1/2, esc 1/2; order 0 (never halved) without 2: 1: 3, 5: 1, 6: 1 (n=5, q=3)
  assertDistribution(model.distribution([1]), [
    [2, 1 / 2],
    [1, 3 / 16],
    [5, 1 / 16],
    [6, 1 / 16],
  ]);
  // 7 adds "7"; 8 adds "8", "78": 7 nodes, and one halving drops every node (all counts were 1)
  for (const s of [7, 8, 9]) {
    model.update(s);
    assert.ok(model.size().counts <= 6);
  }
  assert.deepEqual(model.size(), { contexts: 1, counts: 1 }); // only "9", added after the prune
  assertDistribution(model.distribution([8]), [
    [1, 3 / 18],
    [2, 3 / 18],
    [5, 1 / 18],
    [6, 1 / 18],
    [7, 1 / 18],
    [8, 1 / 18],
    [9, 1 / 18],
  ]);
  const big = new PpmModel({ order: 3, maxContexts: 50 });
  const random = seedrandom.alea('prune');
  for (let i = 0; i < 5000; i++) {
    big.update(Math.floor(random() * 30));
    assert.ok(big.size().counts <= 50);
  }
  // the model still predicts from its (pruned) contexts: the history's own order-1 context
  assert.ok(big.rank(3, () => true).length === 3);
});

test('bad PPM options are user errors', () => {
  assert.throws(() => new PpmModel({ order: 0 }), /order must be a whole number between 1/);
  assert.throws(() => new PpmModel({ escape: 'B' as EscapeMethod }), /escape must be one of A, C, D/);
  assert.throws(
    () => new PpmModel({ order: 3, maxContexts: 2 }),
    /^UserError: maxContexts \(--max-contexts\) must be at least order \(--order 3\) \+ 1 = 4 \(the nodes one update of an order-3 model .*\), got 2$/,
  );
  assert.equal(new PpmModel({ order: 1, maxContexts: 2 }).maxContexts, 2);
  // the node records of 2^29 nodes would already be V8's longest typed array (a RangeError, not a one-line error)
  assert.throws(
    () => new PpmModel({ maxContexts: 2 ** 29 }),
    /maxContexts must be a whole number between 2 and 268435456/,
  );
  assert.throws(() => createPredictor('ppm', { symbols: 'bytes' as 'pages' }), /symbols must be one of pages, deltas/);
  assert.throws(
    () => createPredictor('ppm', { training: 'never' as 'both' }),
    /training must be one of offline, online, both/,
  );
});

test('ppm predictor: training modes decide what the model learns', () => {
  const history = [1, 2, 3, 1, 2, 3, 1];
  const faults = [7, 8, 7, 8, 7];
  const run = (training: 'offline' | 'online' | 'both') => {
    const ppm = createPredictor('ppm', { order: 1, training });
    for (const p of history) ppm.observeHistory(p);
    return faults.map((p) => ppm.onFault(p, 2, context(20)));
  };
  // offline: faults never counted; 7 and 8 are unknown, so only order 0 (1: 3, 2: 2, 3: 2; 1 newest) answers
  assert.deepEqual(run('offline'), [
    [1, 3],
    [1, 3],
    [1, 3],
    [1, 3],
    [1, 3],
  ]);
  // online: history ignored; at the last 7: context 7 = {8: 2}, then order 0 has only 7 (the fault) and 8
  assert.deepEqual(run('online'), [[], [7], [8], [7], [8]]);
  // both: at the last 7: context 7 = {8: 2} first, then order 0 without 8: 1 (3) beats 7 (the fault itself)
  assert.deepEqual(run('both').at(-1), [8, 1]);
  assert.ok(createPredictor('ppm').modelSize() === 0);
});

test('ppm offline training uses only the last historyWindow history accesses', () => {
  const run = (historyWindow?: number) => {
    const ppm = createPredictor('ppm', { order: 1, training: 'offline', historyWindow });
    for (const p of [5, 6, 5, 6, 1, 2, 3]) ppm.observeHistory(p);
    return ppm.onFault(5, 2, context(10));
  };
  assert.deepEqual(run(), [6, 3]); // context 5 = {6: 2}; then order 0 without 6 and the fault 5: 3, 2, 1 (once each, 3 newest)
  assert.deepEqual(run(3), [3, 2]); // trained on 1 2 3 only: order 0, most recent first
});

test('ppm over deltas maps predicted deltas back to pages', () => {
  const ppm = createPredictor('ppm', { order: 1, symbols: 'deltas', training: 'both' });
  for (const p of [10, 12, 14, 16]) ppm.observeHistory(p); // deltas 2, 2, 2
  // fault at 30: delta 14 is new; order 0 = {2: 3, 14: 1} -> pages 32, 44
  assert.deepEqual(ppm.onFault(30, 2, context(100)), [32, 44]);
  // fault at 32 (delta 2): order-1 context "2" = {2: 2} proposes 34, but it is sent; order 0 then has 14
  assert.deepEqual(ppm.onFault(32, 2, context(100, [34])), [46]); // 34 sent; 14 -> 46
  const frozen = createPredictor('ppm', { order: 1, symbols: 'deltas', training: 'offline' });
  for (const p of [10, 12, 14, 16]) frozen.observeHistory(p);
  assert.deepEqual(frozen.onFault(30, 2, context(100)), [32]); // only delta 2 is known
  assert.deepEqual(frozen.onFault(99, 2, context(100)), []); // 101 is outside the VM
});

test('FrequencyRanking enumerates by count, most recent first, and forgets retired symbols', () => {
  const f = new FrequencyRanking();
  for (const [s, t] of [
    [0, 1],
    [1, 2],
    [2, 3],
    [1, 4],
    [0, 5],
    [3, 6],
  ] as const)
    f.increment(s, t);
  const order = () => {
    const out: number[] = [];
    f.forEachDescending((s) => out.push(s) > 0);
    return out;
  };
  assert.deepEqual(order(), [0, 1, 3, 2]);
  f.retire(0);
  f.increment(0, 7);
  assert.deepEqual(order(), [1, 3, 2]);
  assert.equal(f.count(0), 3);
  assert.equal(f.total, 7);
  assert.equal(f.distinct, 4);
});

test('FrequencyRanking: counts taken by countOnly and placed by one relink leave the state increment leaves', () => {
  const random = seedrandom.alea('relink');
  const enumeration = (f: FrequencyRanking) => {
    const out: number[] = [];
    f.forEachDescending((s) => out.push(s, f.count(s), f.recency(s)) > 0);
    return [...out, f.total, f.distinct];
  };
  for (let trial = 0; trial < 20; trial++) {
    const alphabet = 2 + Math.floor(random() * 60);
    const [stepwise, batched] = [new FrequencyRanking(), new FrequencyRanking()];
    let tick = 0;
    // a state before the batch: counts, and symbols retired (sent pages) that a batch counts again
    for (let i = 0; i < 40; i++) {
      const s = Math.floor(random() * alphabet);
      tick++;
      for (const f of [stepwise, batched]) f.increment(s, tick);
    }
    for (const f of [stepwise, batched]) for (let s = 0; s < alphabet; s += 5) f.retire(s);
    const firstTick = tick + 1;
    for (let i = 0; i < 30 + Math.floor(random() * 400); i++) {
      // skewed, so that many counts and buckets occur
      const s = Math.floor(random() ** 2 * alphabet);
      tick++;
      stepwise.increment(s, tick);
      batched.countOnly(s, tick);
    }
    batched.relink(firstTick, tick);
    assert.deepEqual(enumeration(batched), enumeration(stepwise), `trial ${trial}`);
    // and they go on alike
    for (let i = 0; i < 50; i++) {
      const s = Math.floor(random() * alphabet);
      tick++;
      for (const f of [stepwise, batched]) f.increment(s, tick);
      if (i % 10 === 0) for (const f of [stepwise, batched]) f.retire(s);
    }
    assert.deepEqual(enumeration(batched), enumeration(stepwise), `trial ${trial}, after`);
  }
});

test('PpmModel.learn on a batch leaves the model update one symbol at a time leaves, pruning included', () => {
  const random = seedrandom.alea('learn');
  for (let trial = 0; trial < 12; trial++) {
    const order = 1 + (trial % 4);
    const maxContexts = trial % 2 === 0 ? PPM_DEFAULTS.maxContexts : 300 + Math.floor(random() * 2000);
    const alphabet = 3 + Math.floor(random() * 200);
    // large symbols too (page deltas modulo 2^32 go through the interner's hash table)
    const symbol = () => (random() < 0.1 ? 2 ** 32 - 1 - Math.floor(random() * 5) : Math.floor(random() * alphabet));
    const [stepwise, batched] = [new PpmModel({ order, maxContexts }), new PpmModel({ order, maxContexts })];
    const compare = (when: string) => {
      for (const model of [stepwise, batched]) assert.ok(model.size().counts <= maxContexts);
      assert.deepEqual(batched.size(), stepwise.size(), when);
      const ranked = (model: PpmModel) =>
        model.rank(
          6,
          (s) => s % 4 !== 0,
          (s) => s % 8 === 0,
        );
      assert.deepEqual(ranked(batched), ranked(stepwise), when);
      const history = [symbol(), symbol(), symbol()];
      assert.deepEqual(batched.distribution(history), stepwise.distribution(history), when);
    };
    for (let round = 0; round < 3; round++) {
      const batch = Uint32Array.from({ length: 500 + Math.floor(random() * 3000) }, symbol);
      const from = Math.floor(random() * 20);
      for (let i = from; i < batch.length; i++) stepwise.update(batch[i]);
      batched.learn(batch, from);
      compare(`trial ${trial}, round ${round}: batch`);
      // frozen steps and single learnt ones between batches
      for (let i = 0; i < 30; i++) {
        const [s, learn] = [symbol(), random() < 0.5];
        for (const model of [stepwise, batched]) model.update(s, learn);
      }
      compare(`trial ${trial}, round ${round}: steps`);
    }
  }
});

/** PPM blending with exclusion computed from scratch: counts by scanning the sequence for each context. */
function referenceDistribution(sequence: number[], order: number, escape: EscapeMethod): Map<number, number> {
  const probability = (c: number, n: number, q: number) =>
    escape === 'A' ? c / (n + 1) : escape === 'C' ? c / (n + q) : (c - 0.5) / n;
  const escapeOf = (n: number, q: number) =>
    escape === 'A' ? 1 / (n + 1) : escape === 'C' ? q / (n + q) : q / (2 * n);
  const result = new Map<number, number>();
  let weight = 1;
  for (let m = Math.min(order, sequence.length); m >= 0; m--) {
    const context = sequence.slice(sequence.length - m).join(',');
    const counts = new Map<number, number>();
    for (let i = m; i < sequence.length; i++) {
      if (sequence.slice(i - m, i).join(',') === context) counts.set(sequence[i], (counts.get(sequence[i]) ?? 0) + 1);
    }
    const open = [...counts].filter(([s]) => !result.has(s));
    const n = open.reduce((sum, [, c]) => sum + c, 0);
    if (n === 0) continue;
    for (const [s, c] of open) result.set(s, weight * probability(c, n, open.length));
    weight *= escapeOf(n, open.length);
  }
  return result;
}

test('PPM agrees with a from-scratch computation on random sequences, and rank sorts its distribution', () => {
  const random = seedrandom.alea('reference');
  for (let trial = 0; trial < 30; trial++) {
    const escape = (['A', 'C', 'D'] as const)[trial % 3];
    const order = 1 + (trial % 4);
    const alphabet = 2 + Math.floor(random() * 6);
    const sequence = Array.from({ length: 20 + Math.floor(random() * 60) }, () => Math.floor(random() * alphabet) * 7);
    const model = new PpmModel({ order, escape });
    for (const s of sequence) model.update(s);
    const expected = referenceDistribution(sequence, order, escape);
    assertDistribution(model.distribution(sequence), [...expected]);
    // rank: by probability, then by the last position the symbol was seen
    const lastSeen = (s: number) => sequence.lastIndexOf(s);
    const byRank = [...expected.keys()].sort(
      (a, b) => expected.get(b)! - expected.get(a)! || lastSeen(b) - lastSeen(a),
    );
    const ranked = model.rank(3, () => true);
    assert.deepEqual(
      ranked.map((s) => expected.get(s)),
      byRank.slice(0, 3).map((s) => expected.get(s)),
      `trial ${trial}`,
    );
    assert.deepEqual(ranked, byRank.slice(0, 3), `trial ${trial}`);
  }
});

test('a cloned model ranks, learns, retires and prunes exactly as the original, and independently of it', () => {
  const random = seedrandom.alea('clone');
  const next = () => Math.floor(random() * 40) * 3;
  for (const maxContexts of [PPM_DEFAULTS.maxContexts, 60]) {
    const original = new PpmModel({ order: 3, maxContexts });
    const untouched = new PpmModel({ order: 3, maxContexts });
    for (let i = 0; i < 500; i++) {
      const s = next();
      original.update(s);
      untouched.update(s);
    }
    const copy = original.clone();
    // the copy goes on alone first: the original must not notice
    const steps = Array.from({ length: 300 }, () => ({ symbol: next(), learn: random() < 0.8 }));
    const replay = (model: PpmModel) =>
      steps.map(({ symbol, learn }) => {
        model.update(symbol, learn);
        // symbols divisible by 9 are refused and gone for good (retired from order 0)
        const ranked = model.rank(
          4,
          (s) => s % 9 !== 0,
          (s) => s % 9 === 0,
        );
        return [...ranked, model.size().counts];
      });
    const fromCopy = replay(copy);
    assert.deepEqual(original.distribution([3, 6, 9]), untouched.distribution([3, 6, 9]));
    assert.deepEqual(replay(original), fromCopy, `maxContexts ${maxContexts}`);
  }
});

test('a copy whose node records come from a released model ranks, learns and prunes exactly as a model trained alike', () => {
  const nodesOf = (model: PpmModel) => (model as unknown as { nodes: Int32Array }).nodes;
  const sequence = (seed: string) => {
    const random = seedrandom.alea(seed);
    return Array.from({ length: 3000 }, () => Math.floor(random() * 300));
  };
  const trainedOn = (symbols: number[], maxContexts: number) => {
    const model = new PpmModel({ order: 3, maxContexts });
    for (const s of symbols) model.update(s);
    return model;
  };
  for (const maxContexts of [PPM_DEFAULTS.maxContexts, 5000]) {
    const original = trainedOn(sequence('original'), maxContexts);
    const twin = trainedOn(sequence('original'), maxContexts);
    // another model's records of the same size, released: the copy takes them, whatever they hold
    const other = trainedOn(sequence('other'), maxContexts);
    const records = nodesOf(other);
    assert.equal(records.length, nodesOf(original).length);
    other.release();
    const copy = original.clone();
    assert.equal(nodesOf(copy), records);
    const steps = sequence('steps');
    const replay = (model: PpmModel) =>
      steps.map((s) => {
        model.update(s);
        return [...model.rank(4, (q) => q % 7 !== 0), model.size().counts];
      });
    assert.deepEqual(replay(copy), replay(twin), `maxContexts ${maxContexts}`);
  }
});

test('a released PPM predictor refuses to be asked again', () => {
  for (const name of ['ppm', 'ppm-delta', 'ppm-hybrid', 'ppm-hybrid-dirty'] as const) {
    const predictor = createPredictor(name, { order: 2 });
    for (const p of [1, 2, 3, 1, 2, 3]) predictor.observeHistory(p);
    predictor.onFault(1, 2, context(10));
    predictor.release!();
    assert.throws(() => predictor.onFault(2, 2, context(10)), /after its run was over/, name);
  }
});
