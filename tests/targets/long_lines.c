/* long_lines: lines like users' code at -O0, for bench/remote: struct
 * copies, arithmetic expressions, string handling and loops written on
 * one line (`for (i = 0; i < n; i++) s += a[i];`), a few dozen to a few
 * hundred instructions per line, so that a `step` is one vCont;r over
 * many instructions and branches. No libc call in the stepped code.
 * Exits with 0. */
#include <stddef.h>

#define N 48

struct point {
    double x, y, z;
    int tag;
    char name[24];
};

struct stats {
    long sum, min, max;
    double mean;
    struct point centre;
};

static int values[N];
static char text[] = "the quick brown fox jumps over the lazy dog, twice over";

static size_t text_length(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0') n++;
    return n;
}

static void upcase(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? (char)(src[i] - 'a' + 'A') : src[i];
    dst[n] = '\0';
}

static int count_char(const char *s, char c)
{
    int k = 0;
    for (const char *p = s; *p; p++) k += *p == c;
    return k;
}

static struct stats summarise(const int *a, int n, struct point p)
{
    struct stats st = {0, a[0], a[0], 0.0, p};
    for (int i = 0; i < n; i++) st.sum += a[i];
    for (int i = 0; i < n; i++) if (a[i] < st.min) st.min = a[i]; else if (a[i] > st.max) st.max = a[i];
    st.mean = (double)st.sum / n + (st.max - st.min) * 0.5 - (st.centre.x * st.centre.y) / (1.0 + st.centre.z * st.centre.z);
    st.centre.tag = (int)((st.sum * 31 + st.min * 17 - st.max * 7) % 1009) ^ (n << 3);
    return st;
}

static void fill(int *a, int n, int seed)
{
    for (int i = 0; i < n; i++) a[i] = (seed * 1103515245 + i * 12345) % 1000 - 500 + (i & 7) * (seed % 13);
}

int main(void)
{
    char upper[sizeof text];
    long total = 0;
    struct point p = {1.5, -2.25, 3.0, 7, "origin"};
    for (int round = 0; round < 40; round++) {
        fill(values, N, round + 1);
        struct point q = p;
        q.x = q.x * round + q.y / (round + 1.0) - q.z * 0.5;
        struct stats st = summarise(values, N, q);
        size_t len = text_length(text);
        upcase(upper, text, len);
        int spaces = count_char(upper, ' ') + count_char(upper, 'O') * 2;
        total += st.sum + st.centre.tag + (long)len * spaces - (long)(st.mean * 100.0);
        p = st.centre;
        p.name[round % 20] = upper[round % (int)len];
    }
    return total == 0x7fffffff ? 1 : 0;
}
