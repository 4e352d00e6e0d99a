/* signal_storm.c — a SIGUSR1 handler and a loop whose lines a test steps
 * with `next` while another process sends SIGUSR1 as fast as it can.
 * Prints nothing; exits 0 after `rounds` iterations (argv[1], default
 * 200000). */
#include <signal.h>
#include <stdlib.h>

static volatile sig_atomic_t handled;
static volatile long sum;

static void on_usr1(int sig) { handled += sig == SIGUSR1; }

static long work(long i) { return i * 3 + 1; }

static volatile long spin;

int main(int argc, char **argv) {
  long rounds = argc > 1 ? atol(argv[1]) : 200000;
  struct sigaction sa = {0};
  sa.sa_handler = on_usr1;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, 0);
  while (spin < rounds) spin++; /* storm_spin */
  for (long i = 0; i < rounds; i++) {
    sum += work(i);   /* storm_line */
    sum -= i;         /* storm_next */
  }
  return 0;
}
