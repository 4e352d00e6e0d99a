/* C++ exception catchpoints (gdb's catch throw / catch catch / catch
 * rethrow): breakpoints of kind SSE__BP_CATCH whose addresses are
 * libstdc++'s SystemTap probes, where gdb puts them (break-catch-throw.c
 * uses -probe-stap libstdcxx:throw and so on), or without probes the
 * functions past their prologue. The exception at such a stop comes from
 * the probe's arguments: the object and its std::type_info, whose name()
 * (the pointer after the vtable's) is the mangled type. */
#define _GNU_SOURCE
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arch.h"
#include "internal.h"
#include "symtab/symtab.h"

/* libstdc++'s demangler (cxxabi.h is C++ only); a type's mangling
 * ("St13runtime_error", "i") demangles as the type. */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

#define MAX_PROBES 8

static const struct {
  int kind;
  const char *probe, *func, *what;
} kinds[] = {
    {SSE_CATCH_THROW, "throw", "__cxa_throw", "throw"},
    {SSE_CATCH_CATCH, "catch", "__cxa_begin_catch", "catch"},
    {SSE_CATCH_RETHROW, "rethrow", "__cxa_rethrow", "rethrow"},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* Kind i's locations in the loaded modules: its probes, else the
 * function past its prologue (*from_probe false). */
static int kind_where(struct sse__symtab *st, size_t i, sse__sdt *v, bool *from_probe) {
  int n = sse__symtab_sdt_probes(st, "libstdcxx", kinds[i].probe, v, MAX_PROBES);
  *from_probe = n > 0;
  if (n > 0) return n;
  uint64_t entry, post;
  if (sse__symtab_func_addr(st, kinds[i].func, &entry, &post) != 0) return 0;
  v[0].pc = post;
  v[0].args = NULL;
  return 1;
}

ssize_t sse__catch_where(sse_process *p, const char *what, uint64_t **out) {
  struct sse__symtab *st = sse__proc_symtab(p);
  int want = atoi(what);
  uint64_t *a = st ? malloc(NKINDS * MAX_PROBES * sizeof *a) : NULL;
  *out = NULL;
  if (!a) return -1;
  ssize_t n = 0;
  for (size_t i = 0; i < NKINDS; i++) {
    sse__sdt v[MAX_PROBES];
    bool probe;
    int k = (want & kinds[i].kind) ? kind_where(st, i, v, &probe) : 0;
    for (int j = 0; j < k; j++) a[n++] = v[j].pc;
  }
  if (n == 0) free(a);
  else *out = a;
  return n;
}

typedef struct catch_req {
  sse_process *p;
  sse_thread *t;
  int kinds, id;
  sse_exception_info *info;
  sse_err err;
} catch_req;

static void do_catch(void *arg) {
  catch_req *r = arg;
  if ((r->err = sse__proc_stopped(r->p))) return;
  char spec[64] = "exception ", num[8];
  for (size_t i = 0; i < NKINDS; i++) {
    if (!(r->kinds & kinds[i].kind)) continue;
    if (spec[10]) strcat(spec, ", ");
    strcat(spec, kinds[i].what);
  }
  snprintf(num, sizeof num, "%d", r->kinds);
  r->err = sse__bp_add_catch(r->p, num, spec, &r->id);
}

sse_err sse_catch(sse_process *proc, int kinds_, int *id) {
  int all = SSE_CATCH_THROW | SSE_CATCH_CATCH | SSE_CATCH_RETHROW;
  if (!proc || !id || !kinds_ || (kinds_ & ~all)) return SSE_E_INVAL;
  catch_req r = {.p = proc, .kinds = kinds_};
  sse_err err = sse__engine_call(proc->engine, do_catch, &r);
  if (!err) err = r.err;
  if (!err) *id = r.id;
  return err;
}

static int read_u64(void *arg, uint64_t addr, uint64_t *out) {
  return sse__mem_read(arg, addr, out, sizeof *out, NULL) == SSE_OK ? 0 : -1;
}

/* The type a std::type_info names, demangled, into out->type. */
static void type_name(sse_process *p, sse_exception_info *out) {
  uint64_t name = 0;
  char buf[sizeof out->type];
  size_t got = 0;
  if (!out->tinfo || read_u64(p, out->tinfo + 8, &name) != 0 || !name ||
      sse__mem_read(p, name, buf, sizeof buf - 1, &got) != SSE_OK || !got)
    return;
  buf[got] = 0;
  const char *m = buf[0] == '*' ? buf + 1 : buf; /* a local type's mark */
  int status = 0;
  char *d = __cxa_demangle(m, NULL, NULL, &status);
  snprintf(out->type, sizeof out->type, "%s", d && status == 0 ? d : m);
  free(d);
}

/* Which catchpoint location the pc is, and the exception there. */
static sse_err at_location(sse_process *p, const sse__regs *r, sse_exception_info *out) {
  struct sse__symtab *st = sse__proc_symtab(p);
  for (size_t i = 0; st && i < NKINDS; i++) {
    sse__sdt v[MAX_PROBES];
    bool probe;
    int n = kind_where(st, i, v, &probe);
    for (int j = 0; j < n; j++) {
      if (v[j].pc != sse__regs_pc(r)) continue;
      out->kind = kinds[i].kind;
      if (probe) {
        sse__arch_sdt_arg(v[j].args, 0, r, read_u64, p, &out->object);
        sse__arch_sdt_arg(v[j].args, 1, r, read_u64, p, &out->tinfo);
      } else if (out->kind == SSE_CATCH_THROW) {
        /* __cxa_throw(void *obj, std::type_info *tinfo, void (*dest)(void *)) */
        out->object = sse__regs_arg(r, 0);
        out->tinfo = sse__regs_arg(r, 1);
      }
      type_name(p, out);
      return SSE_OK;
    }
  }
  return SSE_E_NOTFOUND;
}

static void do_info(void *arg) {
  catch_req *r = arg;
  sse_thread *t = r->t;
  sse__regs regs;
  if (t->proc->exited) r->err = SSE_E_EXITED;
  else if (t->state == SSE__T_EXITED) r->err = SSE_E_NOTHREAD;
  else if (t->state != SSE__T_STOPPED) r->err = SSE_E_RUNNING;
  else if (!(r->err = sse__proc_stopped(t->proc)))
    r->err = sse__thread_regs(t, &regs) != 0 ? SSE_E_NOTHREAD
                                             : at_location(t->proc, &regs, r->info);
}

sse_err sse_catch_info(sse_thread *thread, sse_exception_info *out) {
  if (!thread || !out) return SSE_E_INVAL;
  memset(out, 0, sizeof *out);
  catch_req r = {.t = thread, .info = out};
  sse_err err = sse__engine_call(thread->proc->engine, do_info, &r);
  return err ? err : r.err;
}

/* ---- catch throw REGEX: gdb's exception type filter */

void sse__catch_free_regex(sse__bp *b) {
  if (!b->catch_re) return;
  regfree(b->catch_re);
  free(b->catch_re);
  b->catch_re = NULL;
}

bool sse__catch_matches(sse_thread *t, sse__bp *b) {
  sse__regs regs;
  sse_exception_info x;
  memset(&x, 0, sizeof x);
  if (sse__thread_regs(t, &regs) != 0 || at_location(t->proc, &regs, &x) != SSE_OK ||
      !x.type[0])
    return true;
  return regexec(b->catch_re, x.type, 0, NULL, 0) == 0;
}

typedef struct match_req {
  sse_process *p;
  int id;
  const char *regex;
  char *err;
  size_t errsz;
  sse_err rc;
} match_req;

static void do_matching(void *arg) {
  match_req *r = arg;
  if ((r->rc = sse__proc_stopped(r->p))) return;
  sse__bp *b = r->p->bps;
  while (b && b->id != r->id) b = b->next;
  if (!b || b->kind != SSE__BP_CATCH) {
    r->rc = SSE_E_NOTFOUND;
    return;
  }
  regex_t *re = NULL;
  if (r->regex && *r->regex) {
    re = malloc(sizeof *re);
    if (!re) {
      r->rc = SSE_E_NOMEM;
      return;
    }
    /* gdb: compiled_regex (REGEX, REG_NOSUB), a basic regex searched for */
    int rc = regcomp(re, r->regex, REG_NOSUB);
    if (rc != 0) {
      if (r->err && r->errsz) regerror(rc, re, r->err, r->errsz);
      free(re);
      r->rc = SSE_E_INVAL;
      return;
    }
  }
  sse__catch_free_regex(b);
  b->catch_re = re;
}

sse_err sse_catch_matching(sse_process *proc, int id, const char *regex, char *err,
                           size_t errsz) {
  if (err && errsz) err[0] = 0;
  if (!proc) return SSE_E_INVAL;
  match_req r = {.p = proc, .id = id, .regex = regex, .err = err, .errsz = errsz};
  sse_err e = sse__engine_call(proc->engine, do_matching, &r);
  return e ? e : r.rc;
}
