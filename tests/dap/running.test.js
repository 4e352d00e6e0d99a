// running.test.js — a function breakpoint pending until its library loads,
// pause of a running loop, the threads of a multi-threaded target, a
// restart, a data breakpoint.
'use strict';
const path = require('node:path');
const { test } = require('node:test');
const { TARGETS, line, client, launchTo, launchSpinning, topFrame, assert } = require('./helpers');

test('a function breakpoint pending until dlopen loads its library', async (t) => {
  const dc = await client(t);
  let fbp;
  const changed = dc.waitForEvent('breakpoint');
  const { stopped } = await launchTo(dc, { program: path.join(TARGETS, 'dlopen_main') }, [], async () => {
    fbp = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'dl_work' }] });
  });
  assert.equal(fbp.body.breakpoints[0].verified, false);
  const ev = await changed;
  assert.equal(ev.body.reason, 'changed');
  assert.equal(ev.body.breakpoint.id, fbp.body.breakpoints[0].id);
  assert.equal(ev.body.breakpoint.verified, true);
  assert.equal(stopped.body.reason, 'function breakpoint');
  assert.deepEqual(stopped.body.hitBreakpointIds, [fbp.body.breakpoints[0].id]);
  const f = await topFrame(dc, stopped.body.threadId);
  assert.equal(f.name, 'dl_work');
  assert.equal(path.basename(f.source.path), 'dlopen_lib.c');
  const mods = await dc.modulesRequest({});
  assert.ok(mods.body.modules.some((m) => m.name === 'libdl_target.so'));
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: stopped.body.threadId });
  assert.equal((await exited).body.exitCode, 0);
});

test('pause stops a running loop; the program runs on after', async (t) => {
  const dc = await client(t);
  await launchSpinning(dc);
  // requests served while it runs
  const th = await dc.threadsRequest();
  assert.equal(th.body.threads.length, 1);
  const stopped = dc.waitForEvent('stopped');
  await dc.pauseRequest({ threadId: th.body.threads[0].id });
  const ev = await stopped;
  assert.equal(ev.body.reason, 'pause');
  assert.equal(ev.body.allThreadsStopped, true);
  const st = await dc.stackTraceRequest({ threadId: ev.body.threadId });
  const names = st.body.stackFrames.map((f) => f.name);
  assert.deepEqual(names.slice(0, 2), ['spin', 'main']);
  const spinning = await dc.evaluateRequest({ expression: 'spinning', frameId: st.body.stackFrames[0].id,
    context: 'watch' });
  assert.equal(spinning.body.result, '1');
  await dc.customRequest('setExpression', { expression: 'spinning', value: '0',
    frameId: st.body.stackFrames[0].id });
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: ev.body.threadId });
  assert.equal((await exited).body.exitCode, 7);
});

test('threads of a multi-threaded target, each with its stack', async (t) => {
  const dc = await client(t);
  const started = [];
  dc.on('thread', (e) => { if (e.body.reason === 'started') started.push(e.body.threadId); });
  const { stopped } = await launchTo(dc, { args: ['threads'] }, [line('MARK_ALL_THREADS')]);
  const th = await dc.threadsRequest();
  const ids = th.body.threads.map((x) => x.id);
  assert.equal(ids.length, 4);
  assert.equal(ids[0], stopped.body.threadId); // the leader
  assert.deepEqual(ids.slice(1).sort(), started.slice().sort());
  for (const x of th.body.threads) assert.match(x.name, new RegExp(`^Thread ${x.id} \\(dap_target\\)$`));
  for (const id of ids.slice(1)) {
    const st = await dc.stackTraceRequest({ threadId: id });
    const names = st.body.stackFrames.map((f) => f.name);
    assert.ok(names.includes('worker'), names.join(' '));
  }
  const f = await topFrame(dc, stopped.body.threadId);
  assert.equal(f.name, 'threads');
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: stopped.body.threadId });
  assert.equal((await exited).body.exitCode, 7);
});

