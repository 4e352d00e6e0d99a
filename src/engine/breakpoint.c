/* Breakpoints: int3 sites (shared, reference counted, original byte kept
 * aside), user breakpoints by address / function / FILE:LINE (pending until
 * a module defines them), and hardware watchpoints. Tracer thread only. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "internal.h"
#include "ptrace/ptrace.h"
#include "ptrace/debugregs.h"
#include "symtab/symtab.h"

/* ------------------------------------------------------------ sites */

sse__bp_site *sse__site_find(sse_process *p, uint64_t addr) {
  for (sse__bp_site *s = p->sites; s; s = s->next)
    if (s->addr == addr) return s;
  return NULL;
}

bool sse__site_int3_intact(sse_process *p, sse__bp_site *s) {
  uint8_t cur;
  if (p->exited || sse__mem_read_raw(p, s->addr, &cur, 1, NULL) != SSE_OK)
    return false;
  if (cur == sse__arch_break_insn[0]) return true;
  /* Writing the old original back would undo the program's store, and a
   * read would show that old byte: the program's byte is the original
   * now, for the readers' shadow table too. */
  s->orig = cur;
  sse__mem_sites_changed(p);
  return false;
}

sse_err sse__site_add(sse_process *p, uint64_t addr) {
  sse__bp_site *s = sse__site_find(p, addr);
  if (s) {
    s->refs++;
    return SSE_OK;
  }
  s = calloc(1, sizeof *s);
  if (!s) return SSE_E_NOMEM;
  s->addr = addr;
  s->refs = 1;
  sse_err err = sse__mem_read_raw(p, addr, &s->orig, 1, NULL);
  if (!err) err = sse__mem_write_raw(p, addr, sse__arch_break_insn, 1, NULL);
  if (err) {
    free(s);
    return err;
  }
  s->inserted = true;
  s->next = p->sites;
  p->sites = s;
  sse__mem_sites_changed(p);
  return SSE_OK;
}

void sse__site_del(sse_process *p, uint64_t addr) {
  for (sse__bp_site **pp = &p->sites; *pp; pp = &(*pp)->next) {
    sse__bp_site *s = *pp;
    if (s->addr != addr) continue;
    if (--s->refs > 0) return;
    /* Put the original byte back only over our int3: where the code went
     * away (a library unloaded, JIT code freed) the address may be
     * unmapped or hold something else by now. */
    uint8_t cur;
    if (s->inserted && !p->exited &&
        sse__mem_read_raw(p, addr, &cur, 1, NULL) == SSE_OK &&
        cur == sse__arch_break_insn[0])
      sse__mem_write_raw(p, addr, &s->orig, 1, NULL);
    *pp = s->next;
    free(s);
    sse__mem_sites_changed(p);
    return;
  }
}

/* Take every int3 out of the target (detach). */
void sse__site_restore_child(sse_process *p, pid_t child) {
  /* The child's memory is the parent's, stopped at the fork event: where
   * the parent's program wrote over an int3, the child has its bytes. */
  for (sse__bp_site *s = p->sites; s; s = s->next)
    if (s->inserted && sse__site_int3_intact(p, s))
      sse__pt_poke_byte(child, s->addr, s->orig);
}

void sse__site_lift_all(sse_process *p, bool lift) {
  for (sse__bp_site *s = p->sites; s; s = s->next) {
    if (s->inserted != lift || p->exited) continue;
    if (lift && !sse__site_int3_intact(p, s)) {
      s->inserted = false; /* the program's byte is there already */
      continue;
    }
    uint8_t cur;
    if (!lift && sse__mem_read_raw(p, s->addr, &cur, 1, NULL) == SSE_OK &&
        cur != s->orig) {
      /* The vfork child wrote there while the int3 was out. */
      s->orig = cur;
      sse__mem_sites_changed(p);
    }
    const uint8_t *byte = lift ? &s->orig : sse__arch_break_insn;
    if (sse__mem_write_raw(p, s->addr, byte, 1, NULL) == SSE_OK)
      s->inserted = !lift;
  }
  p->sites_lifted = lift;
}

