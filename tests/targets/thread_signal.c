/* thread_signal: a second thread raises SIGUSR1 at itself twice (a handler
 * counts them); main joins it. gdb's `handle SIGUSR1 nostop print` then
 * names the thread: Thread 2 "thread_signal" received signal SIGUSR1.
 * Exits 0 when the handler ran twice. */
#include <pthread.h>
#include <signal.h>

static volatile sig_atomic_t handled;

static void on_usr1(int sig) { handled += sig == SIGUSR1; }

static void *worker(void *arg)
{
    (void)arg;
    pthread_kill(pthread_self(), SIGUSR1);
    pthread_kill(pthread_self(), SIGUSR1);
    return 0;
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, 0);
    pthread_t t;
    pthread_create(&t, 0, worker, 0);
    pthread_join(t, 0);
    return handled == 2 ? 0 : 1;
}
