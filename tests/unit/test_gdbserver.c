/* test_gdbserver.c — sse-gdbserver driven by real gdb over loopback TCP.
 *
 * Each test starts build/sse-gdbserver on 127.0.0.1:0 (it prints the port
 * it got, "Listening on port N", as gdbserver does) and connects gdb, or a
 * raw socket for the bad-input cases. The stop sequences of step, next,
 * finish and stepi must equal native gdb's on the same program
 * (tests/oracle/gdb_steps.py, through SSE_ORACLE_REMOTE for the remote
 * run). The server and its target are killed on every exit path (.fini). */
#include "oracle.h"
#include "test_gdbserver.h"

TestSuite(gdbserver, .fini = cleanup, .timeout = 90);

/* ------------------------------------------------------------ step sequences */

/* The stops of CMDS (COUNT times) from a breakpoint at START: native gdb's
 * and gdb's through sse-gdbserver must be the same, stop for stop. */
static void same_stops_handle(const char *prog, const char *start, const char *cmds,
                              int count, const char *handle) {
  oracle_stop *nat = NULL, *rem = NULL;
  size_t nn = 0, nr = 0;
  cr_assert_eq(oracle_gdb_steps(prog, NULL, start, cmds, count, handle, NULL, &nat, &nn), 0,
               "native gdb did not run");
  server_start_prog(prog);
  char hp[64];
  snprintf(hp, sizeof hp, "127.0.0.1:%d", g_port);
  setenv("SSE_ORACLE_REMOTE", hp, 1);
  int rc = oracle_gdb_steps(prog, NULL, start, cmds, count, handle, NULL, &rem, &nr);
  unsetenv("SSE_ORACLE_REMOTE");
  cr_assert_eq(rc, 0, "remote gdb did not run");
  cr_assert_gt(nn, 3, "native gdb: %zu stops", nn);
  for (size_t i = 0; i < nn && i < nr; i++) {
    cr_assert_str_eq(nat[i].error, rem[i].error, "stop %zu: error \"%s\" vs \"%s\"", i,
                     nat[i].error, rem[i].error);
    if (nat[i].error[0]) continue; /* a command both refused ("finish" in main) */
    cr_assert_eq(nat[i].exited, rem[i].exited, "stop %zu: exit differs", i);
    if (nat[i].exited) {
      cr_assert_eq(nat[i].exit_code, rem[i].exit_code);
      continue;
    }
    cr_assert_str_eq(nat[i].function, rem[i].function, "stop %zu: %s:%d vs %s:%d", i,
                     nat[i].function, nat[i].line, rem[i].function, rem[i].line);
    cr_assert_str_eq(nat[i].file, rem[i].file, "stop %zu", i);
    cr_assert_eq(nat[i].line, rem[i].line, "stop %zu: %s line %d vs %d", i, nat[i].function,
                 nat[i].line, rem[i].line);
    cr_assert_eq(nat[i].pc, rem[i].pc, "stop %zu: pc %#lx vs %#lx", i, nat[i].pc, rem[i].pc);
  }
  cr_assert_eq(nn, nr, "native %zu stops, remote %zu", nn, nr);
  oracle_free(nat);
  oracle_free(rem);
  cr_assert_eq(server_wait(), 0, "the server did not end with the session");
}

static void same_stops(const char *prog, const char *start, const char *cmds, int count) {
  same_stops_handle(prog, start, cmds, count, NULL);
}

Test(gdbserver, step_sequence_equals_native) {
  same_stops(tgt("loops_calls"), "square", "step", 60);
}

Test(gdbserver, next_sequence_equals_native) {
  same_stops(tgt("loops_calls"), "main", "next", 40);
}

Test(gdbserver, stepi_and_finish_equal_native) {
  same_stops(tgt("loops_calls"), "sum_squares", "stepi,stepi,step,finish,next,step", 8);
}

/* main to the exit handlers: glibc with its debuginfo, PLT stubs and
 * __do_global_dtors_aux, which has no unwind information. */
/* Lines of many instructions and branches (whole loops on one line), and
 * a line that calls the same function twice: after the first call returns
 * into the middle of the line, gdb's next vCont;r must stop at the return
 * address, or gdb takes the second call's entry for a new line. */
Test(gdbserver, step_long_lines_equals_native) {
  same_stops(tgt("long_lines"), "main", "step", 60);
}

Test(gdbserver, step_whole_program_equals_native, .timeout = 150) {
  same_stops(tgt("loops_calls"), "main", "step", 500);
}

