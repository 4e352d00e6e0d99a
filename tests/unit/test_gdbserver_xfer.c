/* test_gdbserver_xfer.c — what gdb reads through sse-gdbserver beyond
 * memory and general registers, compared with native gdb on the same
 * program: the library list (qXfer:libraries-svr4:read) with a library
 * dlopen()ed at run time; the x87, SSE and AVX registers (target
 * description, g/p/P); $_siginfo (qXfer:siginfo:read). */
#include "test_gdbserver.h"

TestSuite(gdbserver_xfer, .fini = cleanup, .timeout = 90);

/* The rows of `info sharedlibrary` ("0x... 0x... Yes PATH"), "target:"
 * taken out of the paths, one per line. */
static char *library_rows(const char *out) {
  char *rows = NULL;
  size_t rl = 0;
  FILE *m = open_memstream(&rows, &rl);
  const char *p = strstr(out, "Shared Object Library");
  for (p = p ? strchr(p, '\n') : NULL; p && p[1] == '0' && p[2] == 'x'; p = strchr(p + 1, '\n')) {
    const char *e = strchr(p + 1, '\n');
    size_t n = e ? (size_t)(e - p - 1) : strlen(p + 1);
    char line[1024];
    snprintf(line, sizeof line, "%.*s", (int)n, p + 1);
    char *t = strstr(line, "target:");
    if (t) memmove(t, t + 7, strlen(t + 7) + 1);
    fprintf(m, "%s\n", line);
  }
  fclose(m);
  return rows;
}

/* dlopen_main loads libdl_target.so: a pending breakpoint in it is hit,
 * and `info sharedlibrary` there equals native gdb's, row for row (same
 * addresses: ASLR is off in both). gdb took the list from the server's
 * link_map walk (the packet detected as supported). */
Test(gdbserver_xfer, dlopened_library_through_libraries_svr4) {
  const char *prog = tgt("dlopen_main");
  const char *cmds[] = {"set breakpoint pending on", "break dl_work", "run", "bt",
                        "info sharedlibrary", "kill", NULL};
  char *nat = run_gdb_target(NULL, prog, cmds);
  cr_assert(strstr(nat, "Breakpoint 1, dl_work (n=4)"), "native: %s", nat);
  server_start_prog(prog);
  const char *rcmds[] = {"set breakpoint pending on", "break dl_work", "continue", "bt",
                         "info sharedlibrary", "show remote library-info-svr4-packet", "kill",
                         NULL};
  char *rem = run_gdb(prog, rcmds);
  cr_assert(strstr(rem, "Breakpoint 1, dl_work (n=4)"), "%s", rem);
  cr_assert(strstr(rem, "in main (argc=1"), "%s", rem);
  /* gdb asked for the list: it reads no link_map itself */
  cr_assert(strstr(rem, "libraries-svr4:read' packet is auto-detected, currently enabled"),
            "%s", rem);
  char *rn = library_rows(nat), *rr = library_rows(rem);
  cr_assert(strstr(rn, "libdl_target.so"), "native rows: %s", rn);
  cr_assert_str_eq(rr, rn, "remote rows:\n%s\nnative rows:\n%s", rr, rn);
  free(rn);
  free(rr);
  free(nat);
  free(rem);
  cr_assert_eq(server_wait(), 0);
}

/* Before the dynamic linker ran, the list is empty; its annex and offsets
 * are checked. */
Test(gdbserver_xfer, libraries_svr4_raw_replies) {
  server_start_prog(tgt("dlopen_main"));
  int fd = raw_connect();
  raw_packet(fd, "QStartNoAckMode");
  raw_expect(fd, "$OK#9a");
  raw_packet(fd, "qXfer:libraries-svr4:read::0,fff");
  raw_expect(fd, "$l<library-list-svr4 version=\"1.0\"></library-list-svr4>#");
  raw_packet(fd, "qXfer:libraries-svr4:read::5,3");
  raw_expect(fd, "$mary#");
  raw_packet(fd, "qXfer:libraries-svr4:read:start=zz:0,fff");
  raw_expect(fd, "$E16#");
  raw_packet(fd, "qXfer:libraries-svr4:read:0,fff");
  raw_expect(fd, "$E16#");
  close(fd);
  cr_assert_eq(server_wait(), 0);
}

/* What gdb prints from the first "Breakpoint 1, " on. */
static const char *from_stop(const char *out) {
  const char *p = strstr(out, "Breakpoint 1, ");
  cr_assert(p, "%s", out);
  return p;
}

