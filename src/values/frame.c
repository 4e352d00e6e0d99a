/* The entry points of src/values: the context of a frame (its pc,
 * registers for frame 0, CFA), the symtab call holding the module's
 * DWARF, then the request (the variables of the frame, or an expression)
 * formatted as text. Tracer thread, the thread stopped. */
#include <dwarf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symtab/dies.h"
#include "symtab/tailcall.h"
#include "values/values.h"

#define TEXT_MAX 65536
#define FRAMES_MAX 256

typedef struct cfi_req {
  sse__vctx *c;
  size_t frames;
} cfi_req;

static int cfi_cb(void *arg, const sse__dwarf_at *at) {
  cfi_req *r = arg;
  for (size_t i = 0; i < r->frames; i++)
    if (!at->dwfl || sse__cfi_unwind(r->c, at->dwfl)) return 1;
  return 0;
}

/* c at frame 0 moved up `frames` frames by the CFI; 0, or 1 when it
 * cannot (c then partly moved: the caller starts again). */
static int cfi_frames(sse__vctx *c, size_t frames) {
  struct sse__symtab *st = sse__proc_symtab(c->proc);
  cfi_req r = {.c = c, .frames = frames};
  int rc = st ? sse__symtab_with_dwarf(st, c->pc, cfi_cb, &r) : 1;
  c->err[0] = 0;
  return rc ? 1 : 0;
}

/* c moved to physical frame `phys` when frame 0's registers are in c: by
 * the CFI, else the unwinder's pc and CFA with no registers. */
static int phys_ctx(sse_thread *t, size_t phys, size_t frame, sse__vctx *c) {
  if (phys == 0) return 0;
  if (phys >= FRAMES_MAX) return sse__verr(c, "No frame at level %zu.", frame);
  if (cfi_frames(c, phys) == 0) return 0;
  c->regmask = 0;
  sse_frame *fr = calloc(phys + 1, sizeof *fr);
  size_t n = 0;
  if (!fr) return sse__verr(c, "virtual memory exhausted.");
  if (sse__backtrace(t, fr, phys + 1, &n) != SSE_OK || n <= phys) {
    free(fr);
    return sse__verr(c, "No frame at level %zu.", frame);
  }
  c->pc = fr[phys].pc;
  c->cfa = fr[phys].cfa;
  bool sig = fr[phys].signal_frame || fr[phys - 1].signal_frame;
  c->lookup_pc = sig ? c->pc : c->pc - 1;
  free(fr);
  return 0;
}

/* Where a frame index of sse_backtrace's list comes from: physical frame
 * phys with depth inline blocks left out, or (tail) the tail-call frame at
 * pc outward of physical frame phys; and the tail-call frames between it
 * and its real caller. */
typedef struct frame_pos {
  size_t phys;
  int depth;
  bool tail;
  uint64_t pc;
  uint64_t tail_pc[SSE__TAILCALL_MAX];
  int ntail;
} frame_pos;
_Static_assert(sizeof ((frame_pos *)0)->tail_pc == sizeof ((sse__vctx *)0)->tail_pc,
               "a frame's tail-call pcs fit its context");

static void pos_of(const sse_frame *fr, const sse__frame_ref *refs, size_t n, size_t frame,
                   frame_pos *fp) {
  size_t i = frame;
  while (i > 0 && fr[i].tailcall) i--;
  fp->phys = refs[i].phys;
  fp->depth = fr[frame].tailcall ? 0 : refs[frame].depth;
  fp->tail = fr[frame].tailcall;
  fp->pc = fr[frame].pc;
  size_t j = frame + 1;
  while (j < n && !fr[frame].tailcall && !fr[j].tailcall && refs[j].phys == fp->phys) j++;
  for (; j < n && fr[j].tailcall && fp->ntail < SSE__TAILCALL_MAX; j++) fp->tail_pc[fp->ntail++] = fr[j].pc;
}

