/* A thread's frames as gdb counts them: every physical frame of the unwind
 * followed by the inline frames at its pc (gdb's INLINE_FRAME), innermost
 * first, and by the tail-call frames between it and its caller (gdb's
 * TAILCALL_FRAME). Frame 0's hidden inline frames (the thread's inline
 * state at the stop) are not listed, as gdb's `bt` does not list them. Every API call
 * that takes a frame index (backtrace, variables, expressions, values)
 * maps it here. Tracer thread, the thread stopped. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "symtab/symtab.h"
#include "symtab/tailcall.h"

/* The inline frames physical frame f adds: chain at its lookup pc, and the
 * number of innermost blocks not shown (frame 0's hidden ones). */
typedef struct phys_inl {
  sse__inline v[SSE__INLINE_MAX];
  int n, skip;
  uint64_t look;
} phys_inl;

static void phys_chain(sse_thread *t, const sse_frame *fr, size_t i, phys_inl *pi) {
  bool prev = i > 0 && !fr[i].signal_frame && !fr[i - 1].signal_frame;
  pi->look = prev ? fr[i].pc - 1 : fr[i].pc;
  pi->n = sse__proc_inline_chain(t->proc, pi->look, pi->v);
  pi->skip = i == 0 ? sse__inline_state_skip(&t->inl, pi->v, pi->n, fr[i].pc) : 0;
}

/* Logical frame k (skip <= k <= n) of physical frame f: its location as
 * gdb's find_frame_sal and frame function give it. */
static void inline_frame(sse_thread *t, const sse_frame *f, const phys_inl *pi, int k, bool first,
                         sse_frame *out) {
  *out = *f;
  out->inlined = k < pi->n;
  if (pi->n == 0) return;
  if (!first) out->signal_frame = false;
  struct sse__symtab *st = sse__proc_symtab(t->proc);
  sse__loc l;
  if (!st || sse__symtab_lookup(st, pi->look, &l) != 0) return;
  sse__inline_location(pi->v, pi->n, k, &l, f->pc, &out->loc);
  if (out->loc.function != NULL) out->loc.offset += f->pc - pi->look;
}

/* A frame's ref when it has no registers of its own (a tail-call frame):
 * sse__frame_ref_of does not map it. */
#define NO_PHYS SIZE_MAX

/* gdb's dwarf2_tailcall_sniffer_first: the tail-call frames between
 * physical frame i and its caller, innermost first, into out (at most
 * max). Returns how many. Not around a signal frame, whose "caller" made
 * no call. */
static size_t tail_frames(sse_thread *t, const sse_frame *phys, size_t np, size_t i, sse_frame *out,
                          size_t max) {
  struct sse__symtab *st = sse__proc_symtab(t->proc);
  if (!st || i + 1 >= np || phys[i].signal_frame || phys[i + 1].signal_frame || !phys[i + 1].pc) return 0;
  bool caller = i > 0 && !phys[i - 1].signal_frame;
  sse__loc l;
  if (sse__symtab_lookup(st, phys[i].pc - caller, &l) != 0 || !l.func_lo) return 0;
  uint64_t pcs[SSE__TAILCALL_MAX];
  int n = sse__symtab_tailcalls(st, phys[i + 1].pc, l.func_lo, pcs, SSE__TAILCALL_MAX);
  size_t k = 0;
  for (int c = n - 1; c >= 0 && k < max; c--, k++) {
    sse_frame *f = &out[k];
    memset(f, 0, sizeof *f);
    f->pc = pcs[c];
    f->cfa = phys[i].cfa;
    f->tailcall = true;
    /* gdb's frame function and find_frame_sal at pc - 1: the innermost
     * block there, no inline frames of its own. */
    sse__loc tl;
    if (sse__symtab_lookup(st, f->pc - 1, &tl) != 0) continue;
    sse__inline v[SSE__INLINE_MAX];
    int m = sse__proc_inline_chain(t->proc, f->pc - 1, v);
    sse__inline_location(v, m, 0, &tl, f->pc, &f->loc);
    if (f->loc.function != NULL) f->loc.offset += 1;
    f->loc.mid_statement = true;
  }
  return k;
}

/* Expand the physical frames phys[0..np) into out (at most max), refs[j]
 * (may be NULL) saying where logical frame j comes from. Returns the count. */
static size_t expand(sse_thread *t, const sse_frame *phys, size_t np, sse_frame *out, size_t max,
                     sse__frame_ref *refs) {
  size_t j = 0;
  phys_inl *pi = malloc(sizeof *pi);
  if (!pi) return 0;
  for (size_t i = 0; i < np && j < max; i++) {
    phys_chain(t, phys, i, pi);
    for (int k = pi->skip; k <= pi->n && j < max; k++, j++) {
      if (i == 0 && k == pi->skip) {
        out[j] = phys[0];
        out[j].inlined = pi->skip < pi->n;
      } else {
        inline_frame(t, &phys[i], pi, k, k == pi->skip, &out[j]);
      }
      /* gdb's frame_show_address: a caller frame's pc is a return
       * address, never where its line (pc - 1's) starts. */
      if (k == pi->skip && pi->look != phys[i].pc) out[j].loc.mid_statement = true;
      if (refs) refs[j] = (sse__frame_ref){.phys = i, .depth = k};
    }
    size_t nt = j < max ? tail_frames(t, phys, np, i, &out[j], max - j) : 0;
    for (size_t c = 0; c < nt; c++, j++)
      if (refs) refs[j] = (sse__frame_ref){.phys = NO_PHYS, .depth = 0};
  }
  free(pi);
  return j;
}

sse_err sse__frames(sse_thread *t, sse_frame *out, size_t max, size_t *n, sse__frame_ref *refs) {
  *n = 0;
  sse_frame *phys = calloc(max, sizeof *phys);
  if (!phys) return SSE_E_NOMEM;
  size_t np = 0;
  sse_err err = sse__backtrace(t, phys, max, &np);
  /* The innermost frame reads as the stop does (gdb: the same location
   * for the same pc, inline frames hidden alike). */
  if (np > 0) sse__thread_location(t, phys[0].pc, SSE__INL_STOP_OTHER, &phys[0].loc);
  *n = expand(t, phys, np, out, max, refs);
  free(phys);
  return err;
}

sse_err sse__frame_ref_of(sse_thread *t, size_t frame, sse__frame_ref *ref) {
  size_t max = frame + 1, n = 0;
  sse_frame *fr = calloc(max, sizeof *fr);
  sse__frame_ref *refs = calloc(max, sizeof *refs);
  sse_err err = fr && refs ? sse__frames(t, fr, max, &n, refs) : SSE_E_NOMEM;
  if (err == SSE_OK && (n <= frame || refs[frame].phys == NO_PHYS)) err = SSE_E_NOTFOUND;
  if (err == SSE_OK) *ref = refs[frame];
  free(fr);
  free(refs);
  return err;
}