sse_err sse__site_remove_all(sse_process *p) {
  sse_err err = SSE_OK;
  while (p->sites) {
    sse__bp_site *s = p->sites;
    p->sites = s->next;
    if (s->inserted && sse__site_int3_intact(p, s)) {
      sse_err e2 = sse__mem_write_raw(p, s->addr, &s->orig, 1, NULL);
      if (e2) err = e2;
    }
    free(s);
  }
  for (sse__bp *b = p->bps; b; b = b->next) b->inserted = false;
  sse__mem_sites_changed(p);
  return err;
}

/* ------------------------------------------------------------ breakpoints */

static void bp_uninsert(sse_process *p, sse__bp *b) {
  if (!b->inserted) return;
  for (size_t i = 0; i < b->naddrs; i++)
    if (!sse__bp_loc_off(b, b->addrs[i])) sse__site_del(p, b->addrs[i]);
  b->inserted = false;
}

static sse_err bp_insert(sse_process *p, sse__bp *b) {
  if (b->inserted || !b->enabled || b->kind == SSE__BP_WATCH) return SSE_OK;
  for (size_t i = 0; i < b->naddrs; i++) {
    if (sse__bp_loc_off(b, b->addrs[i])) continue;
    sse_err err = sse__site_add(p, b->addrs[i]);
    if (err) {
      while (i-- > 0)
        if (!sse__bp_loc_off(b, b->addrs[i])) sse__site_del(p, b->addrs[i]);
      return err;
    }
  }
  b->inserted = b->naddrs > 0;
  return SSE_OK;
}

sse__bp *sse__bp_at(sse_process *p, uint64_t addr) {
  sse__bp *any = NULL;
  for (sse__bp *b = p->bps; b; b = b->next) {
    if (b->kind == SSE__BP_WATCH) continue;
    for (size_t i = 0; i < b->naddrs; i++) {
      if (b->addrs[i] != addr || sse__bp_loc_off(b, addr)) continue;
      if (b->enabled && b->inserted) return b;
      if (!any) any = b;
    }
  }
  return any && any->enabled && any->inserted ? any : NULL;
}

/* Where a function or FILE:LINE breakpoint resolves in the current
 * modules: the number of addresses, in a malloc'd *out; 0 when nothing
 * defines it; -1 when that cannot be told (no symbol table, no memory). */
static ssize_t bp_where(sse_process *p, const sse__bp *b, uint64_t **out) {
  *out = NULL;
  struct sse__symtab *st = sse__proc_symtab(p);
  if (!st) return -1;
  if (b->kind == SSE__BP_CATCH) return sse__catch_where(p, b->name_or_file, out);
  if (b->kind == SSE__BP_FUNC) {
    ssize_t nc = sse__symtab_func_addrs(st, b->name_or_file, out); if (nc != 0) return nc > 0 ? nc : -1; /* C++: every match */
    uint64_t entry, post;
    if (sse__symtab_func_addr(st, b->name_or_file, &entry, &post) != 0 &&
        sse__proc_jit_func_addr(p, b->name_or_file, &entry, &post) != 0) /* JIT (issue 6) */
      return 0;
    if (!(*out = malloc(sizeof **out))) return -1;
    **out = post;
    return 1;
  }
  /* sse__symtab_line_addrs fills at most max: grow until it fills less. */
  for (size_t max = 64;; max *= 2) {
    uint64_t *a = realloc(*out, max * sizeof *a);
    if (!a) {
      free(*out);
      *out = NULL;
      return -1;
    }
    *out = a;
    int n = sse__symtab_line_addrs(st, b->name_or_file, b->line, a, max);
    if (n <= 0) {
      free(a);
      *out = NULL;
      return n == -ENOMEM ? -1 : 0;
    }
    if ((size_t)n < max) return n;
  }
}

/* Resolve a function or FILE:LINE breakpoint against the current modules.
 * Returns true when it has addresses. */
static bool bp_resolve(sse_process *p, sse__bp *b) {
  if (b->kind != SSE__BP_FUNC && b->kind != SSE__BP_LINE &&
      b->kind != SSE__BP_CATCH)
    return b->naddrs > 0;
  uint64_t *a;
  ssize_t n = bp_where(p, b, &a);
  if (n <= 0) return false;
  free(b->addrs);
  b->addrs = a;
  b->naddrs = (size_t)n;
  return true;
}

/* Does a resolved function or FILE:LINE breakpoint still name its
 * addresses? */
