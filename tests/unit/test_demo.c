/* test_demo.c — ssedemo driven as a person would use it.
 *
 * Interactive tests run ssedemo in a real terminal under tmux (a private
 * tmux server per test: -S SOCKET), type with send-keys and read the screen
 * with capture-pane. Waiting is on the terminal's screen, polled a bounded
 * number of times (never on the target). Each session is wrapped in
 * `timeout --foreground -s KILL` so that nothing outlives a test that was
 * killed (--foreground: without it timeout answers the terminal's SIGINT by
 * sending SIGCONT to the whole group, the traced program included), and the
 * server is killed on every exit path (the suite's .fini).
 *
 * Non-interactive tests run `ssedemo --batch [--json] -ex ... / -x FILE` and
 * check the output: with --json every line must be a valid JSON object. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef TARGETS_DIR
#define TARGETS_DIR "build/targets"
#endif

/* ------------------------------------------------------------ paths */

static const char *targets_dir(void) {
  const char *d = getenv("SSE_TARGETS_DIR");
  return d && *d ? d : TARGETS_DIR;
}
/* Paths live in a small ring of static buffers: nothing to free, nothing
 * leaked when an assertion leaves a test early. */
static char *path_buf(void) {
  static char bufs[8][1024];
  static int k;
  return bufs[k++ & 7];
}
static char *tgt(const char *name) {
  char *s = path_buf();
  snprintf(s, 1024, "%s/%s", targets_dir(), name);
  return s;
}
static char *demo_bin(void) {
  char *s = path_buf();
  snprintf(s, 1024, "%s/../ssedemo", targets_dir());
  cr_assert(access(s, X_OK) == 0, "ssedemo not built: %s", s);
  return s;
}

/* Run a shell command, collect its stdout (stderr too when merge); return
 * its exit status. */
