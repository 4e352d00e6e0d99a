// helpers.js — what every ssedap test needs: the adapter under Microsoft's
// DebugClient, the target's lines by their markers, a raw framed client for
// malformed input. Paths come from tests/run_tests.sh's environment.
'use strict';
const assert = require('node:assert/strict');
const cp = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { DebugClient } = require('@vscode/debugadapter-testsupport');

const SSEDAP = process.env.SSEDAP || path.resolve(__dirname, '../../build/ssedap');
const TARGETS = process.env.SSE_TARGETS_DIR || path.resolve(__dirname, '../../build/targets');
const SRC = path.resolve(__dirname, '../targets/dap_target.c');
const PROGRAM = path.join(TARGETS, 'dap_target');
// Sanitizer builds run slower: every wait gets the same generous bound.
const TIMEOUT = Number(process.env.DAP_TIMEOUT || 20000);

// The line of marker in dap_target.c (1-based, as the editor shows it).
function line(marker, file = SRC) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, `no ${marker} in ${file}`);
  return i + 1;
}

async function client(t) {
  const dc = new DebugClient(SSEDAP, '--stdio', 'sse', { stdio: 'pipe' }, !!process.env.DAP_STDERR);
  dc.defaultTimeout = TIMEOUT;
  await dc.start();
  // A session that ended with disconnect has no adapter left to answer
  // the last one.
  const gone = new Promise((resolve) => dc._adapterProcess.on('exit', resolve));
  t.after(() => Promise.race([dc.stop(), gone]).then(() => dc.stopAdapter()));
  return dc;
}

// initialize, launch, breakpoints (lines of dap_target.c), configurationDone;
// resolves with the first stopped event.
async function launchTo(dc, launch, lines = [], extra = async () => {}) {
  const init = await dc.initializeRequest({ adapterID: 'sse', linesStartAt1: true,
    columnsStartAt1: true, pathFormat: 'path' });
  assert.equal(init.body.supportsConfigurationDoneRequest, true);
  const initialized = dc.waitForEvent('initialized');
  await dc.launchRequest({ program: PROGRAM, ...launch });
  await initialized;
  const bps = await dc.setBreakpointsRequest({ source: { path: SRC },
    breakpoints: lines.map((l) => (typeof l === 'number' ? { line: l } : l)) });
  await extra();
  const stopped = dc.waitForEvent('stopped');
  await dc.configurationDoneRequest();
  return { bps, stopped: await stopped };
}

// Launch dap_target spin without breakpoints: resolves once it runs (its
// first line printed) and spins.
async function launchSpinning(dc) {
  await dc.initializeRequest({ adapterID: 'sse' });
  const initialized = dc.waitForEvent('initialized');
  await dc.launchRequest({ program: PROGRAM, args: ['spin'] });
  await initialized;
  const out = dc.assertOutput('stdout', 'sq=25');
  await dc.configurationDoneRequest();
  await out;
}

async function topFrame(dc, threadId) {
  const st = await dc.stackTraceRequest({ threadId, startFrame: 0, levels: 20 });
  return st.body.stackFrames[0];
}

async function variables(dc, ref) {
  const r = await dc.variablesRequest({ variablesReference: ref });
  return Object.fromEntries(r.body.variables.map((v) => [v.name, v]));
}

// A request that must fail: resolves with the error's message.
async function fails(p) {
  try {
    await p;
  } catch (e) {
    return e.message;
  }
  assert.fail('the request succeeded');
}

// ssedap on pipes, spoken to byte by byte: send(raw) and next() (the next
// message, parsed).
function raw(t) {
  const proc = cp.spawn(SSEDAP, ['--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = Buffer.alloc(0);
  const queue = [];
  const waiters = [];
  proc.stdout.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const h = buf.indexOf('\r\n\r\n');
      if (h < 0) break;
      const m = /Content-Length: (\d+)/.exec(buf.subarray(0, h).toString());
      const len = Number(m[1]);
      if (buf.length < h + 4 + len) break;
      const msg = JSON.parse(buf.subarray(h + 4, h + 4 + len).toString());
      buf = buf.subarray(h + 4 + len);
      if (waiters.length) waiters.shift()(msg);
      else queue.push(msg);
    }
  });
  t.after(() => proc.kill());
  return {
    proc,
    send(s) { proc.stdin.write(s); },
    request(seq, command, args) {
      const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
      proc.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    },
    next() {
      if (queue.length) return Promise.resolve(queue.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no message from ssedap')), TIMEOUT);
        waiters.push((m) => { clearTimeout(timer); resolve(m); });
      });
    },
    // The next response (events before it are skipped).
    async response() {
      for (;;) {
        const m = await this.next();
        if (m.type === 'response') return m;
      }
    },
  };
}

module.exports = { SSEDAP, TARGETS, SRC, PROGRAM, TIMEOUT, line, client, launchTo, launchSpinning, topFrame,
  variables, fails, raw, assert };
