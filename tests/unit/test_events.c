/* Events: the signal events under the default signal policy. */
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "testutil.h"

/* ------------------------------------------------------------ signals */

static int sigs[16];
static int nsigs;

static void on_signal(const sse_event *ev, void *user) {
  if (nsigs < 16) sigs[nsigs] = ev->signo;
  nsigs++;
}

/* gdb's defaults: SIGALRM SIGURG SIGCHLD SIGIO SIGVTALRM SIGPROF SIGWINCH
 * neither stop nor print and are passed; SIGPWR stops and is passed;
 * SIGINT and SIGTRAP stop and are not passed. SSE_EV_SIGNAL reports each.
 * The shell counts the quiet ones' traps in q and SIGPWR's and SIGINT's in
 * n: it exits with q * 10 + n, 71 when only SIGINT was held back. */
Test(events, default_signal_policy_is_gdbs, .timeout = 20) {
  static const char script[] =
      "q=0; n=0; trap 'q=$((q+1))' ALRM URG CHLD IO VTALRM PROF WINCH; "
      "trap 'n=$((n+1))' PWR INT; trap '' TRAP; "
      "for s in ALRM URG CHLD IO VTALRM PROF WINCH PWR INT TRAP; do "
      "kill -s $s $$; done; exit $((q*10+n))";
  static const int sent[] = {SIGALRM, SIGURG,  SIGCHLD, SIGIO,  SIGVTALRM,
                             SIGPROF, SIGWINCH, SIGPWR, SIGINT, SIGTRAP};
  static const int stops_at[] = {SIGPWR, SIGINT, SIGTRAP};
  sse_engine *eng;
  SSE_OKAY(sse_engine_new(NULL, &eng));
  SSE_OKAY(sse_subscribe(eng, SSE_EV_SIGNAL, on_signal, NULL, NULL));
  const char *argv[] = {"/bin/sh", "-c", script, NULL};
  sse_process *p;
  SSE_OKAY(sse_spawn(eng, argv, NULL, &p, NULL));
  sse_stop s;
  for (int i = 0; i < 3; i++) {
    SSE_OKAY(sse_continue(p, &s));
    cr_assert_eq(s.reason, SSE_STOP_SIGNAL, "%s",
                 sse_stop_reason_name(s.reason));
    cr_assert_eq(s.signo, stops_at[i], "stop %d: signal %d", i, s.signo);
  }
  SSE_OKAY(sse_continue(p, &s));
  cr_assert_eq(s.reason, SSE_STOP_EXITED, "%s",
               sse_stop_reason_name(s.reason));
  cr_assert_eq(s.exit_status, 71);
  cr_assert_eq(nsigs, 10, "%d signal events", nsigs);
  for (int i = 0; i < 10; i++) cr_assert_eq(sigs[i], sent[i]);
  sse_engine_free(eng);
}