static bool bp_still_defined(sse_process *p, sse__bp *b) {
  uint64_t *a;
  ssize_t n = bp_where(p, b, &a);
  if (n < 0) return true;
  bool same = n > 0 && (size_t)n == b->naddrs &&
              memcmp(a, b->addrs, (size_t)n * sizeof *a) == 0;
  free(a);
  return same;
}

/* Modules changed (a library was loaded or unloaded, JIT code registered
 * or unregistered): a function or FILE:LINE breakpoint whose code went
 * away is taken out and becomes pending again (as gdb does); then the
 * pending ones that now resolve are inserted. */
void sse__bp_resolve_pending(sse_process *p) {
  for (sse__bp *b = p->bps; b; b = b->next) {
    if (b->kind == SSE__BP_WATCH || b->kind == SSE__BP_ADDR) continue;
    if (b->naddrs && !bp_still_defined(p, b)) {
      bp_uninsert(p, b);
      b->naddrs = 0;
    }
    if (b->naddrs && b->inserted) continue;
    if (bp_resolve(p, b)) bp_insert(p, b);
  }
}

/* Drop the site records; the target is not touched. */
static void sites_forget(sse_process *p) {
  while (p->sites) {
    sse__bp_site *s = p->sites;
    p->sites = s->next;
    free(s);
  }
}

/* After exec: the address space is new, our int3s went with the old one. */
void sse__bp_exec_reset(sse_process *p) {
  sites_forget(p);
  sse__mem_sites_changed(p);
  for (sse__bp *b = p->bps; b; b = b->next) {
    b->inserted = false;
    if (b->kind == SSE__BP_FUNC || b->kind == SSE__BP_LINE ||
        b->kind == SSE__BP_CATCH)
      b->naddrs = 0;
  }
  p->watch_slots = 0;
  p->rbrk_set = false;
}

static sse__bp *bp_new(sse_process *p, sse__bp_kind kind, const char *spec) {
  sse__bp *b = calloc(1, sizeof *b);
  if (!b) return NULL;
  b->id = p->next_bp_id++;
  b->kind = kind;
  b->enabled = true;
  b->spec = (char *)sse__intern(p->engine, spec);
  sse__bp **pp = &p->bps;
  while (*pp) pp = &(*pp)->next;
  *pp = b;
  return b;
}

static void bp_free(sse_process *p, sse__bp *b) {
  for (sse__bp **pp = &p->bps; *pp; pp = &(*pp)->next)
    if (*pp == b) {
      *pp = b->next;
      break;
    }
  if (b->cond && sse__cond_hook) sse__cond_hook->free(b->cond);
  sse__catch_free_regex(b);
  free(b->addrs);
  free(b->off);
  free(b->name_or_file);
  free(b);
}

/* The process record goes (sse_engine_free): every breakpoint and site
 * record, the target not touched. */
void sse__bp_free_all(sse_process *p) {
  while (p->bps) bp_free(p, p->bps);
  sites_forget(p);
}

sse__bp *sse__watch_by_slot(sse_process *p, int slot) {
  for (sse__bp *b = p->bps; b; b = b->next)
    if (b->kind == SSE__BP_WATCH && b->slot == slot && b->enabled) return b;
  return NULL;
}

static sse__hw_type hw_type(int wkind) {
  return wkind == SSE__WATCH_EXEC    ? SSE__HW_EXEC
         : wkind == SSE_WATCH_WRITE ? SSE__HW_WRITE
                                    : SSE__HW_RW;
}

void sse__watch_apply_thread(sse_thread *t) {
  sse_process *p = t->proc;
  for (sse__bp *b = p->bps; b; b = b->next)
    if (b->kind == SSE__BP_WATCH && b->enabled)
      sse__hw_set(t->tid, b->slot, b->waddr, hw_type(b->wkind), b->wlen, &t->dr7);
}

/* ------------------------------------------------------------ API */

typedef struct bp_req {
  sse_process *p;
  int kind;
  uint64_t addr;
  const char *name;
  int line;
  bool pending, enable;
  int id;
  int len, wkind;
  unsigned count;
  sse_breakpoint_info *out;
  size_t max, n;
  sse_err err;
} bp_req;

