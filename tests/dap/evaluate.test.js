// evaluate.test.js — the watch, hover and repl contexts, setVariable and
// setExpression, conditional breakpoints, hit counts and logpoints.
'use strict';
const { test } = require('node:test');
const { line, client, launchTo, topFrame, variables, fails, assert } = require('./helpers');

test('evaluate in watch, hover and repl; setVariable then evaluate', async (t) => {
  const dc = await client(t);
  const { stopped } = await launchTo(dc, {}, [line('MARK_AFTER_CALL')]);
  const tid = stopped.body.threadId;
  const f = await topFrame(dc, tid);
  const watch = await dc.evaluateRequest({ expression: 'sp->corners[1]', frameId: f.id, context: 'watch' });
  assert.equal(watch.body.result, '{x = 3, y = 4}');
  assert.equal(watch.body.type, 'struct point');
  assert.ok(watch.body.variablesReference > 0);
  const kids = await variables(dc, watch.body.variablesReference);
  assert.equal(kids.x.value, '3');
  const hover = await dc.evaluateRequest({ expression: 'origin.y * 10', frameId: f.id, context: 'hover' });
  assert.equal(hover.body.result, '40');
  assert.match(await fails(dc.evaluateRequest({ expression: 'nosuch', frameId: f.id, context: 'hover' })),
    /No symbol "nosuch" in current context/);
  // watch and hover have no side effects: an assignment is refused, and
  // comparisons are no assignments
  for (const e of ['sq = 1', 'sq += 1', 'sq++', '--sq', 'sq <<= 1'])
    assert.match(await fails(dc.evaluateRequest({ expression: e, frameId: f.id, context: 'hover' })),
      /evaluates no assignment/, e);
  const cmp = await dc.evaluateRequest({ expression: "sq == 25 && sq != 3 && sq <= 25 && sq >= 1 && '=' == 61",
    frameId: f.id, context: 'watch' });
  assert.equal(cmp.body.result, '1');

  // the debug console speaks ssedemo's (gdb's) command language
  const bt = await dc.evaluateRequest({ expression: 'bt', frameId: f.id, context: 'repl' });
  assert.match(bt.body.result, /^#0 +main \(.*dap_target\.c:\d+/m);
  const p = await dc.evaluateRequest({ expression: 'p sq', frameId: f.id, context: 'repl' });
  assert.match(p.body.result, /^\$\d+ = 25$/m);
  const regs = await dc.evaluateRequest({ expression: 'info registers rip', frameId: f.id, context: 'repl' });
  assert.match(regs.body.result, /^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <main\+\d+>/m);
  const sp = await dc.evaluateRequest({ expression: '$sp', frameId: f.id, context: 'watch' });
  // x/4x $sp shows the words at the stack pointer, as readMemory reads them
  const x = await dc.evaluateRequest({ expression: 'x/4x $sp', frameId: f.id, context: 'repl' });
  const spAddr = BigInt(sp.body.result.replace(/^\(.*\) /, ''));
  const mem = await dc.customRequest('readMemory', { memoryReference: '0x' + spAddr.toString(16), count: 16 });
  const words = [0, 4, 8, 12].map((o) => '0x' + Buffer.from(mem.body.data, 'base64').readUInt32LE(o)
    .toString(16).padStart(8, '0'));
  assert.match(x.body.result, new RegExp('^0x0*' + spAddr.toString(16) + '.*:\\s+' + words.join('\\s+') + '\\s*$', 'm'));
  assert.match(await fails(dc.evaluateRequest({ expression: 'frobnicate', frameId: f.id, context: 'repl' })),
    /Undefined command: "frobnicate"/);

  // setVariable in Locals, then the watch shows it
  const scopes = await dc.scopesRequest({ frameId: f.id });
  const localsRef = scopes.body.scopes[1].variablesReference;
  const set = await dc.setVariableRequest({ variablesReference: localsRef, name: 'sq', value: '6 * 7' });
  assert.equal(set.body.value, '42');
  const after = await dc.evaluateRequest({ expression: 'sq', frameId: f.id, context: 'watch' });
  assert.equal(after.body.result, '42');
  // a member two levels down, through the variables view
  const locals = await variables(dc, localsRef);
  const origin = await variables(dc, locals.origin.variablesReference);
  assert.equal(origin.x.value, '3');
  await dc.setVariableRequest({ variablesReference: locals.origin.variablesReference, name: 'x', value: '-9' });
  const o = await dc.evaluateRequest({ expression: 'origin', frameId: f.id, context: 'watch' });
  assert.equal(o.body.result, '{x = -9, y = 4}');
  // the variables view in hex (VS Code's "View as hex")
  const hexed = await dc.variablesRequest({ variablesReference: localsRef, format: { hex: true } });
  assert.equal(hexed.body.variables.find((v) => v.name === 'sq').value, '0x2a');
  assert.equal(hexed.body.variables.find((v) => v.name === 'origin').value, '{x = 0xfffffff7, y = 0x4}');
  const se = await dc.customRequest('setExpression', { expression: 'tri.sides', value: 'tri.sides + 2', frameId: f.id });
  assert.equal(se.body.value, '5');
  // a repl command that runs the program: continued, then stopped
  const continued = dc.waitForEvent('continued');
  const stopped2 = dc.waitForEvent('stopped');
  const n = await dc.evaluateRequest({ expression: 'next', frameId: f.id, context: 'repl' });
  assert.match(n.body.result, /printf/);
  await continued;
  assert.equal((await stopped2).body.reason, 'step');
  assert.equal((await topFrame(dc, tid)).line, line('MARK_AFTER_CALL') + 1);
});

test('a conditional breakpoint stops where its condition holds, once', async (t) => {
  const dc = await client(t);
  const { stopped } = await launchTo(dc, {}, [{ line: line('MARK_LOOP'), condition: 'i == 2' }]);
  assert.equal(stopped.body.reason, 'breakpoint');
  const tid = stopped.body.threadId;
  const f = await topFrame(dc, tid);
  assert.equal(f.name, 'walk');
  const i = await dc.evaluateRequest({ expression: 'i', frameId: f.id, context: 'watch' });
  assert.equal(i.body.result, '2');
  const total = await dc.evaluateRequest({ expression: 'total', frameId: f.id, context: 'watch' });
  assert.equal(total.body.result, '4');
  let stops = 0;
  dc.on('stopped', () => stops++);
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: tid });
  assert.equal((await exited).body.exitCode, 7);
  assert.equal(stops, 0);
});

test('logpoint messages and hit counts on a fresh run', async (t) => {
  const dc = await client(t);
  const logs = [];
  dc.on('output', (e) => { if (e.body.category === 'console') logs.push(e.body.output); });
  const { stopped } = await launchTo(dc, {}, [{ line: line('MARK_LOOP'), logMessage: 'i={i} x={s->corners[i].x}' },
    { line: line('MARK_LOOP'), hitCondition: '3' }]);
  // the hit-count breakpoint stops at its third hit: i == 2
  const tid = stopped.body.threadId;
  const f = await topFrame(dc, tid);
  const i = await dc.evaluateRequest({ expression: 'i', frameId: f.id, context: 'watch' });
  assert.equal(i.body.result, '2');
  assert.deepEqual(logs, ['i=0 x=1\n', 'i=1 x=3\n', 'i=2 x=5\n'].slice(0, logs.length));
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: tid });
  await exited;
  assert.deepEqual(logs, ['i=0 x=1\n', 'i=1 x=3\n', 'i=2 x=5\n']);
});