/* fp_regs stops in fp_here with known x87, SSE and AVX values: gdb
 * prints the same through the server as natively, the x87 control words
 * (the full tag word made from FXSAVE's abridged one) included. */
Test(gdbserver_xfer, fp_registers_equal_native) {
  const char *prog = tgt("fp_regs");
  const char *cmds[] = {"break fp_here", "run",
                        "info registers xmm0 xmm1 xmm3 st0 st1 fctrl fstat ftag fiseg fioff "
                        "foseg fooff fop mxcsr",
                        "p $xmm0", "p $xmm1.v2_double", "p $ymm3", "p $ymm3.v8_float",
                        "info registers ymm3", "p $st0", "info registers float", "kill", NULL};
  char *nat = run_gdb_target(NULL, prog, cmds);
  cr_assert(strstr(nat, "v8_float = {1, 2, 3, 4, 5, 6, 7, 8}"), "native: %s", nat);
  server_start_prog(prog);
  cmds[1] = "continue";
  char *rem = run_gdb(prog, cmds);
  const char *n = from_stop(nat), *r = from_stop(rem);
  /* up to the kill: native says "[Inferior 1 (process N) killed]" too */
  size_t nl = (size_t)(strstr(n, "[Inferior 1") - n), rl = (size_t)(strstr(r, "[Inferior 1") - r);
  cr_assert(nl > 0 && rl > 0);
  cr_assert(nl == rl && !memcmp(n, r, nl), "remote:\n%.*s\nnative:\n%.*s", (int)rl, r, (int)nl,
            n);
  cr_assert(strstr(r, "$1 = {v8_bfloat16 = "), "%s", r);
  cr_assert(strstr(r, "{1.5, -2.25}"), "%s", r);
  cr_assert(strstr(r, "$5 = 3.25"), "%s", r);
  free(nat);
  free(rem);
  cr_assert_eq(server_wait(), 0);
}

/* Written through P (gdb writes a whole register): the program reads
 * xmm1 and ymm3 back after fp_here returns and says with its exit code. */
Test(gdbserver_xfer, fp_registers_written) {
  server_start_prog(tgt("fp_regs"));
  const char *cmds[] = {"break fp_here", "continue", "set var $xmm1.v2_double[0] = 42.5",
                        "set var $ymm3.v8_float[7] = 9", "set var $st0 = 1.0",
                        "p $xmm1.v2_double", "p $ymm3.v8_float", "p $st0", "continue", NULL};
  char *out = run_gdb(tgt("fp_regs"), cmds);
  cr_assert(strstr(out, "$1 = {42.5, -2.25}"), "%s", out);
  cr_assert(strstr(out, "$2 = {1, 2, 3, 4, 5, 6, 7, 9}"), "%s", out);
  cr_assert(strstr(out, "$3 = 1"), "%s", out);
  cr_assert(strstr(out, "exited with code 03"), "%s", out);
  free(out);
  cr_assert_eq(server_wait(), 0);
}

/* $_siginfo (qXfer:siginfo:read) at signal_next's raise(SIGUSR1): the
 * fields equal native gdb's, the sender is the program itself. */
Test(gdbserver_xfer, siginfo_of_a_signal_equals_native) {
  const char *prog = tgt("signal_next");
  const char *cmds[] = {"run", "p $_siginfo.si_signo", "p $_siginfo.si_code",
                        "p $_siginfo.si_errno", "p $_siginfo._sifields._kill.si_pid",
                        "info inferiors", "kill", NULL};
  char *nat = run_gdb_target(NULL, prog, cmds);
  server_start_prog(prog);
  cmds[0] = "continue";
  char *rem = run_gdb(prog, cmds);
  const char *want[] = {"Program received signal SIGUSR1", "$1 = 10", "$2 = -6", "$3 = 0"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    cr_assert(strstr(nat, want[i]), "native lacks %s: %s", want[i], nat);
    cr_assert(strstr(rem, want[i]), "remote lacks %s: %s", want[i], rem);
  }
  char *p = strstr(rem, "$4 = ");
  char *q = strstr(rem, "* 1    process ");
  cr_assert(p && q, "%s", rem);
  cr_assert_eq(atoi(p + 5), atoi(q + 15), "%s", rem);
  free(nat);
  free(rem);
  cr_assert_eq(server_wait(), 0);
}