/* raise() in the stepped line: the signal stop after the tgkill system
 * call, the handler stepped into and out of through rt_sigreturn. */
Test(gdbserver, step_through_signal_handler_equals_native) {
  same_stops(tgt("signal_next"), "work", "step", 40);
}

/* stepi through raise(): over its tgkill system call (the signal is
 * reported after the step, as a single step reports it) into the handler
 * and back out through rt_sigreturn. */
Test(gdbserver, stepi_through_raise_equals_native) {
  same_stops(tgt("signal_next"), "raise", "stepi", 120);
}

Test(gdbserver, next_stepi_over_signals_equal_native) {
  same_stops(tgt("signal_next"), "work", "next,stepi,next", 12);
}

/* handle SIGUSR1 nostop noprint: gdb's QPassSignals lets it through
 * unseen; `next` runs over the handler, `step` may stop in it. */
Test(gdbserver, pass_signals_equal_native) {
  same_stops_handle(tgt("signal_next"), "work", "next,step", 10,
                    "SIGUSR1 nostop noprint pass");
}

Test(gdbserver, step_through_libc_calls_equals_native) {
  same_stops(tgt("libc_calls"), "main", "next,step", 12);
}

/* ------------------------------------------------------------ gdb sessions */

Test(gdbserver, breakpoint_bt_print_registers) {
  server_start_prog(tgt("loops_calls"));
  const char *cmds[] = {"break square", "continue", "bt", "print x", "info registers rip",
                        "print $pc == $rip", "p/x $fs_base != 0", "kill", NULL};
  char *out = run_gdb(tgt("loops_calls"), cmds);
  cr_assert(strstr(out, "Breakpoint 1, square (x=0)"), "%s", out);
  cr_assert(strstr(out, "#1  0x") && strstr(out, "in sum_squares (n=5)"), "%s", out);
  cr_assert(strstr(out, "in main () at"), "%s", out);
  cr_assert(strstr(out, "$1 = 0"), "%s", out);
  cr_assert(strstr(out, "<square+"), "%s", out);
  cr_assert(strstr(out, "$2 = 1"), "%s", out);
  cr_assert(strstr(out, "$3 = 0x1"), "%s", out);
  free(out);
  cr_assert_eq(server_wait(), 0);
}

Test(gdbserver, threads_listed_and_switched) {
  const char *args[] = {"127.0.0.1:0", tgt("threads4"), "50", NULL};
  server_start(args);
  const char *cmds[] = {"break worker_tick", "continue", "info threads", "thread 1",
                        "bt", "kill", NULL};
  char *out = run_gdb(tgt("threads4"), cmds);
  cr_assert(strstr(out, "hit Breakpoint 1, worker_tick (id="), "%s", out);
  cr_assert(strstr(out, "* 2    Thread "), "%s", out);
  cr_assert(strstr(out, "\"threads4\" worker_tick"), "%s", out); /* its name */
  cr_assert(strstr(out, "[Switching to thread 1 (Thread "), "%s", out);
  cr_assert(strstr(out, "in main (argc=2"), "%s", out);
  free(out);
  cr_assert_eq(server_wait(), 0);
}

Test(gdbserver, stdio_transport) {
  char *cmd;
  cr_assert(asprintf(&cmd,
                     "timeout -s KILL 60 gdb -batch -nx -ex 'target remote | %s - %s' "
                     "-ex 'break tick' -ex continue -ex 'print g_ticks' -ex delete "
                     "-ex continue %s 2>&1",
                     server_bin(), tgt("detach_target"), tgt("detach_target")) > 0);
  FILE *f = popen(cmd, "r");
  free(cmd);
  cr_assert(f);
  char buf[65536];
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  buf[n] = 0;
  pclose(f);
  cr_assert(strstr(buf, "Breakpoint 1, tick ()"), "%s", buf);
  cr_assert(strstr(buf, "$1 = 0"), "%s", buf);
  /* the program's stdout goes to the server's stderr, not the protocol */
  cr_assert(strstr(buf, "done 1000"), "%s", buf);
  cr_assert(strstr(buf, "exited normally"), "%s", buf);
}

/* SIGUSR1 (Linux 10) is gdb's 30 on the wire; continuing passes it, and
 * the program exits 0 only when its handler ran twice. */
