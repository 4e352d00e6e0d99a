/* gdbserver.h — sse-gdbserver's pieces and what they share.
 *
 *   rsp.c        the remote serial protocol's framing: $...#cs, acks,
 *                escaping, run-length encoding, the \x03 interrupt byte
 *   transport.c  where the bytes come from: a TCP listener, or stdio
 *   handlers.c   one function per packet and the table from packet name
 *                to handler
 *   resume.c     running the target: vCont/c/s, range steps, Ctrl-C while
 *                it runs, stop replies
 *   vfile.c      vFile: gdb reads the target's files (read-only)
 *   breaks.c     Z/z on sse's breakpoints and watchpoints
 *   svr4.c       qXfer:libraries-svr4: the dynamic linker's library list
 *   tdesc.c      the target description (XML) and gdb's register numbers
 *                mapped on sse_regs and sse_fpregs
 *   regs.c       the register packets: g, G, p, P
 *   inferior.c   the program's life: spawned, attached (vRun, vAttach),
 *                killed or detached at the end; --multi's next one
 *   spawnenv.c   how the next vRun starts it: QEnvironment*,
 *                QSetWorkingDir, QDisableRandomization, QStartupWithShell
 *   watch.c      the \x03 interrupt while a resume runs on the tracer
 *                thread (a thread that peeks at the socket)
 *   main.c       gdbserver's command line and the connections
 *
 * Only rsp.c knows how a packet is framed; the handlers see a packet's
 * text (escapes still in: only X is binary) and answer with a reply
 * buffer. On a TCP connection to a live program the packets are served on
 * the engine's tracer thread (sse_call: every sse call direct, no hand-over
 * per packet or per stop), a resume is a blocking call there and watch.c's
 * thread sees the \x03; a packet that replaces the engine (vRun, vAttach)
 * goes back to the main thread. Without an engine, and on stdio, the main
 * thread serves: a resume's command is started asynchronously and the main
 * thread watches the connection for \x03 meanwhile (resume.c). */
#ifndef SSE_GDBSERVER_H
#define SSE_GDBSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sse.h"

/* ------------------------------------------------------------ rsp.c */

/* The largest packet we take or send (qSupported's PacketSize). */
#define RSP_PACKET_SIZE 0x4000

typedef struct rsp_conn {
  int in_fd, out_fd;
  bool noack;          /* QStartNoAckMode accepted */
  bool closed;         /* EOF or an error on the connection */
  unsigned char rbuf[4096];
  size_t rpos, rlen;   /* unread bytes of rbuf */
  bool ack_pending;    /* a packet received, its '+' not sent yet */
  char *last;          /* the last packet sent (for a '-' retransmit) */
  size_t last_len;
} rsp_conn;

/* What rsp_recv found. */
typedef enum rsp_kind {
  RSP_PACKET,    /* a packet with a good checksum: text/len */
  RSP_INTERRUPT, /* the \x03 byte */
  RSP_EOF,       /* the client went away */
  RSP_TOO_LONG   /* a packet longer than RSP_PACKET_SIZE (acked, dropped) */
} rsp_kind;

void rsp_init(rsp_conn *c, int in_fd, int out_fd);
void rsp_close(rsp_conn *c);
/* Next packet or interrupt byte. Bad checksums are answered with '-' (the
 * client retransmits) and skipped; stray bytes outside packets ('+', '-',
 * garbage) are skipped. The packet text is NUL-terminated in buf (at least
 * RSP_PACKET_SIZE + 1 bytes), its length in *len, escapes kept. */
rsp_kind rsp_recv(rsp_conn *c, char *buf, size_t *len);
/* Whether bytes are waiting in the read buffer (before poll()ing the fd). */
bool rsp_buffered(const rsp_conn *c);
/* Whether the read buffer holds a \x03 (read with a packet before it). */
bool rsp_buffered_interrupt(const rsp_conn *c);
/* Send one packet (escaped and run-length encoded here); in ack mode the
 * '+' of the packet it answers goes first in the same write, then it waits
 * for the client's '+', retransmitting on '-'. False once the connection
 * is gone. */
