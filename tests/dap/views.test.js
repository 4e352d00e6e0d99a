// views.test.js — what the other views ask for: a signal as an exception
// (exceptionInfo), the Registers scope, breakpointLocations, modules and
// loadedSources, goto.
'use strict';
const { test } = require('node:test');
const { SRC, line, client, launchTo, topFrame, variables, fails, assert } = require('./helpers');

test('a SIGSEGV stops as an exception; exceptionInfo and registers tell it', async (t) => {
  const dc = await client(t);
  const { stopped } = await launchTo(dc, { args: ['segv'] });
  assert.equal(stopped.body.reason, 'exception');
  assert.match(stopped.body.description, /Segmentation fault/);
  const info = await dc.exceptionInfoRequest({ threadId: stopped.body.threadId });
  assert.equal(info.body.exceptionId, 'SIGSEGV');
  assert.equal(info.body.breakMode, 'always');
  const f = await topFrame(dc, stopped.body.threadId);
  assert.equal(f.name, 'main');
  assert.equal(f.line, line('MARK_SEGV'));
  const scopes = await dc.scopesRequest({ frameId: f.id });
  const regs = await variables(dc, scopes.body.scopes[2].variablesReference);
  assert.equal(scopes.body.scopes[2].expensive, true);
  assert.equal(BigInt(regs.rip.value), BigInt(f.instructionPointerReference));
  const sp = await dc.evaluateRequest({ expression: '$sp', frameId: f.id, context: 'watch' });
  assert.equal(BigInt(regs.rsp.value), BigInt(sp.body.result.replace(/^\(.*\) /, '')));
  const terminated = dc.waitForEvent('terminated');
  await dc.terminateRequest({});
  await terminated;
});

test('breakpointLocations, modules, loadedSources, goto', async (t) => {
  const dc = await client(t);
  const { stopped } = await launchTo(dc, {}, [line('MARK_CALL')]);
  const tid = stopped.body.threadId;
  // lines with code from walk's opening line on: the body's first line
  // (where a breakpoint on the opening line goes, past the prologue, as in
  // gdb), the for line, the loop body, return, the closing brace
  const first = line('static int walk(');
  const locs = await dc.customRequest('breakpointLocations', { source: { path: SRC }, line: first,
    endLine: first + 5 });
  assert.deepEqual(locs.body.breakpoints.map((b) => b.line),
    [first + 1, first + 2, first + 3, first + 4, first + 5]);
  const mods = await dc.modulesRequest({});
  const names = mods.body.modules.map((m) => m.name);
  assert.ok(names.includes('dap_target') && names.includes('libc.so.6'), names.join(' '));
  const me = mods.body.modules.find((m) => m.name === 'dap_target');
  assert.equal(me.symbolStatus, 'Symbols loaded.');
  await topFrame(dc, tid);
  const src = await dc.customRequest('loadedSources', {});
  assert.ok(src.body.sources.some((s) => s.path === SRC));
  // goto the return line: the pc moves there without running
  const targets = await dc.gotoTargetsRequest({ source: { path: SRC }, line: line('MARK_RETURN') });
  assert.equal(targets.body.targets[0].line, line('MARK_RETURN'));
  const s = dc.waitForEvent('stopped');
  await dc.customRequest('goto', { threadId: tid, targetId: targets.body.targets[0].id });
  assert.equal((await s).body.reason, 'goto');
  const f = await topFrame(dc, tid);
  assert.equal(f.line, line('MARK_RETURN'));
  assert.match(await fails(dc.customRequest('goto', { threadId: tid, targetId: 999 })), /no goto target 999/);
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: tid });
  await exited;
});

test('stepInTargets lists the line\'s calls; stepIn to one of them', async (t) => {
  const dc = await client(t);
  const { stopped } = await launchTo(dc, {}, [line('MARK_AFTER_CALL')]);
  const tid = stopped.body.threadId;
  const f = await topFrame(dc, tid);
  const targets = await dc.stepInTargetsRequest({ frameId: f.id });
  assert.deepEqual(targets.body.targets.map((x) => x.label), ['walk']);
  const s = dc.waitForEvent('stopped');
  await dc.stepInRequest({ threadId: tid, targetId: targets.body.targets[0].id });
  assert.equal((await s).body.reason, 'step');
  const f2 = await topFrame(dc, tid);
  assert.equal(f2.name, 'walk');
  assert.equal(f2.line, line('static int walk(') + 1);
  // the step's breakpoint is gone: walk is not stopped in again
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: tid });
  assert.equal((await exited).body.exitCode, 7);
});
