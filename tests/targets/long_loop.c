/* long_loop: spin(n) runs an n-iteration loop (argv[1], default 300000000)
 * with a volatile accumulator so it cannot be removed.  Benchmark for
 * `finish` out of a long loop: ptrace stops used, time vs untraced (bench/).
 * Note: with the default n this runs ~0.3-1 s untraced by design; pass a
 * smaller n in tests.  Exits 0. */
#include <stdlib.h>

long spin(long n)
{
    volatile long acc = 0;
    for (long i = 0; i < n; i++)
        acc += i;
    return acc;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 300000000L;
    long r = spin(n);
    return r == (n * (n - 1) / 2) ? 0 : 1;
}
