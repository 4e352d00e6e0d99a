/* sighandler_bt: main -> outer -> inner raises SIGUSR1; the handler calls
 * in_handler() -- breakpoint target for a backtrace through a signal frame
 * (`<signal handler called>`, issue 5).  Exits 0 when the handler ran. */
#include <signal.h>

static volatile sig_atomic_t g_seen;

void __attribute__((noinline)) in_handler(int sig)
{
    g_seen = sig;
}

static void on_usr1(int sig)
{
    in_handler(sig);
}

static void __attribute__((noinline)) inner(void)
{
    raise(SIGUSR1);
}

static void __attribute__((noinline)) outer(void)
{
    inner();
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, 0);
    outer();
    return g_seen == SIGUSR1 ? 0 : 1;
}
