/* thread_start: a thread's start routine (thread_main) calls thread_leaf()
 * -- breakpoint target for a backtrace in a non-main thread ending at
 * start_thread/clone3 (issue 5).  Exits 0. */
#include <pthread.h>

volatile int g_leaf;

void __attribute__((noinline)) thread_leaf(int v)
{
    g_leaf = v;
}

static void *thread_main(void *arg)
{
    int v = (int)(long)arg;
    thread_leaf(v);
    return 0;
}

int main(void)
{
    pthread_t t;
    if (pthread_create(&t, 0, thread_main, (void *)42L) != 0)
        return 2;
    pthread_join(t, 0);
    return g_leaf == 42 ? 0 : 1;
}