/* The origin of frame index `frame`; SSE_E_NOTFOUND past the last. */
static sse_err frame_where(sse_thread *t, size_t frame, frame_pos *fp) {
  size_t max = frame + SSE__INLINE_MAX + SSE__TAILCALL_MAX + 2, n = 0;
  sse_frame *fr = calloc(max, sizeof *fr);
  sse__frame_ref *refs = calloc(max, sizeof *refs);
  sse_err err = fr && refs ? sse__frames(t, fr, max, &n, refs) : SSE_E_NOMEM;
  memset(fp, 0, sizeof *fp);
  if (err == SSE_OK && n <= frame) err = SSE_E_NOTFOUND;
  if (err == SSE_OK) pos_of(fr, refs, n, frame, fp);
  free(fr);
  free(refs);
  return err;
}

/* Frame index `frame` (sse_backtrace's, inline frames counted) is physical
 * frame ref.phys with ref.depth inline blocks left out (begin then takes
 * the scopes outward of them). A tail-call frame has gdb's registers for
 * it: those of its real caller (the CFI of the real frame inward of it,
 * gdb's dwarf2 unwinder), but its own pc, and no CFA ("can't compute CFA
 * for this frame"). */
static int frame_ctx(sse_thread *t, size_t frame, sse__vctx *c) {
  memset(c, 0, sizeof *c);
  c->proc = t->proc;
  c->frame = frame;
  sse__regs r;
  if (sse__thread_getregs(t, &r) != 0) return sse__verr(c, "Cannot read the registers.");
  for (int i = 0; i <= SSE__REGNUM_MAX; i++)
    if (sse__regs_get(&r, i, &c->reg[i])) c->regmask |= 1u << i;
  c->pc = c->lookup_pc = sse__regs_pc(&r);
  if (sse__unwind_cfa(t, &c->cfa) != SSE_OK) c->cfa = 0;
  frame_pos fp = {0};
  bool found = frame < FRAMES_MAX && frame_where(t, frame, &fp) == SSE_OK;
  if (!found && frame > 0) return sse__verr(c, "No frame at level %zu.", frame);
  c->inline_depth = fp.depth;
  memcpy(c->tail_pc, fp.tail_pc, sizeof c->tail_pc);
  c->ntail = fp.ntail;
  int rc = phys_ctx(t, fp.phys + fp.tail, frame, c);
  if (rc == 0 && fp.tail) {
    c->pc = fp.pc;
    c->lookup_pc = fp.pc - 1;
    c->cfa = 0;
    c->tail_self = true;
  }
  return rc;
}

/* c's scopes replaced by those outward of its innermost inlined block: the
 * block's containers in the tree (dwarf_getscopes goes on into an inlined
 * block's abstract origin instead). false when there is none. */
static bool scopes_out_of_inline(sse__vctx *c) {
  for (int i = 0; i < c->nscopes; i++) {
    if (dwarf_tag(&c->scopes[i]) != DW_TAG_inlined_subroutine) continue;
    Dwarf_Die *sc = NULL;
    int n = dwarf_getscopes_die(&c->scopes[i], &sc);
    free(c->scopes);
    c->scopes = NULL;
    c->nscopes = 0;
    if (n <= 1) {
      free(sc);
      return false;
    }
    memmove(sc, sc + 1, (size_t)(n - 1) * sizeof *sc);
    c->scopes = sc;
    c->nscopes = n - 1;
    return true;
  }
  return false;
}

/* The scopes of an inline frame: outward of inline_depth inlined blocks. */
static void inline_scopes(sse__vctx *c) {
  for (int d = 0; d < c->inline_depth; d++)
    if (!scopes_out_of_inline(c)) return;
}

static char *text_new(sse__out *o) {
  o->buf = malloc(TEXT_MAX);
  o->cap = o->buf ? TEXT_MAX : 0;
  o->len = 0;
  o->truncated = false;
  if (o->buf) o->buf[0] = 0;
  return o->buf;
}

static int with_symtab(sse__vctx *c, int (*fn)(void *, const sse__dwarf_at *), void *arg) {
  struct sse__symtab *st = sse__proc_symtab(c->proc);
  if (!st) return sse__verr(c, "No symbol table is loaded.");
  int rc = sse__symtab_with_dwarf(st, c->lookup_pc, fn, arg);
  if (rc < -1) return sse__verr(c, "No symbol table is loaded.");
  return rc;
}