static void do_break(void *arg) {
  bp_req *r = arg;
  sse_process *p = r->p;
  if ((r->err = sse__proc_stopped(p))) return;
  char spec[600];
  sse__bp *b = NULL;
  if (r->kind == SSE__BP_ADDR) {
    uint8_t byte;
    if (sse__mem_read(p, r->addr, &byte, 1, NULL) != SSE_OK) {
      r->err = SSE_E_FAULT;
      return;
    }
    snprintf(spec, sizeof spec, "*0x%llx", (unsigned long long)r->addr);
    b = bp_new(p, SSE__BP_ADDR, spec);
    if (!b) goto nomem;
    b->addrs = malloc(sizeof *b->addrs);
    if (!b->addrs) goto nomem;
    b->addrs[0] = r->addr;
    b->naddrs = 1;
  } else if (r->kind == SSE__BP_FUNC) {
    snprintf(spec, sizeof spec, "%s", r->name);
    b = bp_new(p, SSE__BP_FUNC, spec);
    if (!b) goto nomem;
    b->name_or_file = strdup(r->name);
    if (!b->name_or_file) goto nomem;
    if (!bp_resolve(p, b) && !r->pending) {
      bp_free(p, b);
      r->err = SSE_E_NOSYM;
      return;
    }
  } else {
    snprintf(spec, sizeof spec, "%s:%d", r->name, r->line);
    b = bp_new(p, SSE__BP_LINE, spec);
    if (!b) goto nomem;
    b->name_or_file = strdup(r->name);
    b->line = r->line;
    if (!b->name_or_file) goto nomem;
    if (!bp_resolve(p, b) && !r->pending) {
      bp_free(p, b);
      r->err = SSE_E_NOLINE;
      return;
    }
  }
  r->err = bp_insert(p, b);
  if (r->err) {
    bp_free(p, b);
    return;
  }
  r->id = b->id;
  return;
nomem:
  if (b) bp_free(p, b);
  r->err = SSE_E_NOMEM;
}

sse_err sse__bp_add_catch(sse_process *p, const char *kinds, const char *spec,
                          int *id) {
  sse__bp *b = bp_new(p, SSE__BP_CATCH, spec);
  if (b) b->name_or_file = strdup(kinds);
  if (!b || !b->name_or_file) {
    if (b) bp_free(p, b);
    return SSE_E_NOMEM;
  }
  sse_err err = bp_resolve(p, b) ? bp_insert(p, b) : SSE_OK;
  if (err) {
    bp_free(p, b);
    return err;
  }
  *id = b->id;
  return SSE_OK;
}

/* Run fn(r) on the tracer thread; the new breakpoint's id in *id (may be
 * NULL) when it made one. */
static sse_err bp_call(bp_req *r, void (*fn)(void *), int *id) {
  sse_err err = sse__engine_call(r->p->engine, fn, r);
  if (!err) err = r->err;
  if (!err && id) *id = r->id;
  return err;
}

sse_err sse_break_address(sse_process *p, uint64_t addr, int *id) {
  if (!p) return SSE_E_INVAL;
  bp_req r = {.p = p, .kind = SSE__BP_ADDR, .addr = addr};
  return bp_call(&r, do_break, id);
}

sse_err sse_break_function(sse_process *p, const char *name, bool pending,
                           int *id) {
  if (!p || !name || !*name || strlen(name) > 512) return SSE_E_INVAL;
  bp_req r = {.p = p, .kind = SSE__BP_FUNC, .name = name, .pending = pending};
  return bp_call(&r, do_break, id);
}

sse_err sse_break_line(sse_process *p, const char *file, int line, int *id) {
  if (!p || !file || !*file || line <= 0 || strlen(file) > 512)
    return SSE_E_INVAL;
  bp_req r = {.p = p, .kind = SSE__BP_LINE, .name = file, .line = line};
  return bp_call(&r, do_break, id);
}

sse_err sse_break_line_pending(sse_process *p, const char *file, int line, int *id) {
  if (!p || !file || !*file || line <= 0 || strlen(file) > 512)
    return SSE_E_INVAL;
  bp_req r = {.p = p, .kind = SSE__BP_LINE, .name = file, .line = line, .pending = true};
  return bp_call(&r, do_break, id);
}

static sse__bp *bp_by_id(sse_process *p, int id) {
  for (sse__bp *b = p->bps; b; b = b->next)
    if (b->id == id) return b;
  return NULL;
}

