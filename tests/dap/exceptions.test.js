// exceptions.test.js — C++ exception filters (lldb-dap's cpp_throw and
// cpp_catch): a throw stops as an exception, exceptionInfo names its type,
// the stack shows the thrower; no filters, and the program runs to its end.
'use strict';
const path = require('node:path');
const { test } = require('node:test');
const { TARGETS, client, assert } = require('./helpers');

const CXX_EXC = path.join(TARGETS, 'cxx_exc');

test('cpp_throw stops at a throw; exceptionInfo names std::runtime_error', async (t) => {
  const dc = await client(t);
  const init = await dc.initializeRequest({ adapterID: 'sse', linesStartAt1: true,
    columnsStartAt1: true, pathFormat: 'path' });
  const filters = init.body.exceptionBreakpointFilters.map((f) => [f.filter, f.label]);
  assert.deepEqual(filters, [['cpp_throw', 'C++: on throw'], ['cpp_catch', 'C++: on catch']]);
  const initialized = dc.waitForEvent('initialized');
  await dc.launchRequest({ program: CXX_EXC });
  await initialized;
  // cxx_exc's first exception: catch_here's thrower throws std::runtime_error.
  const set = await dc.setExceptionBreakpointsRequest({ filters: ['cpp_throw'] });
  assert.equal(set.body.breakpoints.length, 1);
  const stopped = dc.waitForEvent('stopped');
  await dc.configurationDoneRequest();
  const ev = await stopped;
  assert.equal(ev.body.reason, 'exception');
  assert.equal(ev.body.description, 'Exception thrown: std::runtime_error');
  const info = await dc.exceptionInfoRequest({ threadId: ev.body.threadId });
  assert.equal(info.body.exceptionId, 'std::runtime_error');
  assert.match(info.body.description, /std::runtime_error/);
  assert.equal(info.body.breakMode, 'always');
  const st = await dc.stackTraceRequest({ threadId: ev.body.threadId, startFrame: 0, levels: 20 });
  const names = st.body.stackFrames.map((f) => f.name);
  const top = names.slice(0, 3);
  assert.ok(top.some((n) => /^thrower\b/.test(n)), names.join(' | '));
  assert.ok(names.some((n) => /^catch_here\b/.test(n)), names.join(' | '));
  // No filters: the other throws run on to the end.
  const none = await dc.setExceptionBreakpointsRequest({ filters: [] });
  assert.deepEqual(none.body.breakpoints, []);
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: ev.body.threadId });
  assert.equal((await exited).body.exitCode, 0);
});

test('cpp_catch stops where a handler catches', async (t) => {
  const dc = await client(t);
  await dc.initializeRequest({ adapterID: 'sse' });
  const initialized = dc.waitForEvent('initialized');
  await dc.launchRequest({ program: CXX_EXC });
  await initialized;
  await dc.setExceptionBreakpointsRequest({ filters: ['cpp_catch'] });
  const stopped = dc.waitForEvent('stopped');
  await dc.configurationDoneRequest();
  const ev = await stopped;
  assert.equal(ev.body.reason, 'exception');
  assert.equal(ev.body.description, 'Exception caught: std::runtime_error');
  const st = await dc.stackTraceRequest({ threadId: ev.body.threadId, startFrame: 0, levels: 20 });
  const names = st.body.stackFrames.map((f) => f.name);
  assert.ok(names.slice(0, 3).some((n) => /^catch_here\b/.test(n)), names.join(' | '));
  await dc.setExceptionBreakpointsRequest({ filters: [] });
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: ev.body.threadId });
  assert.equal((await exited).body.exitCode, 0);
});
