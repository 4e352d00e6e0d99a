/* signal_next: a SIGUSR1 handler with a few lines and a function that
 * raise()s SIGUSR1 between other lines.  `next` over the raise runs the
 * handler over; `step` with the signal passed may enter it (issue 3).
 * Exits 0 when the handler ran twice. */
#include <signal.h>

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
    int s = sig;
    handled++;
    handled += s - SIGUSR1;
}

static int work(int x)
{
    int y = x + 1;
    raise(SIGUSR1);
    y = y * 2;
    raise(SIGUSR1);
    y = y - 1;
    return y;
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, 0);
    int r = work(3);
    r = r + (int)handled;
    return handled == 2 && r == 9 ? 0 : 1;
}