static int run_capture(const char *cmd, char **out) {
  FILE *f = popen(cmd, "r");
  cr_assert(f, "popen %s", cmd);
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t r;
  while ((r = fread(buf + len, 1, cap - len - 1, f)) > 0) {
    len += r;
    if (cap - len < 1024) buf = realloc(buf, cap *= 2);
  }
  buf[len] = 0;
  int st = pclose(f);
  *out = buf;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ------------------------------------------------------------ tmux */

static char g_sock[128]; /* the private tmux server's socket (tmux -S) */

static void tmux_cleanup(void) {
  if (!g_sock[0]) return;
  char cmd[320];
  snprintf(cmd, sizeof cmd, "tmux -S %s kill-server >/dev/null 2>&1", g_sock);
  int r = system(cmd);
  (void)r;
  unlink(g_sock);
  g_sock[0] = 0;
}

static void tmux_start(const char *args) {
  static int counter;
  if (system("tmux -V >/dev/null 2>&1") != 0)
    cr_skip_test("tmux is not installed (apt-get install tmux)");
  const char *tmp = getenv("TMPDIR");
  snprintf(g_sock, sizeof g_sock, "%s/ssedemo-test-%d-%d.tmux",
           tmp && *tmp ? tmp : "/tmp", (int)getpid(), ++counter);
  char *cmd;
  cr_assert(asprintf(&cmd,
                     "tmux -S %s -f /dev/null new-session -d -s s -x 120 -y 40 "
                     "'exec timeout --foreground -s KILL 60 %s %s' >/dev/null 2>&1",
                     g_sock, demo_bin(), args) > 0);
  int r = system(cmd);
  free(cmd);
  cr_assert_eq(r, 0, "tmux new-session failed (%d)", r);
}

/* The whole screen plus scrollback, tabs as spaces. */
static char *screen(void) {
  char *cmd, *out;
  cr_assert(asprintf(&cmd, "tmux -S %s capture-pane -p -t s -S -500 2>/dev/null",
                     g_sock) > 0);
  run_capture(cmd, &out);
  free(cmd);
  return out;
}

static void keys(const char *k) { /* tmux key names: Enter, Up, C-c, Tab */
  char *cmd;
  cr_assert(asprintf(&cmd, "tmux -S %s send-keys -t s %s", g_sock, k) > 0);
  int r = system(cmd);
  free(cmd);
  cr_assert_eq(r, 0);
}

static void type_text(const char *text) { /* literally, no Enter */
  char *cmd;
  cr_assert(asprintf(&cmd, "tmux -S %s send-keys -t s -l '%s'", g_sock, text) >
            0);
  int r = system(cmd);
  free(cmd);
  cr_assert_eq(r, 0);
}

static void type_line(const char *text) {
  type_text(text);
  keys("Enter");
}

static int count_of(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
  return n;
}

/* A line of the screen that starts with `prefix` (a source line "51 ..."). */
static int lines_starting(const char *scr, const char *prefix) {
  int n = 0;
  size_t pl = strlen(prefix);
  for (const char *p = scr; p && *p;) {
    if (!strncmp(p, prefix, pl)) n++;
    p = strchr(p, '\n');
    if (p) p++;
  }
  return n;
}

static void nap(void) {
  struct timespec ts = {0, 50 * 1000 * 1000};
  nanosleep(&ts, NULL);
}

/* Poll the screen until `needle` appears at least `times` times (or, with
 * line_start, a line starts with it). Bounded: about 15 s. */
static char *wait_screen(const char *needle, int times, bool line_start) {
  char *s = NULL;
  for (int i = 0; i < 300; i++) {
    free(s);
    s = screen();
    int n = line_start ? lines_starting(s, needle) : count_of(s, needle);
    if (n >= times) return s;
    nap();
  }
  cr_assert_fail("waited for \"%s\" x%d; the screen:\n%s", needle, times, s);
  return s;
}

static int prompts(void) {
  char *s = screen();
  int n = count_of(s, "(sse)");
  free(s);
  return n;
}

/* Type a command and wait for its output and the next prompt. */
static char *command(const char *line, const char *expect, bool line_start) {
  int before = prompts();
  int exp_before = 0;
  if (expect) {
    char *s = screen();
    exp_before = line_start ? lines_starting(s, expect) : count_of(s, expect);
    free(s);
  }
  type_line(line);
  if (expect) free(wait_screen(expect, exp_before + 1, line_start));
  return wait_screen("(sse)", before + 1, false);
}

static void session_ended(void) {
  char cmd[320];
  snprintf(cmd, sizeof cmd, "tmux -S %s has-session -t s >/dev/null 2>&1",
           g_sock);
  for (int i = 0; i < 200; i++) {
    if (system(cmd) != 0) return;
    nap();
  }
  cr_assert_fail("ssedemo did not exit after quit");
}

TestSuite(demo, .fini = tmux_cleanup);

/* ------------------------------------------------------------ tmux tests */

Test(demo, break_run_next_history_repeat, .timeout = 60) {
  char *prog = tgt("loops_calls");
  tmux_start(prog);
  free(wait_screen("(sse)", 1, false));
  free(command("break main", "Breakpoint 1 at 0x", false));
  char *s = command("run", "Breakpoint 1, main () at loops_calls.c:50", false);
  cr_assert(lines_starting(s, "50 "), "source line 50 shown:\n%s", s);
  free(s);
  free(command("next", "51 ", true));
  /* an empty line repeats `next` */
  free(command("", "52 ", true));
  /* Up recalls `next` from the history; Enter runs it */
  int before = prompts();
  keys("Up");
  free(wait_screen("(sse) next", 2, false));
  keys("Enter");
  free(wait_screen("53 ", 1, true));
  free(wait_screen("(sse)", before + 1, false));
  /* a bad command: one line of error, the session goes on */
  s = command("frobnicate 3", "Undefined command: \"frobnicate\"", false);
  free(s);
  s = command("info registers rip", "rip            0x", false);
  cr_assert(strstr(s, "<main+"), "rip symbolized:\n%s", s);
  free(s);
  s = command("bt", "#0  main () at loops_calls.c:53", false);
  free(s);
  type_line("quit");
  session_ended();
}

/* Not run under TSan: its runtime defers signal handlers to its own safe
 * points, so the terminal's ^C reaches ssedemo's handler only by luck of
 * timing. The library's interrupt path is covered under TSan by
 * test_memory (sse_interrupt from another thread). */
#ifndef __SANITIZE_THREAD__
Test(demo, ctrl_c_interrupts_a_running_continue, .timeout = 60) {
  char *prog = tgt("long_loop");
  char *args;
  cr_assert(asprintf(&args, "%s 1000000000000", prog) > 0);
  tmux_start(args);
  free(wait_screen("(sse)", 1, false));
  int before = prompts();
  type_line("run");
  free(wait_screen("Starting program:", 1, false));
  /* the prompt must not come back on its own: the loop runs for hours */
  for (int i = 0; i < 6; i++) nap();
  cr_assert_eq(prompts(), before, "the program stopped by itself?");
  keys("C-c");
  char *s = wait_screen("(sse)", before + 1, false);
  cr_assert(strstr(s, "Program received signal SIGINT") ||
                strstr(s, "Interrupted."),
            "stop reported:\n%s", s);
  cr_assert(strstr(s, "spin (n=1000000000000) at long_loop.c:") ||
                strstr(s, "in spin (n=1000000000000) at long_loop.c:"),
            "location in spin:\n%s", s);
  free(s);
  /* the target is alive and stopped: backtrace and registers work */
  free(command("bt", "in main (argc=2, argv=0x", false));
  free(command("info registers rip", "<spin+", false));
  /* again, with `continue` */
  before = prompts();
  type_line("continue");
  free(wait_screen("Continuing.", 1, false));
  for (int i = 0; i < 4; i++) nap();
  keys("C-c");
  s = wait_screen("(sse)", before + 1, false);
  cr_assert(count_of(s, "Program received signal SIGINT") +
                    count_of(s, "Interrupted.") >= 2,
            "second interrupt:\n%s", s);
  free(s);
  /* Ctrl-C at the prompt drops the line, ssedemo lives on */
  type_text("some half-typed");
  keys("C-c");
  free(wait_screen("Quit", 1, false));
  free(command("info threads", "\"long_loop\"", false));
  free(command("kill", "killed]", false));
  type_line("quit");
  session_ended();
  free(args);
}

#endif

Test(demo, tab_completes_commands_and_functions, .timeout = 60) {
  char *prog = tgt("loops_calls");
  tmux_start(prog);
  free(wait_screen("(sse)", 1, false));
  int before = prompts();
  type_text("brea");
  keys("Tab");
  free(wait_screen("(sse) break", 1, false));
  type_text("sum_sq");
  keys("Tab");
  free(wait_screen("(sse) break sum_squares", 1, false));
  keys("Enter");
  free(wait_screen("Breakpoint 1 at 0x", 1, false));
  free(wait_screen("(sse)", before + 1, false));
  char *s = command("r", "Breakpoint 1, sum_squares (n=5) at loops_calls.c:23",
                    false);
  free(s);
  /* gdb abbreviations: n, s, fin, c */
  free(command("n", "24 ", true));
  free(command("s", "25 ", true));
  free(command("s", "square (x=0) at loops_calls.c:11", false));
  free(command("fin", "Run till exit from", false));
  free(command("info b", "breakpoint already hit 1 time", false));
  free(command("delete", NULL, false));
  free(command("c", "exited with code 07]", false));
  type_line("q");
  session_ended();
}

/* ------------------------------------------------------------ JSON */

/* A minimal JSON validator: returns the end of one value or NULL. */
static const char *j_ws(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
  return p;
}
static const char *j_value(const char *p, int depth);
static const char *j_string(const char *p) {
  if (*p != '"') return NULL;
  for (p++; *p && *p != '"'; p++) {
    if ((unsigned char)*p < 0x20) return NULL;
    if (*p == '\\') {
      p++;
      if (*p == 'u') {
        for (int i = 1; i <= 4; i++)
          if (!isxdigit((unsigned char)p[i])) return NULL;
        p += 4;
      } else if (!strchr("\"\\/bfnrt", *p) || !*p) {
        return NULL;
      }
    }
  }
  return *p == '"' ? p + 1 : NULL;
}
static const char *j_value(const char *p, int depth) {
  if (depth > 32) return NULL;
  p = j_ws(p);
  if (*p == '{' || *p == '[') {
    char close = *p == '{' ? '}' : ']';
    bool obj = *p == '{';
    p = j_ws(p + 1);
    if (*p == close) return p + 1;
    for (;;) {
      if (obj) {
        p = j_string(j_ws(p));
        if (!p) return NULL;
        p = j_ws(p);
        if (*p++ != ':') return NULL;
      }
      p = j_value(p, depth + 1);
      if (!p) return NULL;
      p = j_ws(p);
      if (*p == ',') {
        p++;
        continue;
      }
      return *p == close ? p + 1 : NULL;
    }
  }
  if (*p == '"') return j_string(p);
  if (!strncmp(p, "true", 4)) return p + 4;
  if (!strncmp(p, "false", 5)) return p + 5;
  if (!strncmp(p, "null", 4)) return p + 4;
  if (*p == '-' || isdigit((unsigned char)*p)) {
    char *end;
    strtod(p, &end);
    return end > p ? end : NULL;
  }
  return NULL;
}
static bool json_object_line(const char *line) {
  const char *p = j_ws(line);
  if (*p != '{') return false;
  p = j_value(p, 0);
  return p && !*j_ws(p);
}

Test(demo, batch_json_lines_are_valid_and_complete, .timeout = 60) {
  char *prog = tgt("loops_calls"), *cmd, *out;
  cr_assert(asprintf(&cmd,
                     "%s --batch --json -ex 'break square' -ex run -ex bt "
                     "-ex next -ex step -ex finish -ex 'info registers rip' "
                     "-ex 'no-such-command' -ex 'x/2xw $sp' -ex delete "
                     "-ex continue %s",
                     demo_bin(), prog) > 0);
  int rc = run_capture(cmd, &out);
  cr_assert_eq(rc, 0, "exit %d:\n%s", rc, out);
  int stops = 0, bts = 0, exits = 0, errors = 0;
  char *save, *line;
  for (line = strtok_r(out, "\n", &save); line;
       line = strtok_r(NULL, "\n", &save)) {
    cr_assert(json_object_line(line), "not a JSON object: %s", line);
    if (strstr(line, "\"event\":\"stop\"")) {
      stops++;
      cr_assert(strstr(line, "\"reason\":\""), "%s", line);
      cr_assert(strstr(line, "\"tid\":"), "%s", line);
      if (strstr(line, "\"reason\":\"exited\"")) {
        exits++;
        cr_assert(strstr(line, "\"exit_code\":7"), "%s", line);
        continue;
      }
      cr_assert(strstr(line, "\"pc\":\"0x"), "%s", line);
      cr_assert(strstr(line, "\"function\":\""), "%s", line);
      cr_assert(strstr(line, "\"file\":\"/"), "file absolute: %s", line);
      cr_assert(strstr(line, "\"line\":"), "%s", line);
      /* What the command cost: at least one ptrace stop each. */
      const char *ps = strstr(line, "\"ptrace_stops\":");
      cr_assert(ps && atoi(ps + 15) >= 1, "ptrace_stops: %s", line);
    }
    if (strstr(line, "\"event\":\"backtrace\"")) {
      bts++;
      cr_assert(strstr(line, "\"frames\":[{"), "%s", line);
      cr_assert(strstr(line, "\"function\":\"square\""), "%s", line);
      cr_assert(strstr(line, "\"function\":\"sum_squares\""), "%s", line);
      cr_assert(strstr(line, "\"function\":\"main\""), "%s", line);
    }
    if (strstr(line, "\"event\":\"error\"")) errors++;
  }
  /* break, next, step? (step from square's line 12 stays in square),
   * finish, exit */
  cr_assert_geq(stops, 5, "stops: %d", stops);
  cr_assert_eq(bts, 1);
  cr_assert_eq(exits, 1);
  cr_assert_eq(errors, 1, "the bad command is one error event");
  free(out);
  free(cmd);
}

Test(demo, json_strings_are_escaped_and_thread_events_reported,
     .timeout = 60) {
  char *prog = tgt("threads4"), *cmd, *out;
  /* a command with quotes, backslashes and a tab comes back escaped */
  cr_assert(asprintf(&cmd,
                     "%s --batch --json -ex 'echo \"q\\b\tc\"' -ex run %s 5",
                     demo_bin(), prog) > 0);
  int rc = run_capture(cmd, &out);
  cr_assert_eq(rc, 0, "exit %d:\n%s", rc, out);
  int created = 0;
  char *save, *line;
  bool saw_cmd = false;
  for (line = strtok_r(out, "\n", &save); line;
       line = strtok_r(NULL, "\n", &save)) {
    cr_assert(json_object_line(line), "not a JSON object: %s", line);
    if (strstr(line, "\"event\":\"thread_created\"")) created++;
    if (strstr(line, "\"command\":\"echo \\\"q\\\\b\\tc\\\"\"")) saw_cmd = true;
  }
  cr_assert(saw_cmd, "escaped command echo missing");
  cr_assert_geq(created, 4, "4 threads created: %d", created);
  free(out);
  free(cmd);
}

/* ------------------------------------------------------------ scripts */

Test(demo, x_file_runs_a_script, .timeout = 60) {
  char path[] = "/tmp/ssedemo-test-XXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  const char *script = "# a comment\n"
                       "break add\n"
                       "\n"
                       "run\n"
                       "bt 2\n"
                       "until\n"
                       "info breakpoints\n"
                       "delete 1\n"
                       "continue\n";
  cr_assert_eq(write(fd, script, strlen(script)), (ssize_t)strlen(script));
  close(fd);
  char *prog = tgt("loops_calls"), *cmd, *out;
  cr_assert(asprintf(&cmd, "%s --batch -x %s %s 2>&1", demo_bin(), path,
                     prog) > 0);
  int rc = run_capture(cmd, &out);
  unlink(path);
  cr_assert_eq(rc, 0, "exit %d:\n%s", rc, out);
  cr_assert(strstr(out, "Breakpoint 1, add (a=0, b=0) at loops_calls.c:17"), "%s", out);
  cr_assert(strstr(out, "#1  0x"), "%s", out);
  cr_assert(strstr(out, "in sum_squares (n=5) at loops_calls.c:26"), "%s", out);
  cr_assert(strstr(out, "18\t    return s;"), "until: next line\n%s", out);
  cr_assert(strstr(out, "breakpoint already hit 1 time"), "%s", out);
  cr_assert(strstr(out, "exited with code 07]"), "%s", out);
  free(out);
  free(cmd);
}

Test(demo, bad_program_is_a_clear_error, .timeout = 30) {
  char *cmd, *out;
  cr_assert(asprintf(&cmd, "%s --batch /nonexistent/prog 2>&1", demo_bin()) > 0);
  int rc = run_capture(cmd, &out);
  cr_assert_eq(rc, 1, "exit code %d", rc);
  cr_assert(strstr(out, "/nonexistent/prog") &&
                strstr(out, "No such file or directory"),
            "%s", out);
  free(out);
  free(cmd);
  /* not an executable */
  cr_assert(asprintf(&cmd, "%s --batch /etc/hostname 2>&1", demo_bin()) > 0);
  rc = run_capture(cmd, &out);
  cr_assert_eq(rc, 1, "exit code %d: %s", rc, out);
  free(out);
  free(cmd);
  /* a pid that does not exist */
  cr_assert(asprintf(&cmd, "%s --batch -p 999999999 2>&1", demo_bin()) > 0);
  rc = run_capture(cmd, &out);
  cr_assert_eq(rc, 1, "exit code %d: %s", rc, out);
  cr_assert(strstr(out, "attach"), "%s", out);
  free(out);
  free(cmd);
}

/* Run `ssedemo --batch ARGS PROG` (stderr merged) and require a zero exit
 * and each of want[0..n) in its output, which is returned (free it). */
static char *batch_has(const char *args, const char *prog,
                       const char *const *want, size_t n) {
  char *cmd, *out;
  cr_assert(asprintf(&cmd, "%s --batch %s %s 2>&1", demo_bin(), args, prog) >
            0);
  int rc = run_capture(cmd, &out);
  cr_assert_eq(rc, 0, "exit %d:\n%s", rc, out);
  for (size_t i = 0; i < n; i++)
    cr_assert(strstr(out, want[i]), "missing \"%s\" in:\n%s", want[i], out);
  free(cmd);
  return out;
}

Test(demo, batch_session_text, .timeout = 60) {
  const char *want[] = {
      "Breakpoint 1, main () at loops_calls.c:50",
      "51\t    for (int round = 0; round < 6; round++) {",
      /* step 3 from main:52: into sum_squares, 23, 24, 25: the last only */
      "25\t        int sq = square(i);",
      "#0  sum_squares (n=5) at loops_calls.c:25",
      "#1  0x",
      /* `finish` with main selected (after `up`) is gdb's error; after
       * `down` it finishes sum_squares */
      "\"finish\" not meaningful in the outermost frame.",
      "Run till exit from #0",
      "=> 0x",
      "21\tstatic int sum_squares(int n)",
      "Temporary breakpoint 2, bump () at loops_calls.c:45",
      "Dump of assembler code for function bump:",
      "End of assembler dump.",
      "Hardware watchpoint 3: global_acc",
      "Old value = 0",
      "New value = 1",
      "* 1    LWP",
      "killed]",
  };
  free(batch_has("-ex 'break main' -ex run -ex next -ex step "
                 "-ex 'step 3' -ex bt -ex up -ex 'info frame' -ex finish -ex down -ex finish "
                 "-ex 'x/3i $pc' -ex 'list sum_squares' -ex 'tbreak bump' "
                 "-ex c -ex disassemble -ex 'watch global_acc' -ex c "
                 "-ex 'info threads' -ex kill",
                 tgt("loops_calls"), want, sizeof want / sizeof *want));
}

/* What ssedemo takes from the library rather than reading itself: a
 * variable's address and name (`&global_acc`, `<global_acc>`), the
 * instructions, and the source file a typed name means. */
Test(demo, symbols_disassembly_and_sources_text, .timeout = 60) {
  const char *want[] = {
      " <global_acc>:\t0x00000000\t0x00000000\n",
      "$1 = (int *) 0x", /* gdb's print of &global_acc */
      " <main>:\tpushq  %rbp\n",
      " <main+1>:\tmovq   %rsp, %rbp\n",
      "Dump of assembler code for function square:",
      " <+0>:\tpushq  %rbp\n",
      "\tretq   \n",
      "36\tstatic int apply(int (*fn)(int), int v)",
      "44\t{",
      "9\tstatic int square(int x)",
      "16\t{",
  };
  char *out = batch_has("-ex 'break main' -ex run "
                        "-ex 'x/2xw &global_acc' -ex 'print &global_acc' "
                        "-ex 'x/2i main' -ex 'disassemble square' "
                        "-ex 'list loops_calls.c:40' "
                        "-ex 'list targets/loops_calls.c:12'",
                        tgt("loops_calls"), want, sizeof want / sizeof *want);
  cr_assert(strstr(strstr(out, "$1 = (int *) 0x"), " <global_acc>\n"), "%s", out);
  free(out);
}

/* ------------------------------------------------------------ gdb's text */

/* gdb on a terminal-less stdin, from_tty as for typed commands (not
 * -batch, which silences `handle`'s table): `gdb -nx -q ARGS -ex quit
 * PROG`, stderr merged, without its "Reading symbols from" line. */
static char *gdb_text(const char *args, const char *prog) {
  if (system("gdb --version >/dev/null 2>&1") != 0)
    cr_skip_test("gdb is not installed");
  char *cmd, *out;
  cr_assert(asprintf(&cmd,
                     "gdb -nx -q %s -ex quit %s </dev/null 2>&1 | "
                     "grep -v '^Reading symbols from'",
                     args, prog) > 0);
  run_capture(cmd, &out);
  free(cmd);
  return out;
}

/* `ssedemo --batch ARGS PROG`, stderr merged; its exit status in *rc. */
static char *demo_text(const char *args, const char *prog, int *rc) {
  char *cmd, *out;
  cr_assert(asprintf(&cmd, "%s --batch %s %s 2>&1", demo_bin(), args, prog) >
            0);
  int r = run_capture(cmd, &out);
  if (rc) *rc = r;
  free(cmd);
  return out;
}

Test(demo, handle_and_info_signals_print_gdbs_tables, .timeout = 60) {
  const char *args =
      "-ex 'handle SIGUSR1 nostop print' "
      "-ex 'handle SIGUSR1 SIGUSR2 nostop noprint' "
      "-ex 'handle SIGUSR1 pr' -ex 'handle 14-15 nostop' "
      "-ex 'handle SIGALRM ignore' -ex 'handle SIGUSR2 stop noignore' "
      "-ex 'handle SIGUSR1 frob' -ex 'handle 16 stop' "
      "-ex 'handle SIGINT nostop' -ex 'handle SIGINT stop' "
      "-ex 'info signals SIGUSR1' -ex 'info signals 14' "
      "-ex 'handle all nopass' -ex 'handle all pass' -ex 'info signals'";
  char *prog = tgt("loops_calls");
  int rc;
  char *mine = demo_text(args, prog, &rc);
  cr_assert(strstr(mine, "Signal        Stop\tPrint\tPass to program\t"
                         "Description\n"
                         "SIGUSR1       No\tYes\tYes\t\tUser defined signal 1\n"),
            "%s", mine);
  cr_assert(strstr(mine, "SIGUSR1       No\tNo\tYes\t\tUser defined signal 1\n"
                         "SIGUSR2       No\tNo\tYes\t\tUser defined signal 2\n"),
            "%s", mine);
  cr_assert(strstr(mine, "Unrecognized or ambiguous flag word: \"frob\".\n"),
            "%s", mine);
  char *gdb = gdb_text(args, prog);
  cr_assert_str_eq(mine, gdb, "ssedemo:\n%s\ngdb:\n%s", mine, gdb);
  free(mine);
  free(gdb);
}

Test(demo, handle_nostop_print_announces_the_signal_and_runs_on,
     .timeout = 60) {
  char *prog = tgt("signal_next");
  int rc;
  char *out = demo_text("-ex 'handle SIGUSR1 nostop print' -ex run", prog, &rc);
  cr_assert_eq(count_of(out, "\nProgram received signal SIGUSR1, User defined "
                             "signal 1.\n"), 2, "%s", out);
  cr_assert(strstr(out, "exited normally]"), "%s", out);
  free(out);
  /* nopass: the handler never runs, the program exits 1 */
  out = demo_text("-ex 'handle SIGUSR1 nostop print nopass' -ex run", prog,
                  &rc);
  cr_assert_eq(count_of(out, "Program received signal SIGUSR1"), 2, "%s", out);
  cr_assert(strstr(out, "exited with code 01]"), "%s", out);
  free(out);
  /* noprint: silent */
  out = demo_text("-ex 'handle SIGUSR1 noprint' -ex run", prog, &rc);
  cr_assert(!strstr(out, "received signal"), "%s", out);
  cr_assert(strstr(out, "exited normally]"), "%s", out);
  free(out);
  /* during next: announced, and the step goes on to the next line */
  out = demo_text("-ex 'handle SIGUSR1 nostop' -ex 'break work' -ex run "
                  "-ex next -ex next -ex next", prog, &rc);
  cr_assert(strstr(out, "19\t    raise(SIGUSR1);\n\nProgram received signal "
                        "SIGUSR1, User defined signal 1.\n20\t    y = y * 2;\n"),
            "%s", out);
  free(out);
}

Test(demo, shell_runs_commands_with_bin_sh, .timeout = 30) {
  int rc;
  char *out = demo_text("-ex 'shell echo hi; exit 3' -ex '!echo bang' "
                        "-ex '! printf \"%s\\n\" \"$0\"'",
                        tgt("loops_calls"), &rc);
  cr_assert_eq(rc, 0, "%s", out);
  cr_assert_str_eq(out, "hi\nbang\nsh\n");
  free(out);
}

Test(demo, continue_n_and_ignore_count_hits_as_gdb, .timeout = 60) {
  char *prog = tgt("bp_loop");
  int rc;
  char *out = demo_text(
      "-ex 'break hit_me' -ex run -ex 'continue 3' -ex 'info breakpoints' "
      "-ex 'ignore 1 2' -ex 'info breakpoints' -ex c -ex 'info breakpoints' "
      "-ex 'ignore 1 1' -ex 'ignore 1 0' -ex 'ignore 1 -2' -ex 'ignore 2 1' "
      "-ex 'ignore' -ex 'ignore 1' -ex 'ignore x 3' -ex 'continue 1' "
      "-ex stepi -ex 'continue 2' -ex 'continue 5'",
      prog, &rc);
  const char *want[] = {
      "Will ignore next 2 crossings of breakpoint 1.  Continuing.\n\n"
      "Breakpoint 1, hit_me (i=3) at bp_loop.c:10\n",
      "\tbreakpoint already hit 4 times\n",
      "Will ignore next 2 crossings of breakpoint 1.\n",
      "\tbreakpoint already hit 4 times\n\tignore next 2 hits\n",
      "\tbreakpoint already hit 7 times\n",
      "Will ignore next crossing of breakpoint 1.\n"
      "Will stop next time breakpoint 1 is reached.\n"
      "Will stop next time breakpoint 1 is reached.\n"
      "No breakpoint number 2.\n"
      "Argument required (a breakpoint number).\n"
      "Second argument (specified ignore-count) is missing.\n"
      "bad breakpoint number: 'x 3'\n"
      "Will stop next time breakpoint 1 is reached.  Continuing.\n",
      "Not stopped at any breakpoint; argument ignored.\nContinuing.\n",
      /* bp_loop 10 calls hit_me 10 times: stops at 0, 3, 6, 7, 8; then
       * the last hit is ignored and the program exits with 10 */
      "Will ignore next 4 crossings of breakpoint 1.  Continuing.\n"
      "[Inferior 1 (process ",
      "exited with code 012]",
  };
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    cr_assert(strstr(out, want[i]), "missing \"%s\" in:\n%s", want[i], out);
  free(out);
}

Test(demo, x_of_a_directory_or_a_missing_file_is_gdbs_warning,
     .timeout = 60) {
  if (system("gdb --version >/dev/null 2>&1") != 0)
    cr_skip_test("gdb is not installed");
  char prog[1024];
  snprintf(prog, sizeof prog, "%s", tgt("loops_calls"));
  const char *cases[] = {"-x /tmp", "-x /nonexistent/script.gdb",
                         "-x /tmp -ex 'break main'",
                         "-ex 'break main' -x /nonexistent/script.gdb"};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    int rc, grc;
    char *mine = demo_text(cases[i], prog, &rc), *cmd, *gdb;
    cr_assert(asprintf(&cmd, "gdb -batch %s %s 2>&1", cases[i], prog) > 0);
    grc = run_capture(cmd, &gdb);
    free(cmd);
    cr_assert_eq(rc, grc, "%s: exit %d, gdb %d", cases[i], rc, grc);
    /* the warning, exactly; gdb's breakpoint line shows other paths */
    const char *w = strstr(gdb, "warning: ");
    cr_assert(w, "%s", gdb);
    char line[256];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(w, "\n") + 1, w);
    cr_assert(strstr(mine, line), "%s: want \"%s\" in:\n%s", cases[i], line,
              mine);
    free(mine);
    free(gdb);
  }
  cr_assert(strstr(cases[0], "/tmp"));
  int rc;
  char *out = demo_text("-x /tmp", prog, &rc);
  cr_assert_str_eq(out, "warning: /tmp: Is a directory\n");
  free(out);
  /* the last command failing: exit 1 as gdb's batch mode */
  out = demo_text("-x /tmp -ex frobnicate", prog, &rc);
  cr_assert_eq(rc, 1, "%s", out);
  free(out);
  /* a script stops at its first error */
  char path[] = "/tmp/ssedemo-test-XXXXXX";
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  const char *script = "echo a\\n\nfrob\necho b\\n\n";
  cr_assert_eq(write(fd, script, strlen(script)), (ssize_t)strlen(script));
  close(fd);
  char *args;
  cr_assert(asprintf(&args, "-x %s", path) > 0);
  out = demo_text(args, prog, &rc);
  char *want;
  cr_assert(asprintf(&want,
                     "a\n%s:2: Error in sourced command file:\n"
                     "Undefined command: \"frob\".  Try \"help\".\n",
                     path) > 0);
  unlink(path);
  cr_assert_str_eq(out, want);
  cr_assert_eq(rc, 1);
  free(want);
  free(args);
  free(out);
}

