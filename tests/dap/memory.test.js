// memory.test.js — disassemble around the pc with a negative offset, as
// VS Code's disassembly view asks; readMemory (and a 0-byte probe);
// writeMemory; stepping by instruction.
'use strict';
const { test } = require('node:test');
const { line, client, launchTo, topFrame, assert } = require('./helpers');

test('disassemble around the pc, readMemory, writeMemory, instruction steps', async (t) => {
  const dc = await client(t);
  const { stopped } = await launchTo(dc, {}, [line('MARK_SQUARE')]);
  const tid = stopped.body.threadId;
  const f = await topFrame(dc, tid);
  const pc = BigInt(f.instructionPointerReference);
  const d = await dc.disassembleRequest({ memoryReference: f.instructionPointerReference,
    instructionOffset: -4, instructionCount: 10, resolveSymbols: true });
  const ins = d.body.instructions;
  assert.equal(ins.length, 10);
  assert.equal(BigInt(ins[4].address), pc); // the pc is the 5th: 4 before it
  for (let i = 0; i + 1 < ins.length; i++) {
    const len = ins[i].instructionBytes.split(' ').length;
    assert.equal(BigInt(ins[i].address) + BigInt(len), BigInt(ins[i + 1].address), `gap after ${i}`);
  }
  // square's prologue comes first: its entry is named, and pushes %rbp
  const entry = ins.find((x) => x.symbol === 'square');
  assert.ok(entry, JSON.stringify(ins));
  assert.match(entry.instruction, /^(endbr64|push)/);
  assert.ok(ins.slice(4).some((x) => x.line === line('MARK_SQUARE')));

  // the view steps by instruction: stepi leaves the pc one instruction on
  const s = dc.waitForEvent('stopped');
  await dc.nextRequest({ threadId: tid, granularity: 'instruction' });
  await s;
  const f2 = await topFrame(dc, tid);
  assert.equal(BigInt(f2.instructionPointerReference), BigInt(ins[5].address));

  // readMemory of a local, then writeMemory and the new value
  const v = await dc.evaluateRequest({ expression: 'v', frameId: f2.id, context: 'watch' });
  const at = await dc.evaluateRequest({ expression: '&v', frameId: f2.id, context: 'watch' });
  const addr = at.body.result.replace(/^\(.*\) /, '');
  const mem = await dc.customRequest('readMemory', { memoryReference: addr, count: 4 });
  assert.equal(BigInt(mem.body.address), BigInt(addr));
  assert.equal(Buffer.from(mem.body.data, 'base64').readInt32LE(0), Number(v.body.result));
  const probe = await dc.customRequest('readMemory', { memoryReference: addr, count: 0 });
  assert.equal(probe.body.data ?? '', '');
  const buf = Buffer.alloc(4);
  buf.writeInt32LE(-12345);
  const wr = await dc.customRequest('writeMemory', { memoryReference: addr, data: buf.toString('base64') });
  assert.equal(wr.body.bytesWritten, 4);
  const v2 = await dc.evaluateRequest({ expression: 'v', frameId: f2.id, context: 'watch' });
  assert.equal(v2.body.result, '-12345');
  // an unmapped page: no bytes, all of them unreadable
  const bad = await dc.customRequest('readMemory', { memoryReference: '0x10', count: 8 });
  assert.equal(bad.body.unreadableBytes, 8);
});
