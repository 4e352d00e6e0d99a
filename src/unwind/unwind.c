/* Stack unwinding: libunwind's remote API with our own accessors.
 *
 * Memory goes through sse__mem_read (cached while stopped, int3 bytes
 * shadowed), registers from the engine's register cache (the host's
 * getregs: one PTRACE_GETREGS per stop). Unwind
 * tables are found by libunwind-ptrace's _UPT_find_proc_info: it maps the
 * ELF file of the ip's mapping (from /proc/PID/maps) to parse its
 * .eh_frame_hdr (or .debug_frame), then binary-searches the table and
 * decodes the FDE through the address space's access_mem with the arg it
 * was given. That arg must be its own UPT_info, so access_mem accepts both
 * our context and that UPT_info and maps the latter back to the unwind in
 * progress (t_cur): the FDE reads still go through our memory layer, and no
 * ptrace call is made by libunwind.
 *
 * Where _UPT finds no table (a text segment at a page offset, as lld lays
 * it out), the module's .eh_frame_hdr from the host is searched instead.
 *
 * Code without an FDE (and that is no signal trampoline) is unwound by a
 * frame-pointer walk, the arch's rule from the prologue analysis
 * (sse__arch_fp_rule: before the frame pointer is saved the return address
 * is at the stack pointer, between the save and the frame setup above the
 * saved frame pointer, after it through the frame-pointer chain).
 * libunwind then restarts from the caller's registers. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdatomic.h>
#include <libunwind-ptrace.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "ptrace/ptrace.h"
#include "unwind/unwind.h"

#define NOK 64 /* [lo, hi) ranges known to have an FDE, per process */

typedef struct uproc {
  sse_process *p;
  pid_t pid;
  unw_addr_space_t as;
  void *upt; /* _UPT_create(pid) */
  struct {
    uint64_t lo, hi;
  } ok[NOK];
  unsigned nok, okpos;
  struct uproc *next;
} uproc;

/* Per-process state. The list is shared by every engine's tracer thread
 * (hence the mutex); an entry is used only by its process's tracer. */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static uproc *g_procs;

/* The engine's register cache and location lookup (sse__unwind_set_host). */
static _Atomic(const sse__unwind_host *) g_host;

void sse__unwind_set_host(const sse__unwind_host *h) { atomic_store(&g_host, h); }

/* One unwind in progress. */
typedef struct uctx {
  uproc *up;
  sse_process *p;
  const sse__unwind_host *host;
  sse__regs regs; /* of the frame the cursor started at */
} uctx;

static _Thread_local uctx *t_cur;

static uctx *ctx_of(void *arg) {
  uctx *c = t_cur;
  return c != NULL && arg != NULL && (arg == c || arg == c->up->upt) ? c : NULL;
}

/* ---- accessors ---- */

static bool read_word(sse_process *p, uint64_t addr, uint64_t *v) {
  size_t done = 0;
  return sse__mem_read(p, addr, v, sizeof *v, &done) == SSE_OK && done == sizeof *v;
}

static int acc_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *valp, int write, void *arg) {
  (void)as;
  uctx *c = ctx_of(arg);
  if (c == NULL || write)
    return -UNW_EINVAL;
  uint64_t v;
  if (!read_word(c->p, addr, &v))
    return -UNW_EINVAL;
  *valp = v;
  return 0;
}

static int acc_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *valp, int write, void *arg) {
  (void)as;
  uctx *c = ctx_of(arg);
  if (c == NULL)
    return -UNW_EINVAL;
  uint64_t v;
  if (!sse__regs_get(&c->regs, reg, &v))
    return -UNW_EBADREG;
  if (write)
    return -UNW_EREADONLYREG;
  *valp = v;
  return 0;
}

static int acc_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val, int write, void *arg) {
  (void)as, (void)reg, (void)val, (void)write, (void)arg;
  return -UNW_EBADREG;
}

static int acc_resume(unw_addr_space_t as, unw_cursor_t *cur, void *arg) {
  (void)as, (void)cur, (void)arg;
  return -UNW_EINVAL;
}

static int acc_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len, unw_word_t *off,
                         void *arg) {
  (void)as, (void)addr, (void)buf, (void)len, (void)off, (void)arg;
  return -UNW_ENOINFO;
}

/* libunwind's table search (exported, not declared by its headers): what
 * _UPT_find_proc_info runs on the table it found. */
extern int _Ux86_64_dwarf_search_unwind_table(unw_addr_space_t as, unw_word_t ip, unw_dyn_info_t *di,
                                              unw_proc_info_t *pi, int need, void *arg);

/* The module's .eh_frame_hdr table read from the process, where _UPT finds
 * none: libunwind 1.6 computes a wrong load base for a text segment at a
 * page offset (lld's layout). Only the usual encodings (version 1, a
 * 4-byte FDE count, datarel sdata4 entries). */