Test(demo, malformed_linespecs_are_gdbs_errors, .timeout = 60) {
  char prog[1024]; /* tgt()'s ring of buffers turns over in the loop */
  snprintf(prog, sizeof prog, "%s", tgt("loops_calls"));
  /* each alone, then `info breakpoints`: nothing made */
  const char *specs[] = {":5",
                         "loops_calls.c:",
                         "file.c:",
                         "foo.c:abc",
                         "loops_calls.c:abc",
                         "5:",
                         "main:",
                         "loops_calls.c:12:",
                         "loops_calls.c:12 foo",
                         "loops_calls.c:-5",
                         "-5 x",
                         "-5x"};
  for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
    char *args;
    cr_assert(asprintf(&args, "-ex 'break %s' -ex 'info breakpoints'",
                       specs[i]) > 0);
    int rc;
    char *mine = demo_text(args, prog, &rc);
    char *gdb = gdb_text(args, prog);
    cr_assert_str_eq(mine, gdb, "break %s\nssedemo:\n%s\ngdb:\n%s", specs[i],
                     mine, gdb);
    cr_assert(strstr(mine, "No breakpoints or watchpoints.\n"), "%s", mine);
    free(args);
    free(mine);
    free(gdb);
  }
  int rc;
  char *out = demo_text("-ex 'break :5' -ex 'break file.c:'", prog, &rc);
  cr_assert_str_eq(out,
                   "malformed linespec error: unexpected colon\n"
                   "No source file named file.c.\n"
                   "Make breakpoint pending on future shared library load? "
                   "(y or [n]) [answered N; input not from terminal]\n");
  free(out);
  /* offsets: before run from main's line less 9 (41), at a stop from the
   * selected frame's line; -0 is -15, a bare + is +5 */
  out = demo_text("-ex 'break -5' -ex 'break -0' -ex 'tbreak square' -ex run "
                  "-ex 'break +3' -ex up -ex 'break -2' -ex 'break +' "
                  "-ex 'break -30'",
                  prog, &rc);
  const char *want[] = {
      "Breakpoint 1 at 0x", ": file loops_calls.c, line 38.\n",
      "Breakpoint 2 at 0x", ": file loops_calls.c, line 26.\n",
      "Breakpoint 4 at 0x", ": file loops_calls.c, line 17.\n",
      "Breakpoint 5 at 0x", ": file loops_calls.c, line 23.\n",
      "Breakpoint 6 at 0x", ": file loops_calls.c, line 33.\n",
      "No line -5 in the current file.\n"
      "Make breakpoint pending on future shared library load? (y or [n]) "
      "[answered N; input not from terminal]\n",
  };
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    cr_assert(strstr(out, want[i]), "missing \"%s\" in:\n%s", want[i], out);
  cr_assert(!strstr(out, "pending."), "no pending breakpoint:\n%s", out);
  free(out);
}

