/* libFuzzer target for sse-gdbserver's packet parser: the remote serial
 * protocol's framing (rsp.c: $...#cs, acks, escapes, run-length encoding,
 * the \x03 byte) and every packet handler (handlers.c and the files it
 * dispatches to), fed as a client would feed them: the input is the byte
 * stream a client sends, read through a pipe, each packet answered.
 *
 * The handlers run against a real stopped process (tests/targets'
 * loops_calls, or $SSE_FUZZ_TARGET; spawned once, never resumed): memory,
 * registers, breakpoints and the qXfer annexes are those of a live
 * program. Packets that would run, kill, detach or replace it (vCont, c,
 * s, C, S, k, D, vKill, vRun, vAttach) are not dispatched. After each
 * input its breakpoints, opened files and spawn settings are undone.
 *
 * Built and run by tests/fuzz/run_fuzz_rsp.sh (10 s in make check). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gdbserver.h"

static gs_session S;
static char *pkt;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  const char *prog = getenv("SSE_FUZZ_TARGET");
  if (!prog || !*prog) prog = "/bin/true";
  signal(SIGPIPE, SIG_IGN);
  S.reply = malloc(RSP_PACKET_SIZE + 1);
  pkt = malloc(RSP_PACKET_SIZE + 1);
  char *argv0[] = {(char *)prog, NULL};
  if (!S.reply || !pkt || !gs_inferior_spawn(&S, argv0)) {
    fprintf(stderr, "fuzz_rsp: cannot start %s\n", prog);
    abort();
  }
  return 0;
}

/* Whether the packet may be dispatched: nothing that resumes or ends the
 * program, or starts another. */
static bool harmless(const char *p) {
  static const char *const no[] = {"vCont;", "vCont", "vKill", "vRun", "vAttach"};
  if (strchr("csCSkD", p[0]) && p[0]) return false;
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
    if (!strncmp(p, no[i], strlen(no[i])) && strcmp(p, "vCont?") != 0) return false;
  return true;
}

static void undo(void) {
  for (int i = 0; i < GS_MAX_BPS; i++)
    if (S.bps[i].id) sse_break_remove(S.proc, S.bps[i].id);
  memset(S.bps, 0, sizeof S.bps);
  gs_vfile_close_all();
  gs_spawn_cfg_free(&S.cfg);
  S.g_tid = S.c_tid = 0;
  S.extended = S.multiprocess = false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int in[2];
  if (size > 60000 || pipe(in) != 0) return 0; /* one pipe's buffer at most */
  if (write(in[1], data, size) != (ssize_t)size) abort();
  close(in[1]);
  int out = open("/dev/null", O_WRONLY | O_CLOEXEC);
  rsp_init(&S.conn, in[0], out);
  S.done = false;
  for (int n = 0; n < 10000 && !S.done; n++) {
    size_t len = 0;
    rsp_kind k = rsp_recv(&S.conn, pkt, &len);
    if (k == RSP_EOF) break;
    if (k == RSP_TOO_LONG) {
      rsp_send_str(&S.conn, "E01");
      continue;
    }
    if (k == RSP_INTERRUPT || !harmless(pkt)) continue;
    if (!gs_dispatch(&S, pkt, len)) break;
  }
  rsp_close(&S.conn);
  undo();
  return 0;
}