Test(gdbserver, signals_reported_and_passed) {
  server_start_prog(tgt("signal_next"));
  const char *cmds[] = {"continue", "continue", "continue", NULL};
  char *out = run_gdb(tgt("signal_next"), cmds);
  char *first = strstr(out, "Program received signal SIGUSR1");
  cr_assert(first && strstr(first + 1, "Program received signal SIGUSR1"), "%s", out);
  cr_assert(strstr(out, "exited normally"), "%s", out);
  free(out);
  cr_assert_eq(server_wait(), 0);
}

/* gdb given no program: it asks for its path (qXfer:exec-file:read) and
 * reads it and its libraries through vFile. */
Test(gdbserver, program_and_libraries_read_from_target) {
  server_start_prog(tgt("loops_calls"));
  const char *cmds[] = {"break square", "continue", "bt", "info sharedlibrary", "kill", NULL};
  char *out = run_gdb("", cmds);
  cr_assert(strstr(out, "Breakpoint 1, square (x=0)"), "%s", out);
  cr_assert(strstr(out, "in main () at"), "%s", out);
  cr_assert(strstr(out, "target:/lib/x86_64-linux-gnu/libc.so.6"), "%s", out);
  free(out);
  cr_assert_eq(server_wait(), 0);
}

Test(gdbserver, continue_to_exit_code) {
  server_start_prog(tgt("loops_calls"));
  const char *cmds[] = {"break bump", "continue", "delete", "continue", NULL};
  char *out = run_gdb(tgt("loops_calls"), cmds);
  cr_assert(strstr(out, "Breakpoint 1, bump ()"), "%s", out);
  cr_assert(strstr(out, "exited with code 07"), "%s", out);
  free(out);
  cr_assert_eq(server_wait(), 0);
}

Test(gdbserver, hardware_watchpoint) {
  server_start_prog(tgt("loops_calls"));
  const char *cmds[] = {"break main", "continue", "watch global_acc", "continue",
                        "continue", "kill", NULL};
  char *out = run_gdb(tgt("loops_calls"), cmds);
  cr_assert(strstr(out, "Hardware watchpoint 2: global_acc"), "%s", out);
  cr_assert(strstr(out, "Old value = 0") && strstr(out, "New value = 1"), "%s", out);
  cr_assert(strstr(out, "New value = 2"), "%s", out);
  cr_assert(strstr(out, "bump () at"), "%s", out);
  free(out);
  cr_assert_eq(server_wait(), 0);
}

Test(gdbserver, kill_ends_target_and_server) {
  server_start_prog(tgt("long_loop"));
  const char *cmds[] = {"break spin", "continue", "info inferiors", "kill", NULL};
  char *out = run_gdb(tgt("long_loop"), cmds);
  cr_assert(strstr(out, "Breakpoint 1, spin"), "%s", out);
  char *p = strstr(out, "process ");
  cr_assert(p, "%s", out);
  int tpid = atoi(p + 8);
  cr_assert_gt(tpid, 0);
  free(out);
  cr_assert_eq(server_wait(), 0);
  /* the server reaped it: no such process */
  cr_assert(kill(tpid, 0) != 0 && errno == ESRCH, "target %d still there", tpid);
}

