/* detach_signal: raises SIGUSR1 (a handler prints "got usr1"), then prints
 * "end". gdb stops at the signal; whether a `detach` there lets the
 * program have it is gdb's `handle SIGUSR1 pass/nopass` (through
 * sse-gdbserver: QProgramSignals). Exits 0. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static void on_usr1(int sig)
{
    static const char msg[] = "got usr1\n";
    ssize_t n = write(1, msg, sizeof msg - 1);
    (void)n;
    (void)sig;
}

int main(void)
{
    signal(SIGUSR1, on_usr1);
    raise(SIGUSR1);
    printf("end\n");
    return 0;
}