static void watch_clear_all_threads(sse_process *p, int slot) {
  for (sse_thread *t = p->threads; t; t = t->next)
    if (t->state != SSE__T_EXITED) sse__hw_clear(t->tid, slot, &t->dr7);
  p->watch_slots &= ~(1u << slot);
}

/* Breakpoint r->id of a stopped process, or NULL with r->err set. */
static sse__bp *req_bp(bp_req *r) {
  if ((r->err = sse__proc_stopped(r->p))) return NULL;
  sse__bp *b = bp_by_id(r->p, r->id);
  if (!b) r->err = SSE_E_NOTFOUND;
  return b;
}

static void do_remove(void *arg) {
  bp_req *r = arg;
  sse_process *p = r->p;
  sse__bp *b = req_bp(r);
  if (!b) return;
  if (b->kind == SSE__BP_WATCH) {
    if (b->enabled) watch_clear_all_threads(p, b->slot);
  } else {
    bp_uninsert(p, b);
  }
  bp_free(p, b);
}

static void do_enable(void *arg) {
  bp_req *r = arg;
  sse_process *p = r->p;
  sse__bp *b = req_bp(r);
  if (!b || b->enabled == r->enable) return;
  if (b->kind == SSE__BP_WATCH) {
    if (!r->enable) {
      watch_clear_all_threads(p, b->slot);
      b->enabled = false;
    } else if (p->watch_slots & (1u << b->slot)) {
      r->err = SSE_E_NOSLOT;
    } else {
      b->enabled = true;
      p->watch_slots |= 1u << b->slot;
      for (sse_thread *t = p->threads; t; t = t->next)
        if (t->state != SSE__T_EXITED) sse__watch_apply_thread(t);
    }
    return;
  }
  b->enabled = r->enable;
  if (r->enable)
    r->err = bp_insert(p, b);
  else
    bp_uninsert(p, b);
}

static void do_ignore(void *arg) {
  bp_req *r = arg;
  sse__bp *b = req_bp(r);
  if (b) b->ignore = r->count;
}

sse_err sse_break_ignore(sse_process *p, int id, unsigned count) {
  if (!p) return SSE_E_INVAL;
  bp_req r = {.p = p, .id = id, .count = count};
  return bp_call(&r, do_ignore, NULL);
}

sse_err sse_break_remove(sse_process *p, int id) {
  if (!p) return SSE_E_INVAL;
  bp_req r = {.p = p, .id = id};
  return bp_call(&r, do_remove, NULL);
}

sse_err sse_break_enable(sse_process *p, int id, bool enable) {
  if (!p) return SSE_E_INVAL;
  bp_req r = {.p = p, .id = id, .enable = enable};
  return bp_call(&r, do_enable, NULL);
}

static void do_list(void *arg) {
  bp_req *r = arg;
  size_t n = 0;
  for (sse__bp *b = r->p->bps; b; b = b->next, n++) {
    if (n >= r->max) continue;
    sse_breakpoint_info *o = &r->out[n];
    memset(o, 0, sizeof *o);
    o->id = b->id;
    o->enabled = b->enabled;
    o->pending = b->kind != SSE__BP_WATCH && b->naddrs == 0;
    o->hits = b->hits;
    o->ignore = b->ignore;
    o->spec = b->spec;
    o->condition = b->cond_text;
    o->is_watchpoint = b->kind == SSE__BP_WATCH && b->wkind != SSE__WATCH_EXEC;
    o->read_write = o->is_watchpoint && b->wkind == SSE_WATCH_READWRITE;
    if (b->kind == SSE__BP_WATCH) {
      o->naddrs = 1;
      o->addrs[0] = b->waddr;
    } else {
      o->naddrs = b->naddrs;
      for (size_t i = 0; i < b->naddrs && i < 8; i++) o->addrs[i] = b->addrs[i];
    }
  }
  r->n = n;
}

sse_err sse_break_list(sse_process *p, sse_breakpoint_info *out, size_t max,
                       size_t *n) {
  if (!p || (!out && max)) return SSE_E_INVAL;
  bp_req r = {.p = p, .out = out, .max = max};
  sse_err err = sse__engine_call(p->engine, do_list, &r);
  if (n) *n = r.n;
  return err;
}