Test(demo, attach_to_a_traced_process_names_its_tracer, .timeout = 30) {
  /* a child of the test that this process traces */
  pid_t child = fork();
  cr_assert(child >= 0);
  if (child == 0) {
    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) _exit(2);
    for (;;) pause();
  }
  /* TRACEME is done once TracerPid shows it */
  char status[64], line[256];
  snprintf(status, sizeof status, "/proc/%d/status", (int)child);
  long tracer = 0;
  for (int i = 0; i < 200 && tracer <= 0; i++) {
    FILE *f = fopen(status, "r");
    while (f && fgets(line, sizeof line, f))
      if (sscanf(line, "TracerPid: %ld", &tracer) == 1) break;
    if (f) fclose(f);
    if (tracer <= 0) nap();
  }
  char *cmd, *out, *want;
  cr_assert(asprintf(&cmd, "%s --batch -p %d 2>&1", demo_bin(), (int)child) >
            0);
  int rc = run_capture(cmd, &out);
  /* the attach command, from a session with a program */
  char *cmd2, *out2;
  cr_assert(asprintf(&cmd2, "%s --batch -ex 'attach %d' -ex 'info threads' "
                            "%s 2>&1",
                     demo_bin(), (int)child, tgt("loops_calls")) > 0);
  int rc2 = run_capture(cmd2, &out2);
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  cr_assert_eq(tracer, (long)getpid(), "the child is traced by the test");
  cr_assert(asprintf(&want,
                     "warning: process %d is already traced by process %d\n"
                     "ptrace: Operation not permitted.\n",
                     (int)child, (int)getpid()) > 0);
  cr_assert_str_eq(out, want);
  cr_assert_eq(rc, 1);
  cr_assert(!strncmp(out2, want, strlen(want)), "%s", out2);
  cr_assert(strstr(out2, "The program is not being run.\n"), "%s", out2);
  cr_assert_eq(rc2, 1, "the last command failed");
  free(want);
  free(out);
  free(cmd);
  free(out2);
  free(cmd2);
}