/* Inside the symtab call: c set up on the DWARF at the frame's pc. */
static int begin(sse__vctx *c, const sse__dwarf_at *at, bool need_cu) {
  c->at = at;
  c->var_bias = at->bias;
  sse__types_init(c);
  if (!c->t_int) return -1;
  if (need_cu && !at->cu) return sse__verr(c, "No symbol table info available.");
  int rc = sse__scope_open(c);
  if (rc == 0 && c->inline_depth > 0) inline_scopes(c);
  return rc;
}

/* ------------------------------------------------------------ variables */

typedef struct vars_req {
  sse__vctx *c;
  unsigned sel;
  sse__var_text *v;
  size_t n, cap;
} vars_req;

/* The text of parameter die's entry value, or NULL. */
static char *entry_text(sse__vctx *c, Dwarf_Die *die) {
  sse__value ev;
  sse__out o;
  if (sse__entry_param(c, die, &ev) != 0) {
    c->err[0] = 0;
    return NULL;
  }
  if (!text_new(&o)) return NULL;
  if (sse__format_value(c, &ev, false, &o)) {
    c->err[0] = 0;
    free(o.buf);
    return NULL;
  }
  return o.buf;
}

static int one_var(void *arg, Dwarf_Die *die) {
  vars_req *r = arg;
  sse__vctx *c = r->c;
  if (r->n == r->cap) {
    size_t ncap = r->cap ? r->cap * 2 : 16;
    sse__var_text *nv = realloc(r->v, ncap * sizeof *nv);
    if (!nv) return sse__verr(c, "virtual memory exhausted.");
    r->v = nv;
    r->cap = ncap;
  }
  sse__var_text *vt = &r->v[r->n];
  memset(vt, 0, sizeof *vt);
  sse__out o;
  if (!text_new(&o)) return sse__verr(c, "virtual memory exhausted.");
  sse__value v;
  int rc = sse__loc_variable(c, die, &v);
  if (rc == 0) rc = sse__format_value(c, &v, false, &o);
  if (rc) {
    o.len = 0;
    sse__out_printf(&o, "<error: %s>", c->err);
    c->err[0] = 0;
  }
  char tn[512] = "";
  if (rc == 0) sse__type_name(v.type, tn, sizeof tn);
  vt->name = strdup(dwarf_diename(die));
  vt->type = strdup(tn);
  vt->value = o.buf;
  vt->is_arg = dwarf_tag(die) == DW_TAG_formal_parameter;
  if (vt->is_arg) vt->entry = entry_text(c, die);
  r->n++;
  if (!vt->name || !vt->type) return sse__verr(c, "virtual memory exhausted.");
  return 0;
}

static int vars_cb(void *arg, const sse__dwarf_at *at) {
  vars_req *r = arg;
  if (begin(r->c, at, true)) return -1;
  return sse__scope_each(r->c, r->sel, one_var, r);
}

int sse__values_frame_vars(sse_thread *t, size_t frame, unsigned sel,
                           sse__var_text **out, size_t *n, char *err, size_t errsz) {
  sse__vctx c;
  vars_req r = {.c = &c, .sel = sel};
  int rc = frame_ctx(t, frame, &c);
  c.thread = t;
  if (rc == 0) rc = with_symtab(&c, vars_cb, &r);
  if (rc && err) snprintf(err, errsz, "%s", c.err);
  sse__va_free(&c);
  *out = r.v;
  *n = r.n;
  return rc ? -1 : 0;
}

/* ------------------------------------------------------------ expressions */

typedef struct eval_req {
  sse__vctx *c;
  const char *expr;
  sse__out o;
  char type[512];
  uint64_t addr;
  bool has_addr;
} eval_req;

static int eval_cb(void *arg, const sse__dwarf_at *at) {
  eval_req *r = arg;
  sse__vctx *c = r->c;
  if (begin(c, at, false)) return -1;
  sse__expr *e = sse__expr_parse(c, r->expr);
  sse__value v;
  if (!e || sse__expr_eval(c, e, &v)) return -1;
  sse__type_name(v.type, r->type, sizeof r->type);
  r->has_addr = v.kind == SSE__V_MEM && !v.bit_size;
  r->addr = v.addr;
  return sse__format_value(c, &v, true, &r->o);
}

