/* handlers.c — one function per packet, and the table from packet name
 * to handler (gs_dispatch). A handler gets the text after the packet's
 * name and writes its reply into s->reply; an unknown packet gets the
 * empty reply, as the protocol says, and a malformed one "E NN". */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdbserver.h"

/* ------------------------------------------------------------ helpers */

void gs_reply(gs_session *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(s->reply, RSP_PACKET_SIZE + 1, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  s->reply_len = (size_t)n > RSP_PACKET_SIZE ? RSP_PACKET_SIZE : (size_t)n;
}

/* "E NN": errno-like codes, as gdbserver sends them. */
void gs_reply_error(gs_session *s, int code) { gs_reply(s, "E%02x", code & 0xff); }

enum { E_BADARG = 0x01, E_NOTHREAD = 0x02, E_FAULT = 0x0e, E_INVAL = 0x16 };

int gs_hexval(int ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

bool gs_parse_hex(const char *p, uint64_t *v, const char **end) {
  uint64_t x = 0;
  int n = 0;
  for (; gs_hexval((unsigned char)*p) >= 0; p++, n++) {
    if (n == 16) return false;
    x = x << 4 | (uint64_t)gs_hexval((unsigned char)*p);
  }
  if (n == 0) return false;
  *v = x;
  *end = p;
  return true;
}

/* "ADDR,LEN" followed by `term` (0: the end). */
static bool parse_addr_len(const char *p, char term, uint64_t *addr, uint64_t *len,
                           const char **end) {
  if (!gs_parse_hex(p, addr, &p) || *p != ',') return false;
  if (!gs_parse_hex(p + 1, len, &p) || *p != term) return false;
  *end = p;
  return true;
}

static const char hexdig[] = "0123456789abcdef";

size_t gs_put_hex(char *dst, const uint8_t *src, size_t n) {
  for (size_t i = 0; i < n; i++) {
    dst[2 * i] = hexdig[src[i] >> 4];
    dst[2 * i + 1] = hexdig[src[i] & 15];
  }
  return 2 * n;
}

bool gs_get_hex(const char *src, uint8_t *dst, size_t n) {
  for (size_t i = 0; i < n; i++) {
    int h = gs_hexval((unsigned char)src[2 * i]);
    int l = h < 0 ? -1 : gs_hexval((unsigned char)src[2 * i + 1]);
    if (l < 0) return false;
    dst[i] = (uint8_t)(h << 4 | l);
  }
  return true;
}

char *gs_hex_string(const char *src, char stop, const char **end) {
  size_t n = 0;
  while (src[n] && src[n] != stop) n++;
  if (n % 2) return NULL;
  char *out = malloc(n / 2 + 1);
  if (!out) return NULL;
  if (!gs_get_hex(src, (uint8_t *)out, n / 2)) {
    free(out);
    return NULL;
  }
  out[n / 2] = 0;
  if (end) *end = src + n;
  return out;
}

int gs_format_tid(const gs_session *s, pid_t tid, char *buf, size_t cap) {
  if (s->multiprocess)
    return snprintf(buf, cap, "p%x.%x", (unsigned)s->pid, (unsigned)tid);
  return snprintf(buf, cap, "%x", (unsigned)tid);
}

static bool parse_one_id(const char *p, long *v, const char **end) {
  if (p[0] == '-' && p[1] == '1') {
    *v = -1;
    *end = p + 2;
    return true;
  }
  uint64_t x;
  if (!gs_parse_hex(p, &x, end) || x > 0x7fffffff) return false;
  *v = (long)x;
  return true;
}

bool gs_parse_tid(const char *p, pid_t *tid, const char **end) {
  long v;
  if (*p == 'p') { /* p<pid>[.<tid>] */
    long pid;
    if (!parse_one_id(p + 1, &pid, &p)) return false;
    v = -1;
    if (*p == '.' && !parse_one_id(p + 1, &v, &p)) return false;
  } else if (!parse_one_id(p, &v, &p)) {
    return false;
  }
  *tid = (pid_t)v;
  *end = p;
  return true;
}

sse_thread *gs_thread(gs_session *s, pid_t tid) {
  sse_thread *t = NULL;
  if (tid > 0 && sse_thread_by_tid(s->proc, tid, &t) == SSE_OK) return t;
  if (tid > 0) return NULL;
  if (s->last_valid && s->last.tid > 0 &&
      sse_thread_by_tid(s->proc, s->last.tid, &t) == SSE_OK)
    return t;
  size_t n = 0;
  if (sse_process_threads(s->proc, &t, 1, &n) == SSE_OK && n > 0) return t;
  return NULL;
}

/* ------------------------------------------------------------ general */

static void h_supported(gs_session *s, char *a) {
  /* the client's features, ';'-separated */
  s->multiprocess = strstr(a, "multiprocess+") != NULL;
  gs_reply(s,
           "PacketSize=%x;QStartNoAckMode+;qXfer:features:read+;"
           "QPassSignals+;qXfer:threads:read+;qXfer:auxv:read+;qXfer:exec-file:read+;"
           "qXfer:libraries-svr4:read+;qXfer:siginfo:read+;"
           "swbreak+;hwbreak+;vContSupported+;QDisableRandomization+;"
           "QEnvironmentHexEncoded+;QEnvironmentUnset+;QEnvironmentReset+;"
           "QSetWorkingDir+;QStartupWithShell+;QProgramSignals+%s",
           RSP_PACKET_SIZE, s->multiprocess ? ";multiprocess+" : "");
}

static void h_noack(gs_session *s, char *a) {
  gs_reply(s, "OK");
  /* takes effect after this reply, which is still acked */
  s->conn_noack_after = true;
}

/* '!': extended mode; the session outlives its program (vRun, vAttach). */
static void h_extended(gs_session *s, char *a) {
  s->extended = true;
  gs_reply(s, "OK");
}

static void h_stop_reason(gs_session *s, char *a) {
  if (!s->last_valid) {
    gs_reply(s, "W00");
    return;
  }
  gs_stop_reply(s, &s->last);
}

/* An annex read (qXfer:...:read:ANNEX:OFF,LEN) of tl bytes. */
void gs_reply_xfer(gs_session *s, const char *text, size_t tl, const char *a) {
  uint64_t off, len;
  const char *e;
  if (!parse_addr_len(a, 0, &off, &len, &e)) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  if (len > RSP_PACKET_SIZE - 1) len = RSP_PACKET_SIZE - 1;
  if (off >= tl) {
    gs_reply(s, "l");
    return;
  }
  size_t n = tl - off < len ? tl - off : (size_t)len;
  s->reply[0] = off + n < tl ? 'm' : 'l';
  memcpy(s->reply + 1, text + off, n);
  s->reply_len = n + 1;
}

static void reply_xfer(gs_session *s, const char *text, const char *a) {
  gs_reply_xfer(s, text, strlen(text), a);
}

/* The auxiliary vector: gdb finds where a PIE program is loaded from its
 * AT_ENTRY. sse.h has no call for it; /proc/PID/auxv is readable by the
 * process that traces PID. */
static void h_xfer_auxv(gs_session *s, char *a) {
  char *colon = strchr(a, ':');
  if (!colon) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  char path[64], buf[4096];
  snprintf(path, sizeof path, "/proc/%d/auxv", (int)s->pid);
  FILE *f = fopen(path, "rb");
  if (!f) {
    gs_reply_error(s, errno & 0xff);
    return;
  }
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  gs_reply_xfer(s, buf, n, colon + 1);
}

static void h_xfer_features(gs_session *s, char *a) {
  /* ANNEX:OFF,LEN */
  char *colon = strchr(a, ':');
  if (!colon) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  *colon = 0;
  if (strcmp(a, "target.xml") != 0) {
    gs_reply_error(s, E_BADARG);
    return;
  }
  reply_xfer(s, tdesc_xml(s->vec), colon + 1);
}

/* The thread's name (its comm, as `info threads` shows it), with the
 * characters XML would take for markup left out. */
static void thread_name(pid_t pid, pid_t tid, char *buf, size_t cap) {
  char path[64], raw[32] = "";
  snprintf(path, sizeof path, "/proc/%d/task/%d/comm", (int)pid, (int)tid);
  FILE *f = fopen(path, "r");
  if (f) {
    if (!fgets(raw, sizeof raw, f)) raw[0] = 0;
    fclose(f);
  }
  size_t o = 0;
  for (const char *p = raw; *p && *p != '\n' && o + 1 < cap; p++)
    if (*p != '<' && *p != '>' && *p != '&' && *p != '"' && *p != '\'' &&
        (unsigned char)*p >= 0x20)
      buf[o++] = *p;
  buf[o] = 0;
}

static void h_xfer_threads(gs_session *s, char *a) {
  char *colon = strchr(a, ':');
  if (!colon) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  sse_thread *ts[512];
  size_t n = 0;
  sse_process_threads(s->proc, ts, 512, &n);
  if (n > 512) n = 512;
  size_t cap = 64 + n * 96, o = 0;
  char *xml = malloc(cap);
  if (!xml) {
    gs_reply_error(s, ENOMEM);
    return;
  }
  o += (size_t)snprintf(xml + o, cap - o, "<threads>\n");
  for (size_t i = 0; i < n; i++) {
    char id[64], name[32];
    pid_t tid = sse_thread_tid(ts[i]);
    gs_format_tid(s, tid, id, sizeof id);
    thread_name(s->pid, tid, name, sizeof name);
    o += (size_t)snprintf(xml + o, cap - o, "<thread id=\"%s\" name=\"%s\"/>\n", id, name);
  }
  snprintf(xml + o, cap - o, "</threads>\n");
  reply_xfer(s, xml, colon + 1);
  free(xml);
}

/* The program's path (gdb loads it with vFile when it was given none). */
static void h_xfer_exec_file(gs_session *s, char *a) {
  char *colon = strchr(a, ':'), link[64], path[4096];
  if (!colon) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  snprintf(link, sizeof link, "/proc/%d/exe", (int)s->pid);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n < 0) {
    gs_reply_error(s, errno & 0xff);
    return;
  }
  path[n] = 0;
  reply_xfer(s, path, colon + 1);
}

/* The siginfo of Hg's thread's last stop ($_siginfo). */
static void h_xfer_siginfo(gs_session *s, char *a) {
  char *colon = strchr(a, ':');
  uint8_t si[128];
  sse_thread *t = gs_thread(s, s->g_tid);
  if (!colon || *a != ':') {
    gs_reply_error(s, E_INVAL);
    return;
  }
  if (!t || sse_thread_siginfo(t, si) != SSE_OK) {
    gs_reply_error(s, E_NOTHREAD);
    return;
  }
  gs_reply_xfer(s, (const char *)si, sizeof si, colon + 1);
}

static void h_current_thread(gs_session *s, char *a) {
  sse_thread *t = gs_thread(s, 0);
  char id[64];
  if (!t) {
    gs_reply_error(s, E_NOTHREAD);
    return;
  }
  gs_format_tid(s, sse_thread_tid(t), id, sizeof id);
  gs_reply(s, "QC%s", id);
}

static void h_thread_info_first(gs_session *s, char *a) {
  sse_thread *ts[512];
  size_t n = 0;
  if (sse_process_threads(s->proc, ts, 512, &n) != SSE_OK || n == 0) {
    gs_reply(s, "l");
    return;
  }
  if (n > 512) n = 512;
  size_t o = 0;
  s->reply[o++] = 'm';
  for (size_t i = 0; i < n && o + 40 < RSP_PACKET_SIZE; i++) {
    if (i) s->reply[o++] = ',';
    o += (size_t)gs_format_tid(s, sse_thread_tid(ts[i]), s->reply + o, 40);
  }
  s->reply_len = o;
}

static void h_thread_info_next(gs_session *s, char *a) { gs_reply(s, "l"); }

static void h_attached(gs_session *s, char *a) {
  gs_reply(s, "%d", s->attached ? 1 : 0);
}

static void h_symbol(gs_session *s, char *a) { gs_reply(s, "OK"); }

/* QPassSignals:SIG;SIG...: gdb's signals to pass without a stop (its
 * `handle SIG nostop noprint pass`); every other one is reported, and gdb
 * says with its resume whether the program gets it. */
/* gdb's signal list "SIG;SIG;..." (hex, gdb's numbers) as Linux numbers
 * in set; false when malformed. */
static bool parse_signal_list(const char *a, bool set[65]) {
  memset(set, 0, 65 * sizeof set[0]);
  for (const char *p = a; *p;) {
    uint64_t g;
    const char *e;
    if (!gs_parse_hex(p, &g, &e) || (*e && *e != ';')) return false;
    int sig = g < 1000 ? gs_sig_from_gdb((int)g) : 0;
    if (sig > 0 && sig < 65) set[sig] = true;
    p = e + (*e == ';');
  }
  return true;
}

static void h_pass_signals(gs_session *s, char *a) {
  bool pass[65];
  if (!parse_signal_list(a, pass)) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  gs_set_signal_policy(s, pass);
  gs_reply(s, "OK");
}

/* QProgramSignals: the signals gdb lets the program have (`handle SIG
 * pass`); gdbserver uses the list for what it delivers itself: the signal
 * a thread stopped with when the program is detached. */
static void h_program_signals(gs_session *s, char *a) {
  if (!parse_signal_list(a, s->program)) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  s->program_set = true;
  gs_reply(s, "OK");
}

static void h_set_thread(gs_session *s, char *a) {
  char which = a[0];
  pid_t tid;
  const char *e;
  if ((which != 'g' && which != 'c') || !gs_parse_tid(a + 1, &tid, &e) || *e) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  if (tid > 0 && !gs_thread(s, tid)) {
    gs_reply_error(s, E_NOTHREAD);
    return;
  }
  if (which == 'g')
    s->g_tid = tid > 0 ? tid : 0;
  else
    s->c_tid = tid > 0 ? tid : 0;
  gs_reply(s, "OK");
}

static void h_thread_alive(gs_session *s, char *a) {
  pid_t tid;
  const char *e;
  if (!gs_parse_tid(a, &tid, &e) || *e) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  if (tid > 0 && gs_thread(s, tid))
    gs_reply(s, "OK");
  else
    gs_reply_error(s, E_NOTHREAD);
}

/* ------------------------------------------------------------ memory */

static void h_read_mem(gs_session *s, char *a) {
  uint64_t addr, len;
  const char *e;
  if (!parse_addr_len(a, 0, &addr, &len, &e)) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  if (len > RSP_PACKET_SIZE / 2) len = RSP_PACKET_SIZE / 2;
  uint8_t buf[RSP_PACKET_SIZE / 2];
  size_t done = 0;
  sse_err err = sse_read_memory(s->proc, addr, buf, (size_t)len, &done);
  if (err != SSE_OK && err != SSE_E_FAULT) done = 0;
  if (err == SSE_OK) done = (size_t)len;
  if (done == 0 && len > 0) { /* nothing readable: gdbserver's E14 */
    gs_reply_error(s, E_FAULT + 6);
    return;
  }
  s->reply_len = gs_put_hex(s->reply, buf, done); /* a short read is allowed */
}

static void write_mem(gs_session *s, uint64_t addr, const uint8_t *data, size_t len) {
  size_t done = 0;
  if (len == 0) {
    gs_reply(s, "OK");
    return;
  }
  sse_err err = sse_write_memory(s->proc, addr, data, len, &done);
  if (err != SSE_OK)
    gs_reply_error(s, E_FAULT + 6);
  else
    gs_reply(s, "OK");
}

static void h_write_mem(gs_session *s, char *a) {
  uint64_t addr, len;
  const char *e;
  if (!parse_addr_len(a, ':', &addr, &len, &e) || len > RSP_PACKET_SIZE / 2 ||
      strlen(e + 1) != len * 2) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  uint8_t buf[RSP_PACKET_SIZE / 2];
  if (!gs_get_hex(e + 1, buf, (size_t)len)) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  write_mem(s, addr, buf, (size_t)len);
}

/* X: binary data, escaped ('}' x^0x20); its length is the packet's. */
static void h_write_mem_binary(gs_session *s, char *a, size_t alen) {
  uint64_t addr, len;
  const char *e;
  if (!parse_addr_len(a, ':', &addr, &len, &e)) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  char *data = (char *)e + 1;
  size_t n = rsp_unescape(data, alen - (size_t)(data - a));
  if (n != len) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  write_mem(s, addr, (const uint8_t *)data, n);
}

/* ------------------------------------------------------------ run control */

static void h_vcont_query(gs_session *s, char *a) { gs_reply(s, "vCont;c;C;s;S;r"); }

static void h_vcont(gs_session *s, char *a) {
  if (!gs_inferior_live(s)) {
    gs_reply_error(s, E_NOTHREAD);
    return;
  }
  if (a[0] != ';' && a[0] != 0) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  gs_resume(s, a[0] ? a + 1 : a);
}

/* c [ADDR] / s [ADDR] / C SIG[;ADDR] / S SIG[;ADDR]: the resume address is
 * not served (gdb never sends one). */
static void legacy_resume(gs_session *s, char action, const char *a) {
  char acts[64];
  uint64_t sig = 0;
  const char *e = a;
  if (action == 'C' || action == 'S') {
    if (!gs_parse_hex(a, &sig, &e) || sig > 0xff) {
      gs_reply_error(s, E_INVAL);
      return;
    }
  }
  if (*e) { /* an address: refuse rather than resume elsewhere */
    gs_reply_error(s, E_INVAL);
    return;
  }
  if (sig)
    snprintf(acts, sizeof acts, "%c%02x", action, (unsigned)sig);
  else
    snprintf(acts, sizeof acts, "%c", action == 'C' ? 'c' : action == 'S' ? 's' : action);
  if (s->c_tid > 0) {
    size_t l = strlen(acts);
    char id[40];
    gs_format_tid(s, s->c_tid, id, sizeof id);
    snprintf(acts + l, sizeof acts - l, ":%s", id);
  }
  gs_resume(s, acts);
}

static void h_continue(gs_session *s, char *a) { legacy_resume(s, 'c', a); }
static void h_step(gs_session *s, char *a) { legacy_resume(s, 's', a); }
static void h_continue_sig(gs_session *s, char *a) { legacy_resume(s, 'C', a); }
static void h_step_sig(gs_session *s, char *a) { legacy_resume(s, 'S', a); }

/* k, vKill, D: in extended mode the session goes on without a program. */
static void h_kill(gs_session *s, char *a) {
  if (gs_inferior_live(s)) sse_kill(s->proc);
  /* gdb reads no reply (it kills with vKill anyway); LLDB waits for one:
   * lldb-server's, the process killed by SIGKILL */
  gs_reply(s, "X09");
  s->done = !s->extended;
}

static void h_vkill(gs_session *s, char *a) {
  if (gs_inferior_live(s)) sse_kill(s->proc);
  gs_reply(s, "OK");
  s->done = !s->extended;
}

/* The signal a thread stopped with goes with it at a detach if gdb lets
 * the program have it (gdbserver's get_detach_signal: without a
 * QProgramSignals list, all but SIGTRAP and SIGINT). */
static void detach_signal(gs_session *s) {
  if (!s->signal_tid || s->last.reason != SSE_STOP_SIGNAL) return;
  int sig = s->last.signo;
  bool pass = s->program_set ? sig > 0 && sig < 65 && s->program[sig]
                             : sig != SIGTRAP && sig != SIGINT;
  sse_thread *t = gs_thread(s, s->signal_tid);
  if (t) sse_thread_set_pending_signal(t, pass ? sig : 0);
}

static void h_detach(gs_session *s, char *a) {
  if (gs_inferior_live(s)) detach_signal(s);
  if (gs_inferior_live(s) && sse_detach(s->proc) != SSE_OK) {
    gs_reply_error(s, E_INVAL);
    return;
  }
  gs_reply(s, "OK");
  s->done = !s->extended;
}

/* ------------------------------------------------------------ the table */

typedef void (*handler_fn)(gs_session *s, char *args);

typedef struct handler {
  const char *name;
  handler_fn fn;
} handler;

/* Names of one character (not q, Q or v) match the packet's first
 * character; longer names match the packet's start followed by its end or
 * one of ":;,". X is binary and has its own entry in gs_dispatch. */
static const handler table[] = {
    {"qSupported", h_supported},
    {"QStartNoAckMode", h_noack},
    {"qXfer:features:read", h_xfer_features},
    {"qXfer:threads:read", h_xfer_threads},
    {"qXfer:auxv:read", h_xfer_auxv},
    {"qXfer:exec-file:read", h_xfer_exec_file},
    {"qXfer:libraries-svr4:read", gs_xfer_libraries_svr4},
    {"qXfer:siginfo:read", h_xfer_siginfo},
    {"qC", h_current_thread},
    {"qfThreadInfo", h_thread_info_first},
    {"qsThreadInfo", h_thread_info_next},
    {"qAttached", h_attached},
    {"qSymbol", h_symbol},
    {"QPassSignals", h_pass_signals},
    {"QProgramSignals", h_program_signals},
    {"vCont?", h_vcont_query},
    {"vCont", h_vcont},
    {"vKill", h_vkill},
    {"vRun", gs_vrun},
    {"vAttach", gs_vattach},
    {"QEnvironmentHexEncoded", gs_env_set},
    {"QEnvironmentUnset", gs_env_unset},
    {"QEnvironmentReset", gs_env_reset},
    {"QSetWorkingDir", gs_set_cwd},
    {"QDisableRandomization", gs_no_aslr},
    {"QStartupWithShell", gs_startup_shell},
    {"!", h_extended},
    {"vFile:setfs", gs_vfile_setfs},
    {"vFile:open", gs_vfile_open},
    {"vFile:pread", gs_vfile_pread},
    {"vFile:close", gs_vfile_close},
    {"vFile:fstat", gs_vfile_fstat},
    {"vFile:readlink", gs_vfile_readlink},
    {"vFile:unlink", gs_vfile_unlink},
    {"?", h_stop_reason},
    {"g", gs_read_regs},
    {"G", gs_write_regs},
    {"p", gs_read_reg},
    {"P", gs_write_reg},
    {"m", h_read_mem},
    {"M", h_write_mem},
    {"Z", gs_insert_bp},
    {"z", gs_remove_bp},
    {"H", h_set_thread},
    {"T", h_thread_alive},
    {"c", h_continue},
    {"s", h_step},
    {"C", h_continue_sig},
    {"S", h_step_sig},
    {"k", h_kill},
    {"D", h_detach},
};

static const handler *lookup(const char *pkt, char **args) {
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    const char *n = table[i].name;
    size_t nl = strlen(n);
    if (nl == 1 && n[0] != 'q' && n[0] != 'Q' && n[0] != 'v') {
      if (pkt[0] == n[0]) {
        *args = (char *)pkt + 1;
        return &table[i];
      }
      continue;
    }
    if (strncmp(pkt, n, nl) != 0) continue;
    char next = pkt[nl];
    if (next == 0) {
      *args = (char *)pkt + nl;
      return &table[i];
    }
    if (next == ':' || next == ';' || next == ',') {
      /* vCont keeps its ';': its actions start with one */
      *args = (char *)pkt + nl + (next == ';' && strcmp(n, "vCont") == 0 ? 0 : 1);
      return &table[i];
    }
  }
  return NULL;
}

bool gs_dispatch(gs_session *s, char *pkt, size_t len) {
  s->reply_len = 0;
  bool dead = !gs_inferior_live(s);
  char *args;
  if (pkt[0] == 'X') {
    if (dead)
      gs_reply_error(s, E_NOTHREAD);
    else
      h_write_mem_binary(s, pkt + 1, len - 1);
  } else {
    const handler *h = lookup(pkt, &args);
    /* after the process is gone only the session's own packets work */
    if (h && dead && strchr("gGpPmMZzHTcsCS", pkt[0]) && pkt[0] != 'q')
      gs_reply_error(s, E_NOTHREAD);
    else if (h)
      h->fn(s, args);
  }
  if (!rsp_send(&s->conn, s->reply, s->reply_len)) return false;
  if (s->conn_noack_after) {
    s->conn.noack = true;
    s->conn_noack_after = false;
  }
  return !s->done;
}
