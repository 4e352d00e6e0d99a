// badinput.test.js — malformed input gets an error response and the
// session goes on: a wrong Content-Length, invalid JSON, an unknown
// request, a variablesReference that does not exist, stackTrace of a thread
// that exited, launch of a missing program. And the TCP transport.
'use strict';
const cp = require('node:child_process');
const { test } = require('node:test');
const { DebugClient } = require('@vscode/debugadapter-testsupport');
const { SSEDAP, PROGRAM, TIMEOUT, line, client, launchTo, fails, raw, assert } = require('./helpers');

test('framing errors and invalid JSON: an error response, then the session goes on', async (t) => {
  const s = raw(t);
  // a Content-Length shorter than the body: the body is cut, not JSON
  const body = JSON.stringify({ seq: 1, type: 'request', command: 'initialize', arguments: {} });
  s.send(`Content-Length: ${body.length - 5}\r\n\r\n${body}`);
  let r = await s.response();
  assert.equal(r.success, false);
  assert.match(r.message, /malformed message/);
  // a Content-Length that is no number
  s.send('Content-Length: twelve\r\n\r\n{}');
  r = await s.response();
  assert.equal(r.success, false);
  assert.match(r.message, /invalid Content-Length/);
  // valid framing, invalid JSON
  s.send('Content-Length: 9\r\n\r\n{"seq": 1');
  r = await s.response();
  assert.equal(r.success, false);
  assert.match(r.message, /malformed message/);
  // JSON that is no request
  s.send('Content-Length: 2\r\n\r\n[]');
  r = await s.response();
  assert.equal(r.success, false);
  // an unknown request
  s.request(7, 'frobnicate', {});
  r = await s.response();
  assert.equal(r.request_seq, 7);
  assert.equal(r.success, false);
  assert.match(r.message, /unsupported request "frobnicate"/);
  // still usable
  s.request(8, 'initialize', { adapterID: 'sse' });
  r = await s.response();
  assert.equal(r.request_seq, 8);
  assert.equal(r.success, true);
  assert.equal(r.body.supportsConfigurationDoneRequest, true);
  s.request(9, 'disconnect', {});
  r = await s.response();
  assert.equal(r.success, true);
});

test('launch of a missing program fails; a launch after it works', async (t) => {
  const dc = await client(t);
  await dc.initializeRequest({ adapterID: 'sse' });
  assert.match(await fails(dc.launchRequest({ program: '/nonexistent/prog' })),
    /could not launch \/nonexistent\/prog: .*No such file or directory/);
  assert.match(await fails(dc.launchRequest({})), /"program" is required/);
  assert.match(await fails(dc.launchRequest({ program: PROGRAM, args: 'spin' })), /"args" must be an array/);
  const initialized = dc.waitForEvent('initialized');
  await dc.launchRequest({ program: PROGRAM });
  await initialized;
  const exited = dc.waitForEvent('exited');
  await dc.configurationDoneRequest();
  assert.equal((await exited).body.exitCode, 7);
});

test('no such variablesReference, frame or thread; stackTrace of a thread that exited', async (t) => {
  const dc = await client(t);
  let worker = 0;
  dc.on('thread', (e) => { if (e.body.reason === 'exited') worker = e.body.threadId; });
  const { stopped } = await launchTo(dc, { args: ['threads'] }, [line('MARK_RETURN')]);
  const tid = stopped.body.threadId;
  assert.ok(worker > 0, 'a worker exited');
  assert.match(await fails(dc.stackTraceRequest({ threadId: worker })), new RegExp(`no thread ${worker}`));
  assert.match(await fails(dc.variablesRequest({ variablesReference: 987654 })),
    /no variablesReference 987654/);
  assert.match(await fails(dc.scopesRequest({ frameId: 4242 })), /no frame 4242/);
  assert.match(await fails(dc.nextRequest({ threadId: worker })), /no thread/);
  // references of a stop go when the program runs
  const st = await dc.stackTraceRequest({ threadId: tid });
  const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[0].id });
  const ref = scopes.body.scopes[1].variablesReference;
  const s = dc.waitForEvent('stopped');
  await dc.stepInRequest({ threadId: tid, granularity: 'instruction' });
  await s;
  assert.match(await fails(dc.variablesRequest({ variablesReference: ref })), /no variablesReference/);
  // and the session is usable still
  const th = await dc.threadsRequest();
  assert.equal(th.body.threads.length, 1);
});

test('--port serves one client over TCP on the loopback', async (t) => {
  const proc = cp.spawn(SSEDAP, ['--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let dc = null;
  t.after(async () => {
    if (dc) await dc.stop();
    proc.kill();
  });
  const port = await new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error('no port: ' + err)), TIMEOUT);
    proc.stderr.on('data', (d) => {
      err += d;
      const m = /Listening on port (\d+)/.exec(err);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
  });
  dc = new DebugClient(SSEDAP, '', 'sse');
  await dc.start(port);
  const { stopped } = await launchTo(dc, {}, [line('MARK_SQUARE')]);
  assert.equal(stopped.body.reason, 'breakpoint');
  const exited = dc.waitForEvent('exited');
  await dc.continueRequest({ threadId: stopped.body.threadId });
  assert.equal((await exited).body.exitCode, 7);
});
