/* bp_loop: hit_me(int) is called exactly N times (argv[1], default 10);
 * prints nothing; exit code N % 256.  "A breakpoint hits N times in a loop
 * of N" (issue 2). */
#include <stdlib.h>

volatile int g_sink;

void __attribute__((noinline)) hit_me(int i)
{
    g_sink += i;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10;
    for (int i = 0; i < n; i++)
        hit_me(i);
    return n % 256;
}