bool rsp_send(rsp_conn *c, const char *data, size_t len);
bool rsp_send_str(rsp_conn *c, const char *s);
/* Send the pending '+' now (before a reply that may take long: a resume). */
bool rsp_flush_ack(rsp_conn *c);
/* Read one byte if one is there now (non-blocking); -1 if none, -2 EOF. */
int rsp_poll_byte(rsp_conn *c);
/* Undo the protocol's escaping (}x -> x^0x20) in place; the new length. */
size_t rsp_unescape(char *data, size_t len);
/* Checksum of len bytes: their sum mod 256. */
unsigned rsp_checksum(const char *data, size_t len);
/* Run-length encode src (already escaped) into dst (capacity cap, at least
 * len): c*N for runs of 4 to 97, never a '#' or '$' count. Returns the
 * encoded length. */
size_t rsp_rle_encode(const char *src, size_t len, char *dst, size_t cap);

/* ------------------------------------------------------------ transport.c */

/* Listen on host:port (host empty or NULL: 127.0.0.1; port 0: any free
 * one). Returns the listening fd and the bound port in *port, or -1 with a
 * message on stderr. */
int transport_listen(const char *hostport, int *port);
/* Accept one connection (the listener stays open when keep is true, for
 * --multi's next client; else it is closed). -1 on error. */
int transport_accept(int lfd, bool keep);

/* ------------------------------------------------------------ watch.c */

typedef struct gs_watch gs_watch;
/* A watcher of the socket sock_fd (peeked at, never read); NULL when no
 * thread could be made. */
gs_watch *gs_watch_new(int sock_fd);
/* A command of proc starts (early: a \x03 came before it, already read):
 * a \x03 or the connection's end interrupts it until disarmed. */
void gs_watch_arm(gs_watch *w, sse_process *proc, bool early);
void gs_watch_disarm(gs_watch *w);
void gs_watch_free(gs_watch *w); /* NULL: nothing */

/* ------------------------------------------------------------ tdesc.c */

/* A thread's registers as the register packets see them. */
#define TDESC_MAX_REG 32 /* bytes of the largest register (zmm<n>h) */
typedef struct gs_regcache {
  sse_regs gp;
  sse_fpregs fp;
  bool fp_ok; /* fp read (the thread's x87/SSE/AVX state) */
} gs_regcache;

/* Where a register of gdb's lives. */
typedef enum tdesc_kind {
  TD_GP,   /* at: index of the uint64_t in sse_regs (low `size` bytes) */
  TD_FX,   /* at: offset in the FXSAVE image, `size` bytes */
  TD_FX16, /* a 16-bit word of the image at `at`, zero-extended */
  TD_FTAG, /* the full x87 tag word made from the abridged one */
  TD_FOP,  /* the last x87 opcode's 11 bits */
  TD_YMMH, /* at: n of ymm<n>h (fp.ymmh[n]) */
  TD_K,    /* at: n of k<n> (fp.k[n]) */
  TD_ZMMH, /* at: n of zmm<n>h, n < 16 (fp.zmmh[n]) */
  TD_HI16  /* at: byte offset in fp.hi16_zmm (zmm16-31 and their parts) */
} tdesc_kind;

/* Which vector registers the description has. */
enum { TDESC_SSE, TDESC_AVX, TDESC_AVX512 };

typedef struct tdesc_reg {
  const char *name;
  int size; /* bytes */
  int kind; /* tdesc_kind */
  int at;
} tdesc_reg;

/* The target description gdb reads with qXfer:features:read:target.xml;
 * level TDESC_AVX: with org.gnu.gdb.i386.avx (ymm0h-ymm15h), TDESC_AVX512:
 * and org.gnu.gdb.i386.avx512 (xmm16-31, ymm16h-31h, k0-7, zmm0h-31h). */
const char *tdesc_xml(int level);
int tdesc_nregs(int level);
/* gdb's register number regno; NULL: none. */
const tdesc_reg *tdesc_reg_at(int regno);
/* Whether the register is one of sse_fpregs (else sse_regs). */
bool tdesc_is_fp(const tdesc_reg *d);
/* Its value (d->size bytes, little-endian) from c, or into c. */
void tdesc_get(const tdesc_reg *d, const gs_regcache *c, uint8_t *out);
void tdesc_set(const tdesc_reg *d, gs_regcache *c, const uint8_t *in);

