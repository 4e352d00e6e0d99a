/* threads4: 4 pthreads each calling worker_tick() N times (argv[1], default
 * 1000), then joined.  For thread-creation reporting, all-stop, breakpoints
 * hit from several threads, cross-thread reads (issue 2).  g_counter ends at
 * 4*N; exits 0 when it does. */
#include <pthread.h>
#include <stdlib.h>

#define NTHREADS 4

long g_counter;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static long g_iters = 1000;

void __attribute__((noinline)) worker_tick(int id)
{
    pthread_mutex_lock(&g_lock);
    g_counter++;
    pthread_mutex_unlock(&g_lock);
    (void)id;
}

static void *worker(void *arg)
{
    int id = (int)(long)arg;
    for (long i = 0; i < g_iters; i++)
        worker_tick(id);
    return 0;
}

int main(int argc, char **argv)
{
    pthread_t t[NTHREADS];
    if (argc > 1)
        g_iters = atol(argv[1]);
    for (long i = 0; i < NTHREADS; i++)
        if (pthread_create(&t[i], 0, worker, (void *)i) != 0)
            return 2;
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], 0);
    return g_counter == NTHREADS * g_iters ? 0 : 1;
}
