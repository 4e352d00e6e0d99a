/* Range stepping: inside the step range, every instruction up to the next
 * control-flow one (sse__arch_scan_to_branch: branch, call, ret, kernel
 * entry, rep string op, undecodable) falls through, so single-stepping it
 * decides nothing. The step machine runs to that instruction with a
 * temporary breakpoint instead (SSE__PH_RANGE), then single-steps it. The
 * decoded runs are cached per start address, direct-mapped, dropped when
 * code changes. Tracer thread only. */
#include <string.h>

#include "arch/arch.h"
#include "step/step.h"

#define RANGE_SCAN_MAX 256

void sse__run_code_changed(sse_process *p, uint64_t addr, uint64_t len) {
  uint64_t end = addr + len < addr ? UINT64_MAX : addr + len;
  for (int i = 0; i < SSE__RUNCACHE_SIZE; i++) {
    sse__runent *e = &p->runcache[i];
    if (!e->start) continue;
    /* The bytes scanned, and the instruction the run ends at. */
    uint64_t hi = e->start + e->off + SSE__ARCH_MAX_INSN_LEN;
    if (e->lim > hi) hi = e->lim;
    if (e->start < end && addr < hi) e->start = 0;
  }
}

static unsigned runcache_slot(uint64_t a) {
  return (unsigned)((a ^ (a >> 8) ^ (a >> 16)) % SSE__RUNCACHE_SIZE);
}

uint64_t sse__range_target(sse_process *p, uint64_t pc, uint64_t hi) {
  uint64_t lim = hi - pc > RANGE_SCAN_MAX ? pc + RANGE_SCAN_MAX : hi;
  sse__runent *e = &p->runcache[runcache_slot(pc)];
  if (e->start == pc &&
      ((e->found && pc + e->off < hi) || (!e->found && e->lim == lim)))
    return pc + e->off;
  uint8_t buf[RANGE_SCAN_MAX];
  size_t got = 0;
  /* Our int3s are shadowed: the decoder sees the program's bytes. */
  sse__mem_read(p, pc, buf, (size_t)(lim - pc), &got);
  if (!got) return pc;
  sse__insn br;
  size_t off = sse__arch_scan_to_branch(buf, got, pc, &br);
  bool found = !(br.kind == SSE__INSN_INVALID && br.truncated);
  if (got == lim - pc) {
    e->start = pc;
    e->lim = lim;
    e->off = (uint32_t)off;
    e->found = found;
  }
  return pc + off;
}