static int eh_hdr_find(uctx *c, unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi, int need) {
  uint64_t hdr, lo, hi, w0, w1;
  if (c->host->eh_frame_hdr == NULL || c->host->eh_frame_hdr(c->p, ip, &hdr, &lo, &hi) != 0 ||
      !read_word(c->p, hdr, &w0) || !read_word(c->p, hdr + 8, &w1))
    return -UNW_ENOINFO;
  const uint8_t *h = (const uint8_t *)&w0;
  bool ptr4 = (h[1] & 0x0f) == 0x03 || (h[1] & 0x0f) == 0x0b; /* eh_frame_ptr: 4 bytes */
  if (h[0] != 1 || !ptr4 || h[2] != 0x03 || h[3] != 0x3b)
    return -UNW_ENOINFO;
  unw_dyn_info_t di;
  memset(&di, 0, sizeof di);
  di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
  di.start_ip = lo;
  di.end_ip = hi;
  di.u.rti.segbase = hdr;
  di.u.rti.table_data = hdr + 12;
  di.u.rti.table_len = (uint32_t)w1 * 8 / sizeof(unw_word_t);
  return _Ux86_64_dwarf_search_unwind_table(as, ip, &di, pi, need, c);
}

static int acc_find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi, int need, void *arg) {
  uctx *c = ctx_of(arg);
  if (c == NULL || c->up->upt == NULL)
    return -UNW_ENOINFO;
  int rc = _UPT_find_proc_info(as, ip, pi, need, c->up->upt);
  return rc < 0 ? eh_hdr_find(c, as, ip, pi, need) : rc;
}

static void acc_put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg) {
  uctx *c = ctx_of(arg);
  if (c != NULL && c->up->upt != NULL)
    _UPT_put_unwind_info(as, pi, c->up->upt);
}

/* No dynamically registered unwind info (_U_dyn_register) is looked for:
 * _UPT's version finds none on x86_64 either. */
static int acc_dyn_list(unw_addr_space_t as, unw_word_t *addr, void *arg) {
  (void)as, (void)addr, (void)arg;
  return -UNW_ENOINFO;
}

static unw_accessors_t g_acc = {
    .find_proc_info = acc_find_proc_info,
    .put_unwind_info = acc_put_unwind_info,
    .get_dyn_info_list_addr = acc_dyn_list,
    .access_mem = acc_mem,
    .access_reg = acc_reg,
    .access_fpreg = acc_fpreg,
    .resume = acc_resume,
    .get_proc_name = acc_proc_name,
};

/* ---- per-process state ---- */

static void uproc_free(uproc *u) {
  if (u->as != NULL)
    unw_destroy_addr_space(u->as);
  if (u->upt != NULL)
    _UPT_destroy(u->upt);
  free(u);
}

static uproc *uproc_get(sse_process *p) {
  pthread_mutex_lock(&g_mu);
  uproc **pp = &g_procs, *u;
  while ((u = *pp) != NULL && u->p != p)
    pp = &u->next;
  if (u != NULL && u->pid != p->pid) { /* a new process at the old address */
    *pp = u->next;
    uproc_free(u);
    u = NULL;
  }
  if (u == NULL && (u = calloc(1, sizeof *u)) != NULL) {
    u->p = p;
    u->pid = p->pid;
    u->as = unw_create_addr_space(&g_acc, 0);
    u->upt = _UPT_create(p->pid);
    if (u->as == NULL || u->upt == NULL) {
      uproc_free(u);
      u = NULL;
    } else {
      unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
      u->next = g_procs;
      g_procs = u;
    }
  }
  pthread_mutex_unlock(&g_mu);
  return u;
}

void sse__unwind_flush(sse_process *p) {
  pthread_mutex_lock(&g_mu);
  for (uproc *u = g_procs; u != NULL; u = u->next) {
    if (u->p != p)
      continue;
    unw_flush_cache(u->as, 0, 0);
    /* The _UPT context keeps the last mapped ELF image and its table. */
    void *upt = _UPT_create(p->pid);
    if (upt != NULL) {
      _UPT_destroy(u->upt);
      u->upt = upt;
    }
    u->nok = u->okpos = 0;
  }
  pthread_mutex_unlock(&g_mu);
}

void sse__unwind_forget(sse_process *p) {
  pthread_mutex_lock(&g_mu);
  uproc **pp = &g_procs, *u;
  while ((u = *pp) != NULL) {
    if (u->p == p) {
      *pp = u->next;
      uproc_free(u);
    } else {
      pp = &u->next;
    }
  }
  pthread_mutex_unlock(&g_mu);
}