static void do_watch(void *arg) {
  bp_req *r = arg;
  sse_process *p = r->p;
  if ((r->err = sse__proc_stopped(p))) return;
  if (!sse__arch_dr7_valid(0, hw_type(r->wkind), r->len) ||
      (r->addr & (uint64_t)(r->len - 1)) ||
      (r->wkind != SSE_WATCH_WRITE && r->wkind != SSE_WATCH_READWRITE &&
       r->wkind != SSE__WATCH_EXEC)) {
    r->err = SSE_E_INVAL;
    return;
  }
  int slot = -1;
  for (int i = SSE__ARCH_HW_SLOTS - 1; i >= 0; i--)
    if (!(p->watch_slots & (1u << i))) {
      slot = i;
      break;
    }
  if (slot < 0) {
    r->err = SSE_E_NOSLOT;
    return;
  }
  char spec[64];
  if (r->wkind == SSE__WATCH_EXEC)
    snprintf(spec, sizeof spec, "*0x%llx", (unsigned long long)r->addr);
  else
    snprintf(spec, sizeof spec, "*(%d bytes at 0x%llx)", r->len,
             (unsigned long long)r->addr);
  sse__bp *b = bp_new(p, SSE__BP_WATCH, r->name ? r->name : spec);
  if (!b) {
    r->err = SSE_E_NOMEM;
    return;
  }
  b->waddr = r->addr;
  b->wlen = r->len;
  b->wkind = r->wkind;
  b->slot = slot;
  for (sse_thread *t = p->threads; t; t = t->next) {
    if (t->state == SSE__T_EXITED) continue;
    int rc = sse__hw_set(t->tid, slot, r->addr, hw_type(r->wkind), r->len, &t->dr7);
    if (rc != 0) {
      for (sse_thread *u = p->threads; u != t; u = u->next)
        if (u->state != SSE__T_EXITED) sse__hw_clear(u->tid, slot, &u->dr7);
      bp_free(p, b);
      r->err = rc == -EINVAL ? SSE_E_INVAL : SSE_E_NOSLOT;
      return;
    }
  }
  p->watch_slots |= 1u << slot;
  r->id = b->id;
}

/* A debug register of every thread (kind SSE__WATCH_EXEC too). */
sse_err sse__watch_call(sse_process *p, uint64_t addr, int len, int kind, int *id) {
  bp_req r = {.p = p, .addr = addr, .len = len, .wkind = kind};
  return bp_call(&r, do_watch, id);
}

sse_err sse__watch_add(sse_process *p, uint64_t addr, int len, int kind,
                       const char *spec, int *id) {
  bp_req r = {.p = p, .addr = addr, .len = len, .wkind = kind, .name = spec};
  do_watch(&r);
  if (!r.err && id) *id = r.id;
  return r.err;
}

/* ------------------------------------------------------------ conditions */

const sse__cond_ops *sse__cond_hook;

void sse__cond_install(const sse__cond_ops *ops) { sse__cond_hook = ops; }

sse_err sse__bp_set_condition(sse_process *p, int id, const char *text,
                              struct sse__cond *cond) {
  sse__bp *b = bp_by_id(p, id);
  if (!b) return SSE_E_NOTFOUND;
  if (b->cond && sse__cond_hook) sse__cond_hook->free(b->cond);
  b->cond_text = text;
  b->cond = cond;
  b->cond_err = NULL;
  return SSE_OK;
}

sse_err sse__bp_first_addr(sse_process *p, int id, uint64_t *addr) {
  sse__bp *b = bp_by_id(p, id);
  if (!b) return SSE_E_NOTFOUND;
  *addr = b->kind != SSE__BP_WATCH && b->naddrs ? b->addrs[0] : 0;
  return SSE_OK;
}

/* b's condition at t's hit: 1 holds (or none), 0 false, -1 cannot be
 * evaluated (b->cond_err says why). */
static int cond_holds(sse_thread *t, sse__bp *b) {
  b->cond_err = NULL;
  if (!b->cond_text) return 1;
  char err[160] = "";
  int rc = -1;
  if (!sse__cond_hook) {
    snprintf(err, sizeof err, "Cannot evaluate the condition.");
  } else if (b->cond ||
             sse__cond_hook->compile(t->proc, sse__thread_pc(t), b->cond_text,
                                     &b->cond, err, sizeof err) == 0) {
    rc = sse__cond_hook->eval(t, b->cond, err, sizeof err);
  }
  if (rc < 0) b->cond_err = sse__intern(t->proc->engine, err[0] ? err : "Cannot evaluate the condition.");
  return rc;
}