Test(gdbserver, detach_lets_program_finish) {
  server_start_prog(tgt("detach_target"));
  const char *cmds[] = {"break tick", "continue", "continue", "detach", NULL};
  char *out = run_gdb(tgt("detach_target"), cmds);
  cr_assert(strstr(out, "Breakpoint 1, tick ()"), "%s", out);
  cr_assert(strstr(out, "[Inferior 1 (process ") && strstr(out, ") detached]"), "%s", out);
  free(out);
  cr_assert_eq(server_wait(), 0);
  /* the program runs on untraced, breakpoints out: it prints its line */
  char buf[256] = "";
  for (int i = 0; i < 500 && !strstr(buf, "done 1000"); i++) {
    FILE *f = fopen(g_out, "r");
    if (f) {
      size_t n = fread(buf, 1, sizeof buf - 1, f);
      buf[n] = 0;
      fclose(f);
    }
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  cr_assert(strstr(buf, "done 1000"), "program output: \"%s\"", buf);
}

Test(gdbserver, attach_bt_detach) {
  pid_t v = fork();
  cr_assert(v >= 0);
  if (v == 0) {
    int o = open("/dev/null", O_WRONLY);
    dup2(o, 1);
    execl(tgt("long_loop"), "long_loop", "4000000000", (char *)NULL);
    _exit(127);
  }
  g_victim = v;
  struct timespec ts = {0, 100 * 1000 * 1000};
  nanosleep(&ts, NULL);
  char pid[32];
  snprintf(pid, sizeof pid, "%d", (int)v);
  const char *args[] = {"--attach", "127.0.0.1:0", pid, NULL};
  server_start(args);
  const char *cmds[] = {"bt", "detach", NULL};
  char *out = run_gdb(tgt("long_loop"), cmds);
  cr_assert(strstr(out, "spin (n=4000000000)"), "%s", out);
  cr_assert(strstr(out, "[Inferior 1 (process ") && strstr(out, ") detached]"), "%s", out);
  free(out);
  cr_assert_eq(server_wait(), 0);
  /* detached, still running (not stopped, not killed) */
  int st;
  cr_assert_eq(waitpid(v, &st, WNOHANG), 0, "the program ended or stopped");
  char path[64], stat[512] = "";
  snprintf(path, sizeof path, "/proc/%d/stat", (int)v);
  FILE *f = fopen(path, "r");
  cr_assert(f);
  size_t n = fread(stat, 1, sizeof stat - 1, f);
  stat[n] = 0;
  fclose(f);
  char *rp = strrchr(stat, ')');
  cr_assert(rp && (rp[2] == 'R' || rp[2] == 'S'), "state: %s", stat);
}

/* ------------------------------------------------------------ raw protocol */

Test(gdbserver, bad_input_gets_nack_and_errors) {
  server_start_prog(tgt("loops_calls"));
  int fd = raw_connect();
  raw_send(fd, "garbage\x01\xff+-");
  raw_send(fd, "$g#00"); /* bad checksum */
  raw_expect(fd, "-");
  raw_send(fd, "$qC#zz"); /* not even hex */
  raw_expect(fd, "-");
  raw_packet(fd, "m0,4"); /* unmapped */
  raw_expect(fd, "$E14#");
  raw_packet(fd, "m,4"); /* malformed */
  raw_expect(fd, "$E16#");
  raw_packet(fd, "Z0,0,1"); /* a breakpoint at 0 */
  raw_expect(fd, "$E");
  raw_packet(fd, "p99999");
  raw_expect(fd, "$E16#");
  raw_packet(fd, "vCont;q");
  raw_expect(fd, "$E16#");
  raw_packet(fd, "vFile:open:2f6574632f706173737764,1,1a4"); /* write: refused */
  raw_expect(fd, "$F-1,d#");
  raw_packet(fd, "vFile:pread:5,10,0"); /* not a file we opened */
  raw_expect(fd, "$F-1,9#");
  raw_packet(fd, "qNoSuchThing"); /* unknown: the empty reply */
  raw_expect(fd, "$#00");
  char big[RSP_BIG];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = 0;
  raw_send(fd, "$");
  raw_send(fd, big);
  raw_send(fd, "#00");
  raw_expect(fd, "-"); /* its checksum is wrong as well: nacked */
  raw_packet(fd, "?"); /* still serving */
  raw_expect(fd, "$T05thread:");
  close(fd);
  cr_assert_eq(server_wait(), 0);
}


Test(gdbserver, interrupt_running_loop) {
  const char *args[] = {"127.0.0.1:0", tgt("long_loop"), "4000000000", NULL};
  server_start(args);
  int fd = raw_connect();
  raw_packet(fd, "QStartNoAckMode");
  raw_expect(fd, "$OK#9a");
  raw_packet(fd, "vCont;c");
  struct timespec ts = {0, 300 * 1000 * 1000};
  nanosleep(&ts, NULL);
  raw_send(fd, "\x03");
  raw_expect(fd, "$T02thread:");
  raw_packet(fd, "vKill;1");
  raw_expect(fd, "$OK");
  close(fd);
  cr_assert_eq(server_wait(), 0);
}

/* The client goes away while the program runs: stopped, then killed. */
Test(gdbserver, disconnect_while_running_kills_target) {
  const char *args[] = {"127.0.0.1:0", tgt("long_loop"), "4000000000", NULL};
  server_start(args);
  int fd = raw_connect();
  long tid = raw_current_thread(fd);
  raw_send(fd, "+");
  raw_packet(fd, "vCont;c");
  struct timespec ts = {0, 200 * 1000 * 1000};
  nanosleep(&ts, NULL);
  close(fd);
  cr_assert_eq(server_wait(), 0);
  cr_assert(kill((pid_t)tid, 0) != 0 && errno == ESRCH, "target %ld still there", tid);
}

Test(gdbserver, disconnect_kills_spawned_target) {
  server_start_prog(tgt("long_loop"));
  int fd = raw_connect();
  long tid = raw_current_thread(fd);
  close(fd);
  cr_assert_eq(server_wait(), 0);
  cr_assert(kill((pid_t)tid, 0) != 0 && errno == ESRCH, "target %ld still there", tid);
}

/* Random packets (a fixed seed): every one answered, the server alive.
 * Packets that resume or end the session (c s C S vCont k D vKill) are
 * left out; the rest get random arguments after a real packet's name. */
Test(gdbserver, random_packets_never_crash) {
  server_start_prog(tgt("loops_calls"));
  int fd = raw_connect();
  raw_packet(fd, "QStartNoAckMode");
  raw_expect(fd, "$OK#9a");
  static const char *const names[] = {
      "g", "G", "p", "P", "m", "M", "X", "Z", "z", "H", "T", "?", "qSupported:",
      "qXfer:features:read:", "qXfer:threads:read:", "qXfer:auxv:read:",
      "qXfer:exec-file:read:", "qC", "qfThreadInfo", "qsThreadInfo", "qAttached",
      "vFile:open:", "vFile:pread:", "vFile:close:", "vFile:fstat:", "vFile:readlink:",
      "vFile:setfs:", "vCont?", "q", "Q", "v", ""};
  static const char alphabet[] = "0123456789abcdefABCDEF,:;.-px}*#$ZMmgq";
  unsigned seed = 12345;
  char body[600];
  for (int i = 0; i < 3000; i++) {
    seed = seed * 1103515245u + 12345u;
    const char *n = names[(seed >> 8) % (sizeof names / sizeof names[0])];
    size_t len = strlen(n);
    memcpy(body, n, len);
    seed = seed * 1103515245u + 12345u;
    size_t extra = (seed >> 8) % 40;
    for (size_t k = 0; k < extra; k++) {
      seed = seed * 1103515245u + 12345u;
      char c = alphabet[(seed >> 8) % (sizeof alphabet - 1)];
      if (c == '#' || c == '$') c = '0'; /* framing characters stay out */
      body[len++] = c;
    }
    body[len] = 0;
    if (strchr("cCsSDk", body[0]) && body[0]) body[0] = 'm'; /* no resume, no end */
    raw_packet(fd, body);
    raw_expect(fd, "#"); /* one reply each (no acks: no-ack mode) */
  }
  raw_packet(fd, "?");
  raw_expect(fd, "$T05thread:");
  close(fd);
  cr_assert_eq(server_wait(), 0);
}

/* hbreak (Z1): a debug register, not an int3. The stops equal native
 * gdb's; while stopped there the program's code byte at the pc, read from
 * /proc/PID/mem behind sse's back, is the original one (with `break` it
 * is sse's int3, 0xcc). */
static char *code_byte_session(const char *how) {
  server_start_prog(tgt("loops_calls"));
  char bp[64];
  snprintf(bp, sizeof bp, "%s square", how);
  const char *cmds[] = {bp, "continue",
                        "python f = open(\"/proc/%d/mem\" % gdb.selected_inferior().pid, \"rb\"); "
                        "f.seek(int(gdb.parse_and_eval(\"$pc\"))); print(\"BYTE\", f.read(1).hex())",
                        "continue", "next", "continue", "kill", NULL};
  char *out = run_gdb(tgt("loops_calls"), cmds);
  cr_assert_eq(server_wait(), 0);
  return out;
}

Test(gdbserver, hardware_breakpoint_writes_no_int3) {
  /* natively gdb has hardware breakpoints once the program runs */
  const char *cmds[] = {"break main", "run", "hbreak square", "continue", "continue", "next",
                        "continue", "kill", NULL};
  char *nat = run_gdb_target(NULL, tgt("loops_calls"), cmds);
  char *hw = code_byte_session("hbreak");
  const char *want[] = {"Hardware assisted breakpoint ", ", square (x=0) at tests/targets/loops_calls.c:11",
                        ", square (x=1) at tests/targets/loops_calls.c:11", "\n12\t    return r;",
                        ", square (x=2) at tests/targets/loops_calls.c:11"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    cr_assert(strstr(nat, want[i]), "native lacks %s: %s", want[i], nat);
    cr_assert(strstr(hw, want[i]), "remote lacks %s: %s", want[i], hw);
  }
  cr_assert(strstr(hw, "BYTE ") && !strstr(hw, "BYTE cc"), "%s", hw);
  char *sw = code_byte_session("break");
  cr_assert(strstr(sw, "BYTE cc"), "%s", sw);
  free(nat);
  free(hw);
  free(sw);
}