/* Whether ip has an FDE (through the same find_proc_info libunwind uses). */
static bool has_fde(uctx *c, uint64_t ip) {
  uproc *u = c->up;
  for (unsigned i = 0; i < u->nok; i++)
    if (ip >= u->ok[i].lo && ip < u->ok[i].hi)
      return true;
  unw_proc_info_t pi;
  memset(&pi, 0, sizeof pi);
  if (acc_find_proc_info(u->as, ip, &pi, 0, c) < 0 || ip < pi.start_ip || ip >= pi.end_ip)
    return false;
  u->ok[u->okpos].lo = pi.start_ip;
  u->ok[u->okpos].hi = pi.end_ip;
  u->okpos = (u->okpos + 1) % NOK;
  if (u->nok < NOK)
    u->nok++;
  return true;
}

/* ---- frame-pointer fallback ---- */

/* One frame-pointer step from the frame at pc with registers sp, fp; look
 * is the address whose function the frame is in (pc-1 for a return
 * address). */
static bool fp_step(uctx *c, uint64_t pc, uint64_t look, uint64_t sp, uint64_t fp, uint64_t *npc,
                    uint64_t *nsp, uint64_t *nfp) {
  sse_process *p = c->p;
  sse_location loc;
  c->host->locate(p, look, &loc);
  uint8_t b[SSE__ARCH_FP_CODE_LEN];
  size_t done = 0;
  if (loc.function == NULL || loc.offset > look)
    done = 0; /* no function known: the arch takes the frame as set up */
  else if (sse__mem_read(p, look - loc.offset, b, sizeof b, &done) != SSE_OK)
    done = 0;
  sse__arch_fp_frame r;
  uint64_t off = done ? pc - (look - loc.offset) : 0;
  if (!sse__arch_fp_rule(b, done, off, sp, fp, &r))
    return false;
  *nsp = r.cfa;
  *nfp = fp;
  return read_word(p, r.ra_at, npc) && (!r.fp_saved || read_word(p, r.fp_at, nfp));
}

/* ---- the walk ---- */

/* pc is in the kernel's signal return trampoline (sse__arch_is_sigtramp).
 * Done on the code because libunwind 1.6's unw_is_signal_frame describes
 * the frame the last step came from, not the cursor's frame. */
static bool is_sigtramp(sse_process *p, uint64_t pc) {
  uint8_t b[SSE__ARCH_SIGTRAMP_LEN];
  size_t done = 0;
  if (pc < SSE__ARCH_SIGTRAMP_BEFORE)
    return false;
  sse__mem_read(p, pc - SSE__ARCH_SIGTRAMP_BEFORE, b, sizeof b, &done);
  return sse__arch_is_sigtramp(b, done);
}

static sse_err err_of(int rc) {
  return rc == -ESRCH ? SSE_E_NOTHREAD : rc == -EPERM ? SSE_E_PERM : SSE_E_SYS;
}

static uint64_t cur_reg(unw_cursor_t *cur, unw_regnum_t r) {
  unw_word_t v = 0;
  return unw_get_reg(cur, r, &v) == 0 ? v : 0;
}

/* One libunwind step: > 0 with the caller's registers in *npc, *nsp, *nfp;
 * 0 at the outermost frame (return address undefined), *nsp then the
 * frame's CFA; < 0 when libunwind could not step. */
static int unw_one(unw_cursor_t *cur, uint64_t *npc, uint64_t *nsp, uint64_t *nfp) {
  int r = unw_step(cur);
  if (r > 0) {
    *npc = cur_reg(cur, SSE__REGNUM_PC);
    *nsp = cur_reg(cur, SSE__REGNUM_SP);
    *nfp = cur_reg(cur, SSE__REGNUM_FP);
  } else if (r == 0) {
    *nsp = cur_reg(cur, SSE__REGNUM_SP);
  }
  return r;
}