/* ------------------------------------------------------------ session */

#define GS_MAX_BPS 256

typedef struct gs_bp {
  int type;          /* Z type: 0 sw, 1 hw, 2 write, 3 read, 4 access */
  uint64_t addr;
  int len;
  int id;            /* sse's id; 0: free slot */
  bool removed;      /* gdb removed it; still in sse until the next resume */
} gs_bp;

/* resume.c: how the main thread learns of a command's stop. */
typedef struct gs_waiter gs_waiter;

/* How vRun starts a program (spawnenv.c). */
typedef struct gs_spawn_cfg {
  bool aslr;          /* QDisableRandomization:0 */
  bool no_shell;      /* QStartupWithShell:0, --no-startup-with-shell: exec
                         the program itself, not $SHELL -c exec PROG */
  char *cwd;          /* QSetWorkingDir; NULL: the server's */
  char **env;         /* NULL-terminated; NULL: the server's environment */
  size_t nenv;
  char **argv;        /* the last program run: an empty vRun name runs it */
} gs_spawn_cfg;

typedef struct gs_session {
  sse_engine *eng;    /* one engine per program: NULL when there is none */
  sse_process *proc;
  pid_t pid;
  bool attached;      /* --attach or vAttach: detach at the end, not kill */
  bool multi;         /* --multi: serve without a program, and another
                         client after this one */
  bool extended;      /* '!': the session outlives its program */
  bool stdio;         /* the protocol on stdio: the program writes to 2 */
  int vec;            /* TDESC_*: the vector state the program's threads have */
  gs_spawn_cfg cfg;
  rsp_conn conn;
  bool multiprocess;  /* the client said multiprocess+: p<pid>.<tid> ids */
  pid_t g_tid;        /* Hg: the thread of g/G/p/P/m/M; 0 any */
  pid_t c_tid;        /* Hc */
  sse_stop last;      /* the last stop (what '?' reports) */
  sse_regs regs;      /* regs_tid's registers since the last stop */
  pid_t regs_tid;     /* 0: none kept */
  bool last_valid;
  pid_t signal_tid;   /* the thread whose signal stop gdb must pass or
                         drop with its next resume; 0 none */
  bool pass[65];      /* QPassSignals: passed without a stop (Linux numbers) */
  bool policy_set;
  bool program[65];   /* QProgramSignals: gdb lets the program have them */
  bool program_set;   /* a QProgramSignals came */
  bool done;          /* the session ends after this reply (k, D, exit) */
  gs_bp bps[GS_MAX_BPS];
  gs_waiter *waiter;  /* the program's (one per engine) */
  gs_watch *watch;    /* serving on the tracer thread: its \x03 watcher */
  char *reply;        /* the handler's reply (RSP_PACKET_SIZE + 1) */
  size_t reply_len;
  bool conn_noack_after; /* QStartNoAckMode: no acks after this reply */
} gs_session;

/* handlers.c: hex helpers shared by the packet handlers. */
int gs_hexval(int ch);
/* A hex number (1 to 16 digits); *end after it. */
bool gs_parse_hex(const char *p, uint64_t *v, const char **end);
/* n bytes as 2n hex digits (no NUL); returns 2n. */
size_t gs_put_hex(char *dst, const uint8_t *src, size_t n);
/* n bytes from 2n hex digits; false when it is not that much hex. */
bool gs_get_hex(const char *src, uint8_t *dst, size_t n);
/* Hex text (up to the NUL or `stop`) decoded into a malloc'd string;
 * NULL when it is not hex. *end (may be NULL) after it. */
char *gs_hex_string(const char *src, char stop, const char **end);

/* The reply to a qXfer read of text (tl bytes): a is "OFF,LEN". */
void gs_reply_xfer(gs_session *s, const char *text, size_t tl, const char *a);

/* svr4.c: qXfer:libraries-svr4:read (the dynamic linker's link_map list) */
void gs_xfer_libraries_svr4(gs_session *s, char *a);

/* handlers.c: answer one packet (text/len); false when the session ends. */
bool gs_dispatch(gs_session *s, char *pkt, size_t len);

