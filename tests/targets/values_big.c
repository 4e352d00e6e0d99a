/* values_big -- a large function for bench/values: `info locals` of 400
 * locals (ints, doubles, structs, strings) and `bt` with arguments five
 * frames deep, stopped in big(). Built -O0. */
#include <stdio.h>

struct point {
  int x, y;
};

static volatile long sink;

#define GROUP(n)                                                  \
  int i##n = n * a;                                               \
  double d##n = n * b;                                            \
  struct point p##n = {n + a, n - a};                             \
  char s##n[12] = "val" #n;                                       \
  sink += i##n + (long)d##n + p##n.x + s##n[0];
#define TEN(k) GROUP(k##0) GROUP(k##1) GROUP(k##2) GROUP(k##3) GROUP(k##4) \
               GROUP(k##5) GROUP(k##6) GROUP(k##7) GROUP(k##8) GROUP(k##9)

static __attribute__((noinline)) long big(int a, double b, struct point pt, const char *name) {
  TEN(1) TEN(2) TEN(3) TEN(4) TEN(5) TEN(6) TEN(7) TEN(8) TEN(9) TEN(10)
  sink += pt.x + name[0];
  return sink; /* the stop: bench/values breaks at this line, 24 */
}

static __attribute__((noinline)) long level3(int depth, const char *name) {
  struct point pt = {depth, -depth};
  return big(depth, depth * 1.5, pt, name) + depth;
}
static __attribute__((noinline)) long level2(int depth, long mask) {
  return level3(depth + 1, "level2") ^ mask;
}
static __attribute__((noinline)) long level1(int depth, char tag) {
  return level2(depth + 1, 0x5a5a) + tag;
}

int main(int argc, char **argv) {
  (void)argv;
  printf("%ld\n", level1(argc, 'q'));
  return 0;
}
