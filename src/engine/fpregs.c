/* fpregs.c — a thread's x87/SSE/AVX/AVX-512 registers, read and written through
 * the ptrace layer's XSAVE access (nothing cached: gdb and the values
 * code read them rarely, and a resume would drop a cache anyway). */
#include "engine/fpregs.h"

#include <string.h>

#include "ptrace/fpstate.h"

_Static_assert(sizeof(((sse_fpregs *)0)->fxsave) == SSE__FXSAVE_SIZE, "FXSAVE image");
_Static_assert(sizeof(((sse_fpregs *)0)->ymmh) == SSE__YMMH_SIZE, "ymm upper halves");

_Static_assert(sizeof(((sse_fpregs *)0)->k) == sizeof(((sse__avx512 *)0)->k), "k0-7");
_Static_assert(sizeof(((sse_fpregs *)0)->zmmh) == sizeof(((sse__avx512 *)0)->zmmh), "zmm0-15h");
_Static_assert(sizeof(((sse_fpregs *)0)->hi16_zmm) == sizeof(((sse__avx512 *)0)->hi16_zmm),
               "zmm16-31");

int sse__thread_get_fpregs(sse_thread *t, sse_fpregs *out) {
  sse__avx512 z;
  int rc = sse__pt_get_fpstate(t->tid, out->fxsave, out->ymmh, &out->has_avx, &z);
  out->has_avx512 = rc == 0 && z.present;
  memcpy(out->k, z.k, sizeof out->k);
  memcpy(out->zmmh, z.zmmh, sizeof out->zmmh);
  memcpy(out->hi16_zmm, z.hi16_zmm, sizeof out->hi16_zmm);
  return rc;
}

int sse__thread_set_fpregs(sse_thread *t, const sse_fpregs *in) {
  sse__avx512 z = {.present = in->has_avx512};
  memcpy(z.k, in->k, sizeof z.k);
  memcpy(z.zmmh, in->zmmh, sizeof z.zmmh);
  memcpy(z.hi16_zmm, in->hi16_zmm, sizeof z.hi16_zmm);
  return sse__pt_set_fpstate(t->tid, in->fxsave, in->ymmh, &z);
}