/* gdb's bpstat_check_breakpoint_conditions: the condition first (a false
 * one is not a hit), then the ignore count (an ignored hit counts). */
static bool hit_stops(sse_thread *t, sse__bp *b) {
  /* gdb's check_status_exception_catchpoint comes before the condition */
  if (b->kind == SSE__BP_CATCH && b->catch_re && !sse__catch_matches(t, b)) return false;
  if (cond_holds(t, b) == 0) return false;
  if (b->ignore) { /* gdb: also when the condition could not be evaluated */
    b->ignore--;
    b->hits++;
    return false;
  }
  return true;
}

sse__bp *sse__bp_hit(sse_thread *t, uint64_t pc) {
  sse__bp *stop = NULL;
  for (sse__bp *b = t->proc->bps; b; b = b->next) {
    if (b->kind == SSE__BP_WATCH || !b->enabled || !b->inserted) continue;
    bool here = false;
    for (size_t i = 0; i < b->naddrs && !here; i++) here = b->addrs[i] == pc;
    here = here && !sse__bp_loc_off(b, pc);
    if (here && hit_stops(t, b) && !stop) stop = b;
  }
  return stop;
}

bool sse__bp_watch_stops(sse_thread *t, sse__bp *b) {
  return !b || hit_stops(t, b);
}

void sse__bp_note_stop(sse__bp *b, char *buf, size_t bufsz) {
  snprintf(buf, bufsz, "%s", b && b->cond_err ? b->cond_err : "");
  if (b) b->cond_err = NULL; /* this stop's only */
}

/* ------------------------------------------------------------ step-off */

/* The emulator's memory: the thread's, refused where one of our int3s
 * is (a read would see it, a write would have to move the original
 * byte: the single-step does both right). */
static bool overlaps_site(sse_process *p, uint64_t addr, size_t n) {
  for (sse__bp_site *s = p->sites; s; s = s->next)
    if (s->addr >= addr && s->addr - addr < n) return true;
  return false;
}

/* Through the stop's page cache (the condition read the same stack page
 * just before), which the thread's resume drops. */
static bool emu_read(void *ctx, uint64_t addr, void *buf, size_t n) {
  sse_process *p = ctx;
  return !overlaps_site(p, addr, n) && sse__mem_read(p, addr, buf, n, NULL) == SSE_OK;
}

static bool emu_write(void *ctx, uint64_t addr, const void *buf, size_t n) {
  sse_process *p = ctx;
  return !overlaps_site(p, addr, n) && sse__mem_write_raw(p, addr, buf, n, NULL) == SSE_OK;
}

bool sse__site_step_emulated(sse_thread *t) {
  sse_process *p = t->proc;
  sse__regs r;
  if (sse__thread_getregs(t, &r) != 0) return false;
  uint64_t pc = sse__regs_pc(&r);
  sse__bp_site *s = sse__site_find(p, pc);
  uint8_t code[SSE__ARCH_MAX_INSN_LEN];
  size_t n = 0;
  if (!s || !s->inserted) return false;
  /* The displaced bytes, our int3s shadowed (the original byte first).
   * The trap was just seen at this int3 of ours (a store over it by the
   * program would have run instead). */
  sse__mem_read(p, pc, code, sizeof code, &n);
  for (size_t i = 1; i < n; i++)
    if (overlaps_site(p, pc + i, 1)) n = i; /* another int3: not the bytes */
  if (n == 0) return false;
  /* A debug register would not see an emulated access: with a watchpoint
   * set, only instructions that touch no memory. */
  sse__arch_mem mem = {.read = emu_read, .write = emu_write, .ctx = p};
  if (!sse__arch_emulate(code, n, pc, &r, p->watch_slots ? NULL : &mem)) return false;
  return sse__thread_setregs(t, &r) == 0;
}

sse_err sse_watch(sse_process *p, uint64_t addr, int len, int kind, int *id) {
  if (!p || (kind != SSE_WATCH_WRITE && kind != SSE_WATCH_READWRITE)) return SSE_E_INVAL;
  return sse__watch_call(p, addr, len, kind, id);
}