/* Reply helpers (handlers.c). */
void gs_reply(gs_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void gs_reply_error(gs_session *s, int code);
/* A thread id as the client spells it (p<pid>.<tid> or <tid>). */
int gs_format_tid(const gs_session *s, pid_t tid, char *buf, size_t cap);
/* Parse a thread id: "p1a.1b", "1b", "-1" (all: *tid -1), "0" (any: 0).
 * *end after it. False when malformed. */
bool gs_parse_tid(const char *p, pid_t *tid, const char **end);
/* The sse thread for tid (0 or -1: the last stop's, else the first). */
sse_thread *gs_thread(gs_session *s, pid_t tid);

/* vfile.c: the vFile packets (read-only access to the target's files) */
void gs_vfile_setfs(gs_session *s, char *a);
void gs_vfile_open(gs_session *s, char *a);
void gs_vfile_pread(gs_session *s, char *a);
void gs_vfile_close(gs_session *s, char *a);
void gs_vfile_fstat(gs_session *s, char *a);
void gs_vfile_readlink(gs_session *s, char *a);
void gs_vfile_unlink(gs_session *s, char *a);
void gs_vfile_close_all(void);

/* inferior.c */
/* Start argv under a new engine (the old program ended first); the
 * SPAWNED stop becomes the last stop. False with a message on stderr. */
bool gs_inferior_spawn(gs_session *s, char *const *argv);
bool gs_inferior_attach(gs_session *s, pid_t pid);
/* End the program as gdbserver does when its client leaves: killed if
 * spawned, detached (breakpoints out) if attached; the engine freed. */
void gs_inferior_end(gs_session *s);
/* Whether there is a live program. */
bool gs_inferior_live(const gs_session *s);
void gs_vrun(gs_session *s, char *a);
void gs_vattach(gs_session *s, char *a);

/* spawnenv.c */
void gs_env_set(gs_session *s, char *a);     /* QEnvironmentHexEncoded */
void gs_env_unset(gs_session *s, char *a);   /* QEnvironmentUnset */
void gs_env_reset(gs_session *s, char *a);   /* QEnvironmentReset */
void gs_set_cwd(gs_session *s, char *a);     /* QSetWorkingDir */
void gs_no_aslr(gs_session *s, char *a);     /* QDisableRandomization */
void gs_startup_shell(gs_session *s, char *a); /* QStartupWithShell */
void gs_spawn_cfg_free(gs_spawn_cfg *c);

/* breaks.c: Z and z, gdb's removals kept until the next resume */
void gs_insert_bp(gs_session *s, char *a);
void gs_remove_bp(gs_session *s, char *a);
/* Remove from sse the breakpoints gdb removed (before a resume). */
void gs_breaks_sync(gs_session *s);
/* Whether gdb has a breakpoint (Z0/Z1) at pc. */
bool gs_at_breakpoint(const gs_session *s, uint64_t pc);
/* gdb's breakpoint or watchpoint sse reported as id; NULL: none. */
const gs_bp *gs_bp_by_id(const gs_session *s, int id);

/* regs.c: the register packets */
void gs_read_regs(gs_session *s, char *a);  /* g */
void gs_write_regs(gs_session *s, char *a); /* G */
void gs_read_reg(gs_session *s, char *a);   /* p */
void gs_write_reg(gs_session *s, char *a);  /* P */

/* resume.c */
/* Resume as vCont says ("c", "s", "C05", "S05", "r1000,1010", with
 * ":tid" after each action, ';' between): runs the command, watches the
 * connection for \x03, and puts the stop reply in s->reply. */
void gs_resume(gs_session *s, const char *actions);
/* The stop waiter of a new engine's program; NULL when out of memory. */
gs_waiter *gs_waiter_new(sse_engine *eng, sse_process *proc);
/* After sse_engine_free. NULL: nothing. */
void gs_waiter_free(gs_waiter *w);
/* Fill s->reply with the stop reply for st. */
void gs_stop_reply(gs_session *s, const sse_stop *st);
/* Linux signal number <-> gdb's (the protocol's) signal number. */
int gs_sig_to_gdb(int linux_sig);
int gs_sig_from_gdb(int gdb_sig);
/* Signals with pass[sig] go to the program without a stop; every other
 * one stops it and is reported (gdb decides whether to deliver it). */
void gs_set_signal_policy(gs_session *s, const bool pass[65]);

#endif