test('a data breakpoint stops where the variable is written', async (t) => {
  const dc = await client(t);
  const { stopped } = await launchTo(dc, {}, [line('MARK_AFTER_CALL')]);
  const f = await topFrame(dc, stopped.body.threadId);
  const scopes = await dc.scopesRequest({ frameId: f.id });
  const info = await dc.dataBreakpointInfoRequest({ variablesReference: scopes.body.scopes[1].variablesReference,
    name: 'w' });
  assert.match(info.body.dataId, /^0x[0-9a-f]+\/4$/);
  const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId, accessType: 'write' }] });
  assert.equal(set.body.breakpoints[0].verified, true);
  const s = dc.waitForEvent('stopped');
  await dc.continueRequest({ threadId: stopped.body.threadId });
  const ev = await s;
  assert.equal(ev.body.reason, 'data breakpoint');
  const f2 = await topFrame(dc, ev.body.threadId);
  const w = await dc.evaluateRequest({ expression: 'w', frameId: f2.id, context: 'watch' });
  assert.equal(w.body.result, '12');
});

test('restart runs the program again with its breakpoints', async (t) => {
  const dc = await client(t);
  const { stopped } = await launchTo(dc, {}, [line('MARK_SQUARE')]);
  const f = await topFrame(dc, stopped.body.threadId);
  assert.equal(f.name, 'square');
  const again = dc.waitForEvent('stopped');
  await dc.restartRequest({});
  const ev = await again;
  assert.equal(ev.body.reason, 'breakpoint');
  const f2 = await topFrame(dc, ev.body.threadId);
  assert.equal(f2.name, 'square');
  assert.notEqual(ev.body.threadId, stopped.body.threadId);
  const term = dc.waitForEvent('terminated');
  await dc.terminateRequest({});
  await term;
});

test('attach by pid to a running program, pause it, detach on disconnect', async (t) => {
  const cp = require('node:child_process');
  const target = cp.spawn(path.join(TARGETS, 'dap_target'), ['spin'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => target.kill('SIGKILL'));
  await new Promise((resolve) => target.stdout.once('data', resolve)); // it printed: it spins
  const dc = await client(t);
  await dc.initializeRequest({ adapterID: 'sse' });
  const initialized = dc.waitForEvent('initialized');
  await dc.attachRequest({ pid: String(target.pid) });
  await initialized;
  await dc.configurationDoneRequest();
  const stopped = dc.waitForEvent('stopped');
  await dc.pauseRequest({ threadId: target.pid });
  const ev = await stopped;
  assert.equal(ev.body.reason, 'pause');
  assert.equal(ev.body.threadId, target.pid);
  const st = await dc.stackTraceRequest({ threadId: target.pid });
  assert.deepEqual(st.body.stackFrames.slice(0, 2).map((f) => f.name), ['spin', 'main']);
  // detach (the default for attach): the program runs on, untraced
  await dc.customRequest('setExpression', { expression: 'spinning', value: '0',
    frameId: st.body.stackFrames[0].id });
  const exit = new Promise((resolve) => target.on('exit', (code) => resolve(code)));
  await dc.disconnectRequest({});
  assert.equal(await exit, 7);
});

test('a breakpoint set while the program runs: it stops there', async (t) => {
  const dc = await client(t);
  await launchSpinning(dc);
  const stopped = dc.waitForEvent('stopped');
  const bp = await dc.setBreakpointsRequest({ source: { path: require('./helpers').SRC },
    breakpoints: [{ line: line('MARK_SPIN') + 1 }] }); // counter++, run at each turn
  assert.equal(bp.body.breakpoints[0].verified, true);
  const ev = await stopped;
  assert.equal(ev.body.reason, 'breakpoint');
  const f = await topFrame(dc, ev.body.threadId);
  assert.equal(f.name, 'spin');
  assert.equal(f.line, line('MARK_SPIN') + 1);
});
