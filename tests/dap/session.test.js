// session.test.js — a whole editor session: a breakpoint, the stack, scopes,
// variables two levels deep, next, stepIn, stepOut, the exit code.
'use strict';
const { test } = require('node:test');
const { SRC, line, client, launchTo, topFrame, variables, assert } = require('./helpers');

test('breakpoint, stack, scopes, variables, steps, exit code', async (t) => {
  const dc = await client(t);
  const { bps, stopped } = await launchTo(dc, {}, [line('MARK_CALL')]);
  assert.equal(bps.body.breakpoints[0].verified, true);
  assert.equal(bps.body.breakpoints[0].line, line('MARK_CALL'));
  assert.equal(stopped.body.reason, 'breakpoint');
  assert.deepEqual(stopped.body.hitBreakpointIds, [bps.body.breakpoints[0].id]);
  const tid = stopped.body.threadId;

  const st = await dc.stackTraceRequest({ threadId: tid });
  const f0 = st.body.stackFrames[0];
  assert.equal(f0.name, 'main');
  assert.equal(f0.line, line('MARK_CALL'));
  assert.equal(f0.source.path, SRC);
  assert.match(f0.instructionPointerReference, /^0x[0-9a-f]+$/);
  assert.ok(st.body.totalFrames >= 1);

  const scopes = await dc.scopesRequest({ frameId: f0.id });
  const names = scopes.body.scopes.map((s) => s.name);
  assert.deepEqual(names, ['Arguments', 'Locals', 'Registers']);
  const locals = await variables(dc, scopes.body.scopes[1].variablesReference);
  assert.equal(locals.origin.value, '{x = 3, y = 4}');
  assert.equal(locals.sp.type, 'struct shape *');
  // a struct behind a pointer: sp -> *sp -> origin -> *origin
  const sp = await variables(dc, locals.sp.variablesReference);
  const star = sp['*sp'];
  assert.equal(star.type, 'struct shape');
  const shape = await variables(dc, star.variablesReference);
  assert.equal(shape.sides.value, '3');
  assert.match(shape.name.value, /"tri"$/);
  // an array of structs, paged: corners[1..2], then the members of [2]
  assert.equal(shape.corners.indexedVariables, 3);
  const page = await dc.variablesRequest({ variablesReference: shape.corners.variablesReference,
    filter: 'indexed', start: 1, count: 2 });
  assert.deepEqual(page.body.variables.map((v) => [v.name, v.value]),
    [['[1]', '{x = 3, y = 4}'], ['[2]', '{x = 5, y = 6}']]);
  const c2 = await variables(dc, page.body.variables[1].variablesReference);
  assert.equal(c2.y.value, '6');
  assert.equal(c2.y.evaluateName, 'sp->corners[2].y');

  // stepIn enters square, stepOut returns to main mid-line, next goes on
  let s = dc.waitForEvent('stopped');
  await dc.stepInRequest({ threadId: tid });
  assert.equal((await s).body.reason, 'step');
  let f = await topFrame(dc, tid);
  assert.equal(f.name, 'square');
  assert.equal(f.line, line('MARK_SQUARE'));
  const args = await variables(dc, (await dc.scopesRequest({ frameId: f.id })).body.scopes[0].variablesReference);
  assert.equal(args.v.value, '5');
  s = dc.waitForEvent('stopped');
  await dc.stepOutRequest({ threadId: tid });
  await s;
  f = await topFrame(dc, tid);
  assert.equal(f.name, 'main');
  assert.equal(f.line, line('MARK_CALL'));
  s = dc.waitForEvent('stopped');
  await dc.nextRequest({ threadId: tid });
  await s;
  f = await topFrame(dc, tid);
  assert.equal(f.line, line('MARK_AFTER_CALL'));
  const sq = await dc.evaluateRequest({ expression: 'sq', frameId: f.id, context: 'watch' });
  assert.equal(sq.body.result, '25');

  // the program's output and its exit code
  const out = dc.assertOutput('stdout', 'sq=25 w=12');
  const exited = dc.waitForEvent('exited');
  const terminated = dc.waitForEvent('terminated');
  await dc.continueRequest({ threadId: tid });
  await out;
  assert.equal((await exited).body.exitCode, 7);
  await terminated;
});