/* The walk from c->regs (see walk); returns the number of frames. */
static size_t walk_frames(uctx *c, sse_frame *out, size_t max, size_t steps) {
  unw_cursor_t cur;
  bool have_cur = unw_init_remote(&cur, c->up->as, c) == 0;
  memset(&out[0], 0, sizeof out[0]);
  out[0].pc = sse__regs_pc(&c->regs);
  size_t k = 1;
  uint64_t sp = sse__regs_sp(&c->regs), fp = sse__regs_fp(&c->regs);
  bool at_call = false; /* the current frame's pc is a return address */
  for (size_t s = 0; s < steps; s++) {
    sse_frame *f = &out[k - 1];
    f->signal_frame = is_sigtramp(c->p, f->pc);
    uint64_t npc = 0, nsp = 0, nfp = 0;
    bool ok = false, end = false, by_fp = false;
    uint64_t look = f->pc - (at_call ? 1 : 0);
    if (have_cur && (f->signal_frame || has_fde(c, look))) {
      int r = unw_one(&cur, &npc, &nsp, &nfp);
      ok = r > 0;
      if (r == 0) {
        if (nsp > sp) /* the outermost frame: its CFA is known */
          f->cfa = nsp;
        end = true;
      }
    }
    bool by_cfi = false;
    if (!ok && !end && c->host->cfi_step)
      ok = by_cfi = c->host->cfi_step(c->p, look, f->pc, sp, fp, &npc, &nsp, &nfp);
    if (!ok && !end)
      ok = by_fp = fp_step(c, f->pc, look, sp, fp, &npc, &nsp, &nfp);
    if (!ok)
      break;
    f->cfa = nsp;
    if (nsp <= sp && !f->signal_frame)
      break; /* the CFA does not increase: corrupt stack */
    if (npc == 0 || k == max)
      break;
    sse_frame *g = &out[k++];
    memset(g, 0, sizeof *g);
    g->pc = npc;
    g->fp_fallback = by_fp;
    at_call = !f->signal_frame;
    sp = nsp;
    fp = nfp;
    if (by_fp || by_cfi) {
      /* Restart libunwind from the caller's registers (the callee-saved
       * ones other than the frame pointer are kept: all we know). */
      sse__regs_set_pc(&c->regs, npc);
      sse__regs_set_sp(&c->regs, nsp);
      sse__regs_set_fp(&c->regs, nfp);
      have_cur = unw_init_remote(&cur, c->up->as, c) == 0;
    }
  }
  return k;
}

/* Fill pc, cfa, signal_frame and fp_fallback of up to max frames, taking
 * at most `steps` unwind steps (frame i's CFA is known after step i). */
static sse_err walk(sse_thread *t, sse_frame *out, size_t max, size_t steps, size_t *n) {
  *n = 0;
  if (t == NULL || t->proc == NULL || out == NULL || max == 0)
    return SSE_E_INVAL;
  if (t->state == SSE__T_EXITED)
    return SSE_E_NOTHREAD;
  sse_process *p = t->proc;
  const sse__unwind_host *host = atomic_load(&g_host);
  if (host == NULL)
    return SSE_E_SYS;
  uproc *up = uproc_get(p);
  if (up == NULL)
    return SSE_E_NOMEM;
  uctx c = {.up = up, .p = p, .host = host};
  int rc = host->getregs(t, &c.regs);
  if (rc < 0)
    return err_of(rc);
  uctx *saved = t_cur;
  t_cur = &c;
  *n = walk_frames(&c, out, max, steps);
  t_cur = saved;
  return SSE_OK;
}

sse_err sse__backtrace(sse_thread *t, sse_frame *frames, size_t max, size_t *n) {
  size_t k = 0;
  sse_err rc = walk(t, frames, max, max, &k);
  const sse__unwind_host *host = atomic_load(&g_host);
  for (size_t i = 0; i < k && host != NULL; i++) {
    sse_frame *f = &frames[i];
    /* gdb's get_frame_address_in_block: pc-1 for a caller frame, unless it
     * is a signal trampoline or was interrupted by a signal. */
    bool prev = i > 0 && !f->signal_frame && !frames[i - 1].signal_frame;
    uint64_t look = prev ? f->pc - 1 : f->pc;
    host->locate(t->proc, look, &f->loc);
    f->loc.pc = f->pc;
    if (f->loc.function != NULL)
      f->loc.offset += f->pc - look;
  }
  if (n != NULL)
    *n = k;
  return rc;
}

sse_err sse__unwind_caller(sse_thread *t, uint64_t *ret_pc, uint64_t *cfa) {
  sse_frame f[2];
  size_t k = 0;
  sse_err rc = walk(t, f, 2, 1, &k);
  if (rc != SSE_OK)
    return rc;
  if (k < 2 || f[0].cfa == 0)
    return SSE_E_NOTFOUND;
  if (ret_pc != NULL)
    *ret_pc = f[1].pc;
  if (cfa != NULL)
    *cfa = f[0].cfa;
  return SSE_OK;
}

sse_err sse__unwind_cfa(sse_thread *t, uint64_t *cfa) {
  sse_frame f[2];
  size_t k = 0;
  sse_err rc = walk(t, f, 2, 1, &k);
  if (rc != SSE_OK)
    return rc;
  if (k < 1 || f[0].cfa == 0)
    return SSE_E_NOTFOUND;
  *cfa = f[0].cfa;
  return SSE_OK;
}

sse_err sse__xmm0(sse_thread *t, uint64_t *out) {
  if (t == NULL || out == NULL)
    return SSE_E_INVAL;
  sse__fpregs fp;
  int rc = sse__pt_getfpregs(t->tid, &fp);
  if (rc != 0)
    return err_of(rc);
  *out = sse__fpregs_xmm0(&fp);
  return SSE_OK;
}
