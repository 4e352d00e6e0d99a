/* sse_disassemble(): instructions as gdb shows them, from the process's
 * memory as sse_read_memory() shows it (no breakpoint int3s), decoded by
 * the arch layer on the calling thread; one delegate names the targets. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "arch/arch.h"
#include "internal.h"
#include "symtab/symtab.h"

/* Split the arch layer's "mnemonic operands" text. In AT&T syntax an
 * operand starts with %, $, *, (, - or a digit, never with a letter: the
 * words before the first one that does not start with a letter are the
 * mnemonic with its prefixes ("rep stosq", "notrack jmp"). */
static void split_text(const char *text, sse_insn *o) {
  const char *ops = text + strlen(text);
  for (const char *w = strchr(text, ' '); w; w = strchr(w + 1, ' '))
    if (!isalpha((unsigned char)w[1])) {
      ops = w + 1;
      break;
    }
  size_t mlen = (size_t)(ops - text);
  while (mlen && text[mlen - 1] == ' ') mlen--;
  snprintf(o->mnemonic, sizeof o->mnemonic, "%.*s", (int)mlen, text);
  snprintf(o->operands, sizeof o->operands, "%s", ops);
}

/* One instruction at pc from buf[0..avail); false when it is cut by the end
 * of readable memory (`ended`). */
static bool decode_one(const uint8_t *buf, size_t avail, uint64_t pc,
                       bool ended, sse_insn *o) {
  memset(o, 0, sizeof *o);
  o->addr = pc;
  sse__insn d;
  if (sse__arch_decode(buf, avail, pc, &d) == 0) {
    char text[sizeof o->mnemonic + sizeof o->operands];
    sse__arch_disasm(buf, avail, pc, text, sizeof text);
    split_text(text, o);
    o->len = d.len;
    o->has_target = d.has_target;
    o->target = d.target;
  } else if (d.truncated && ended) {
    return false;
  } else {
    o->invalid = true;
    o->len = 1;
    snprintf(o->mnemonic, sizeof o->mnemonic, "(bad)");
  }
  memcpy(o->bytes, buf, o->len);
  return true;
}

typedef struct name_req {
  sse_process *p;
  sse_insn *v;
  size_t n;
} name_req;

/* Tracer thread: the function at every direct target. */
static void do_name_targets(void *arg) {
  name_req *r = arg;
  for (size_t i = 0; i < r->n && !r->p->exited; i++) {
    sse__loc l;
    if (r->v[i].has_target && sse__proc_lookup(r->p, r->v[i].target, &l) == 0 &&
        l.function) {
      r->v[i].target_function = l.function;
      r->v[i].target_offset = l.offset;
    }
  }
}

sse_err sse_disassemble(sse_process *p, uint64_t addr, size_t count,
                        sse_insn *out, size_t *n) {
  if (n) *n = 0;
  if (!p || (!out && count)) return SSE_E_INVAL;
  uint8_t buf[4096];
  uint64_t base = addr, pc = addr; /* buf[0] is at base */
  size_t have = 0, k = 0;
  bool ended = false, any_target = false;
  sse_err err = SSE_OK;
  while (k < count) {
    size_t off = (size_t)(pc - base);
    if (!ended && have - off < SSE__ARCH_MAX_INSN_LEN) {
      /* Keep the undecoded tail, read on from its end: as much as the
       * instructions still wanted can take, at most a buffer. */
      memmove(buf, buf + off, have - off);
      have -= off;
      base = pc;
      off = 0;
      size_t want = sizeof buf - have;
      if ((count - k) < want / SSE__ARCH_MAX_INSN_LEN)
        want = (count - k) * SSE__ARCH_MAX_INSN_LEN;
      size_t done = 0;
      sse_err e = sse_read_memory(p, base + have, buf + have, want, &done);
      have += done;
      if (e == SSE_E_FAULT) {
        ended = true;
      } else if (e) {
        err = e;
        break;
      }
    }
    if (off >= have || !decode_one(buf + off, have - off, pc, ended, &out[k])) {
      err = SSE_E_FAULT;
      break;
    }
    any_target |= out[k].has_target;
    pc += out[k].len;
    k++;
  }
  if (any_target) {
    name_req r = {.p = p, .v = out, .n = k};
    sse_err e = sse__engine_call(p->engine, do_name_targets, &r);
    if (!err) err = e;
  }
  if (n) *n = k;
  return err;
}
