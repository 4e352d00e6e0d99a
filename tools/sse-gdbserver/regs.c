/* regs.c — the register packets: g (all, in the description's order), G,
 * p (one), P. The general registers come from sse_get_regs, the x87, SSE,
 * AVX and AVX-512 ones from sse_get_fpregs, read only when a packet needs them;
 * a register the thread does not give is 'x's in a read and ignored in a
 * write, as gdbserver does. */
#define _GNU_SOURCE
#include <string.h>

#include "gdbserver.h"

enum { E_NOTHREAD = 0x02, E_INVAL = 0x16 };

/* The registers of Hg's thread: the general ones (those the last stop
 * kept, for its thread), and fp when asked. */
static sse_thread *load(gs_session *s, gs_regcache *c, bool fp) {
  sse_thread *t = gs_thread(s, s->g_tid);
  if (!t) return NULL;
  pid_t tid = sse_thread_tid(t);
  if (s->regs_tid == tid)
    c->gp = s->regs;
  else if (sse_get_regs(t, &c->gp) != SSE_OK)
    return NULL;
  c->fp_ok = fp && sse_get_fpregs(t, &c->fp) == SSE_OK;
  return t;
}

static bool store(gs_session *s, sse_thread *t, const gs_regcache *c, bool gp, bool fp) {
  if (gp && s->regs_tid == sse_thread_tid(t)) s->regs_tid = 0;
  return (!gp || sse_set_regs(t, &c->gp) == SSE_OK) &&
         (!fp || sse_set_fpregs(t, &c->fp) == SSE_OK);
}

/* One register as hex, or 'x's when it is not there. */
static size_t put_reg(char *dst, const tdesc_reg *d, const gs_regcache *c) {
  if (tdesc_is_fp(d) && !c->fp_ok) {
    memset(dst, 'x', (size_t)d->size * 2);
    return (size_t)d->size * 2;
  }
  uint8_t b[TDESC_MAX_REG];
  tdesc_get(d, c, b);
  return gs_put_hex(dst, b, (size_t)d->size);
}

/* From hex (d->size bytes); false when it is not that. */
static bool get_reg(const char *src, const tdesc_reg *d, gs_regcache *c) {
  uint8_t b[TDESC_MAX_REG];
  if (!gs_get_hex(src, b, (size_t)d->size)) return false;
  if (!tdesc_is_fp(d) || c->fp_ok) tdesc_set(d, c, b);
  return true;
}

void gs_read_regs(gs_session *s, char *a) {
  gs_regcache c;
  if (!load(s, &c, true)) {
    gs_reply_error(s, E_NOTHREAD);
    return;
  }
  size_t o = 0;
  for (int i = 0; i < tdesc_nregs(s->vec); i++) o += put_reg(s->reply + o, tdesc_reg_at(i), &c);
  s->reply_len = o;
}

void gs_write_regs(gs_session *s, char *a) {
  gs_regcache c;
  sse_thread *t = load(s, &c, true);
  if (!t) {
    gs_reply_error(s, E_NOTHREAD);
    return;
  }
  size_t len = strlen(a), o = 0;
  bool fp = false;
  for (int i = 0; i < tdesc_nregs(s->vec) && o < len; i++) {
    const tdesc_reg *d = tdesc_reg_at(i);
    if (len - o < (size_t)d->size * 2 || !get_reg(a + o, d, &c)) {
      gs_reply_error(s, E_INVAL);
      return;
    }
    fp |= tdesc_is_fp(d) && c.fp_ok;
    o += (size_t)d->size * 2;
  }
  if (!store(s, t, &c, true, fp)) {
    gs_reply_error(s, E_NOTHREAD);
    return;
  }
  gs_reply(s, "OK");
}

/* "N" (p) or "N=" (P): the register, *end after the number. */
static const tdesc_reg *parse_regno(const gs_session *s, const char *a, const char **end) {
  uint64_t n;
  if (!gs_parse_hex(a, &n, end) || n >= (uint64_t)tdesc_nregs(s->vec)) return NULL;
  return tdesc_reg_at((int)n);
}

void gs_read_reg(gs_session *s, char *a) {
  const char *e;
  const tdesc_reg *d = parse_regno(s, a, &e);
  gs_regcache c;
  if (!d || *e) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  if (!load(s, &c, tdesc_is_fp(d))) {
    gs_reply_error(s, E_NOTHREAD);
    return;
  }
  s->reply_len = put_reg(s->reply, d, &c);
}

void gs_write_reg(gs_session *s, char *a) {
  const char *e;
  const tdesc_reg *d = parse_regno(s, a, &e);
  gs_regcache c;
  if (!d || *e != '=' || strlen(e + 1) != (size_t)d->size * 2) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  sse_thread *t = load(s, &c, tdesc_is_fp(d));
  if (!t) {
    gs_reply_error(s, E_NOTHREAD);
    return;
  }
  if (!get_reg(e + 1, d, &c)) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  bool fp = tdesc_is_fp(d);
  if ((!fp || c.fp_ok) && !store(s, t, &c, !fp, fp)) {
    gs_reply_error(s, E_NOTHREAD);
    return;
  }
  gs_reply(s, "OK");
}