/* The lines of text that contain needle, in order (free it). */
static char *lines_with(const char *text, const char *needle) {
  size_t cap = strlen(text) + 1, len = 0;
  char *out = calloc(1, cap);
  for (const char *p = text; *p;) {
    size_t n = strcspn(p, "\n");
    if (memmem(p, n, needle, strlen(needle))) {
      memcpy(out + len, p, n);
      len += n;
      out[len++] = '\n';
    }
    p += n + (p[n] == '\n');
  }
  out[len] = 0;
  return out;
}

Test(demo, a_signal_of_a_second_thread_names_the_thread_as_gdb,
     .timeout = 60) {
  char prog[1024];
  snprintf(prog, sizeof prog, "%s", tgt("thread_signal"));
  int rc;
  char *mine = demo_text("-ex 'handle SIGUSR1 nostop print' -ex run", prog,
                         &rc);
  cr_assert_eq(count_of(mine, "\nThread 2 \"thread_signal\" received signal "
                              "SIGUSR1, User defined signal 1.\n"), 2,
               "%s", mine);
  cr_assert(strstr(mine, "exited normally]"), "%s", mine);
  char *gdb = gdb_text("-ex 'handle SIGUSR1 nostop print' -ex run", prog);
  char *a = lines_with(mine, "received signal"),
       *b = lines_with(gdb, "received signal");
  cr_assert_str_eq(a, b, "ssedemo:\n%s\ngdb:\n%s", mine, gdb);
  free(a);
  free(b);
  free(mine);
  free(gdb);
  /* a signal that stops says the same */
  mine = demo_text("-ex run", prog, &rc);
  cr_assert(strstr(mine, "\nThread 2 \"thread_signal\" received signal "
                         "SIGUSR1, User defined signal 1.\n"), "%s", mine);
  free(mine);
}

/* gdb's questions on a terminal: asked and answered, and `!CMD` there. */
Test(demo, handle_asks_about_sigint_on_a_terminal, .timeout = 60) {
  tmux_start(tgt("loops_calls"));
  free(wait_screen("(sse)", 1, false));
  type_line("handle SIGINT nostop");
  free(wait_screen("Are you sure you want to change it? (y or n)", 1, false));
  char *s = command("n", "Not confirmed, unchanged.", false);
  cr_assert(!strstr(s, "SIGINT        No"), "unchanged:\n%s", s);
  free(s);
  type_line("handle SIGINT SIGUSR1 nostop");
  free(wait_screen("Are you sure you want to change it? (y or n)", 2, false));
  s = command("y", "SIGUSR1       No", false);
  cr_assert(strstr(s, "SIGINT        No        Yes     No              "
                      "Interrupt\n"),
            "the table (tabs as blanks):\n%s", s);
  free(s);
  free(command("!echo shell says hi", "shell says hi", false));
  free(command("info signals SIGINT", "SIGINT        No", false));
  type_line("quit");
  session_ended();
}
