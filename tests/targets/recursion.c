/* recursion: recursive factorial/fib, depth ~10, for `finish` out of a
 * recursive call and `step` through recursion (issue 3).  Exits with 0 when
 * the computed values are right, 1 otherwise. */
static long fact(int n)
{
    if (n <= 1)
        return 1;
    long sub = fact(n - 1);
    return n * sub;
}

static int fib(int n)
{
    if (n < 2)
        return n;
    int a = fib(n - 1);
    int b = fib(n - 2);
    return a + b;
}

int main(void)
{
    long f = fact(10);
    int g = fib(6);
    if (f != 3628800L || g != 8)
        return 1;
    return 0;
}
