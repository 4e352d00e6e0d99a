/* loops_calls: source-level stepping oracle target (issue 3).
 * Loops and nested calls (a few hundred `step`s worth), a call through a
 * function pointer, no libc calls inside the stepped code.  Exits with 7.
 * Also the base of the stripped/build-id target (make_stripped.sh). */
#include <stdlib.h>

static int global_acc;

static int square(int x)
{
    int r = x * x;
    return r;
}

static int add(int a, int b)
{
    int s = a + b;
    return s;
}

static int sum_squares(int n)
{
    int total = 0;
    for (int i = 0; i < n; i++) {
        int sq = square(i);
        total = add(total, sq);
    }
    return total;
}

static int twice(int x)
{
    return x * 2;
}

static int apply(int (*fn)(int), int v)
{
    int r = fn(v);
    r = r + 1;
    return r;
}

static void bump(void)
{
    global_acc++;
}

int main(void)
{
    int acc = 0;
    for (int round = 0; round < 6; round++) {
        acc += sum_squares(5);
        acc += apply(twice, round);
        bump();
    }
    int (*fp)(int) = square;
    acc += fp(3);
    acc += apply(square, 4);
    if (acc == 0)
        return 1;
    global_acc += acc & 0;
    return 7;
}