int sse__values_evaluate(sse_thread *t, size_t frame, const char *expr, char fmt,
                         char **text, char **type, uint64_t *addr, bool *has_addr,
                         bool *uses_frame, char *err, size_t errsz) {
  sse__vctx c;
  eval_req r = {.c = &c, .expr = expr};
  *text = *type = NULL;
  int rc = frame_ctx(t, frame, &c);
  c.thread = t;
  c.fmt = fmt;
  if (rc == 0 && !text_new(&r.o)) rc = sse__verr(&c, "virtual memory exhausted.");
  if (rc == 0) rc = with_symtab(&c, eval_cb, &r);
  if (rc) {
    if (err) snprintf(err, errsz, "%s", c.err[0] ? c.err : "Cannot evaluate the expression.");
    free(r.o.buf);
  } else {
    *text = r.o.buf;
    *type = strdup(r.type);
    *addr = r.addr;
    *has_addr = r.has_addr;
    if (uses_frame) *uses_frame = c.used_frame;
  }
  sse__va_free(&c);
  return rc ? -1 : 0;
}

/* ------------------------------------------------------------ any request */

typedef struct any_req {
  sse__vctx *c;
  sse__vreq_fn fn;
  void *arg;
} any_req;

static int any_cb(void *arg, const sse__dwarf_at *at) {
  any_req *r = arg;
  if (begin(r->c, at, false)) return -1;
  return r->fn(r->c, r->arg);
}

int sse__values_in_frame(sse_thread *t, size_t frame, const sse__vlimits *lim, sse__vreq_fn fn,
                         void *arg, char *err, size_t errsz) {
  sse__vctx *c = malloc(sizeof *c);
  if (!c) {
    if (err && errsz) snprintf(err, errsz, "virtual memory exhausted.");
    return -1;
  }
  any_req r = {.c = c, .fn = fn, .arg = arg};
  int rc = frame_ctx(t, frame, c);
  c->thread = t;
  if (lim) {
    c->fmt = lim->fmt;
    c->lim_elems = lim->elems;
    c->lim_repeats = lim->repeats;
    c->lim_depth = lim->depth;
  }
  if (rc == 0) rc = with_symtab(c, any_cb, &r);
  if (rc && err && errsz) snprintf(err, errsz, "%s", c->err[0] ? c->err : "Cannot evaluate the expression.");
  sse__va_free(c);
  free(c);
  return rc ? -1 : 0;
}

/* ------------------------------------------------------------ return values */

typedef struct ret_req {
  sse__vctx *c;
  const uint64_t *rax_rdx;
  uint64_t xmm0;
  sse__out o;
  char type[512];
  bool is_void;
} ret_req;

static int ret_cb(void *arg, const sse__dwarf_at *at) {
  ret_req *r = arg;
  sse__vctx *c = r->c;
  if (begin(c, at, true)) return -1;
  sse__vtype *t = NULL;
  int k = sse__retval_type(c, &t);
  if (k < 0) return -1;
  if (k == 0) return sse__verr(c, "No function contains the address.");
  if (!t || sse__type_strip(t)->kind == SSE__TY_VOID) {
    r->is_void = true;
    return 0;
  }
  sse__value v;
  if (sse__retval_value(c, t, r->rax_rdx, r->xmm0, &v)) return -1;
  sse__type_name(t, r->type, sizeof r->type);
  return sse__format_value(c, &v, true, &r->o);
}

int sse__values_return(sse_process *p, uint64_t func_pc, const uint64_t rax_rdx[2], uint64_t xmm0,
                       char **text, char **type, char *err, size_t errsz) {
  sse__vctx c;
  memset(&c, 0, sizeof c);
  c.proc = p;
  c.pc = c.lookup_pc = func_pc;
  ret_req r = {.c = &c, .rax_rdx = rax_rdx, .xmm0 = xmm0};
  *text = *type = NULL;
  int rc = text_new(&r.o) ? with_symtab(&c, ret_cb, &r) : sse__verr(&c, "virtual memory exhausted.");
  if (rc == 0 && !r.is_void) {
    *text = r.o.buf;
    *type = strdup(r.type);
  } else {
    free(r.o.buf);
    if (rc && err) snprintf(err, errsz, "%s", c.err);
  }
  sse__va_free(&c);
  return rc ? -1 : r.is_void ? 1 : 0;
}
