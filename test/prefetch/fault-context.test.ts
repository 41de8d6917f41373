import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArrivalContext, createPredictor, feedHistory, PREDICTOR_NAMES } from '../../src/prefetch';
import { isProposable } from '../../src/prefetch/proposals';
import { context } from './helpers';

/** A context whose isSent is a method reading its own fields: a predictor that called it unbound would throw. */
function arrivalContext(vmPages: number, sent: number[], index = 0): ArrivalContext {
  const arrival = new Float64Array(vmPages).fill(Infinity);
  for (const page of sent) arrival[page] = 1;
  const ctx = new ArrivalContext(vmPages, arrival);
  ctx.index = index;
  return ctx;
}

test('ArrivalContext: a page is sent once it has an arrival time', () => {
  const ctx = arrivalContext(8, [2, 5]);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((page) => ctx.isSent(page)),
    [false, false, true, false, false, true, false, false],
  );
  assert.equal(ctx.vmPages, 8);
});

test('isProposable: in the VM, not the faulted page, not sent; asked through the context as a method', () => {
  const ctx = arrivalContext(8, [2]);
  assert.deepEqual(
    [-1, 0, 1, 2, 3, 8, 1.5].map((page) => isProposable(page, 3, ctx)),
    [false, true, true, false, false, false, false],
  );
});

test('every predictor proposes the same with a class context as with a closure, sent pages skipped', () => {
  const history = Uint32Array.from([1, 2, 3, 4, 5, 6, 2, 3, 4, 9, 10, 11, 2, 3, 4, 12, 13, 14, 15, 2, 3]);
  const faults = [4, 5, 16, 2, 3, 20, 21, 6, 7, 30];
  const firstTouches = Uint32Array.from(faults);
  const silent: string[] = [];
  for (const name of PREDICTOR_NAMES) {
    const answers = [context, arrivalContext].map((makeContext) => {
      const predictor = createPredictor(name, { firstTouches, seed: 'fault-context' });
      feedHistory(predictor, history, new Uint8Array(history.length).fill(1));
      const sent: number[] = [3, 12];
      return faults.map((page, index) => {
        const proposals = predictor.onFault(page, 4, makeContext(40, sent, index));
        sent.push(page, ...proposals);
        return proposals;
      });
    });
    assert.deepEqual(answers[1], answers[0], name);
    if (answers[0].flat().length === 0) silent.push(name);
  }
  // the case has to ask isSent: only the predictors that never propose on these faults stay silent
  assert.deepEqual(silent, ['none', 'stride']);
});
