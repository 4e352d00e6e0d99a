/* cxx_exc.cc — C++ exceptions: one caught in the function that called the
 * thrower, one caught two frames up through a frame with a destructor to
 * run (a cleanup landing pad), one thrown and caught in main. `next`,
 * `step`, `finish` and `until` over them stop at the handler (the source is
 * the oracle: gdb 13 here runs on to the exit); catch throw / catch catch
 * / catch rethrow are compared with gdb; one is rethrown (`throw;`). */
#include <cstdio>
#include <stdexcept>
#include <string>

static volatile int seen;

struct Guard {
  int v;
  explicit Guard(int x) : v(x) {}
  ~Guard() { seen += v; } /* ex_guard_dtor */
};

void __attribute__((noinline)) thrower(int v) {
  if (v > 0)
    throw std::runtime_error("boom"); /* ex_throw */
  seen = v;
}

void __attribute__((noinline)) middle(int v) {
  Guard g(100); /* ex_middle_guard */
  thrower(v); /* ex_middle_call */
  seen = -1; /* ex_middle_after */
}

int __attribute__((noinline)) catch_here(int v) {
  try {
    thrower(v); /* ex_here_call */
    seen = -2;
  } catch (const std::runtime_error &e) {
    seen += 1; /* ex_here_handler */
  }
  return seen; /* ex_here_after */
}

int __attribute__((noinline)) catch_up(int v) {
  try {
    middle(v); /* ex_up_call */
  } catch (int e) {
    seen = e;
  } catch (const std::exception &e) {
    seen += 2; /* ex_up_handler */
  }
  return seen;
}

/* catch (...) { throw; }: a rethrow, caught by the outer handler. */
int __attribute__((noinline)) rethrow_up(int v) {
  try {
    try {
      thrower(v);
    } catch (...) {
      throw; /* ex_rethrow */
    }
  } catch (const std::runtime_error &e) {
    seen += 4; /* ex_rethrow_handler */
  }
  return seen;
}

int main() {
  catch_here(1); /* ex_main_here */
  catch_up(1); /* ex_main_up */
  try {
    throw 42; /* ex_main_throw */
  } catch (int e) {
    seen += e; /* ex_main_handler */
  }
  rethrow_up(1);
  std::printf("%d\n", seen);
  return 0;
}
