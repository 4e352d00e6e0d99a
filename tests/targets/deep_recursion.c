/* deep_recursion: recursion 1000 deep (argv[1] overrides), at the bottom
 * calls bottom() -- breakpoint target for a 1,000-frame backtrace compared
 * with gdb's `bt` (issue 5).  Exits 0. */
#include <stdlib.h>

volatile int g_bottom_hits;

void __attribute__((noinline)) bottom(void)
{
    g_bottom_hits++;
}

int __attribute__((noinline)) descend(int depth)
{
    if (depth == 0) {
        bottom();
        return 0;
    }
    int r = descend(depth - 1);
    return r + 1;
}

int main(int argc, char **argv)
{
    int depth = argc > 1 ? atoi(argv[1]) : 1000;
    int r = descend(depth);
    return r == depth && g_bottom_hits == 1 ? 0 : 1;
}
