/* cxx_exc_threads.cc — two threads throw and catch all the time while main
 * calls work(), whose callee throws too: a `next` over that call in main's
 * thread must stop at work()'s handler every time, the other threads'
 * passes through the unwinder never stopping anything. */
#include <atomic>
#include <cstdio>
#include <stdexcept>
#include <thread>

static std::atomic<int> n;
static std::atomic<bool> done;

static void __attribute__((noinline)) thr(int v) {
  if (v >= 0) throw std::runtime_error("x");
}

static void spin() {
  while (!done) {
    try {
      thr(1);
    } catch (const std::exception &) {
      n++;
    }
  }
}

int __attribute__((noinline)) work() {
  try {
    thr(1); /* mt_call */
  } catch (const std::exception &) {
    n += 1000; /* mt_handler */
  }
  return n;
}

int main() {
  std::thread a(spin), b(spin);
  for (int k = 0; k < 20; k++) work();
  done = true;
  a.join();
  b.join();
  std::printf("%d\n", (int)n > 0);
  return 0;
}
