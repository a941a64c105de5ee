/* ev_signal_start usage errors abort with libev's messages: a signal
 * watched by two different loops at once, and illegal signal numbers
 * (0 and 65 = EV_NSIG on Linux).  Signal 64 (SIGRTMAX) is legal. */
#include <ev.h>
#include "testutil.h"

static void cb(struct ev_loop *loop, ev_signal *w, int revents)
{
  (void)loop; (void)w; (void)revents;
}

static void two_loops(void)
{
  static ev_signal w1, w2;
  struct ev_loop *a = ev_loop_new(0), *b = ev_loop_new(0);
  if (!a || !b) _exit(3);
  ev_signal_init(&w1, cb, SIGUSR1);
  ev_signal_init(&w2, cb, SIGUSR1);
  ev_signal_start(a, &w1);
  ev_signal_start(b, &w2);
}

static void default_and_other(void)
{
  static ev_signal w1, w2;
  struct ev_loop *b = ev_loop_new(0);
  if (!b) _exit(3);
  ev_signal_init(&w1, cb, SIGUSR2);
  ev_signal_init(&w2, cb, SIGUSR2);
  ev_signal_start(b, &w2);
  ev_signal_start(ev_default_loop(0), &w1);
}

static void signum_zero(void)
{
  static ev_signal w;
  ev_signal_init(&w, cb, 0);
  ev_signal_start(ev_default_loop(0), &w);
}

static void signum_65(void)
{
  static ev_signal w;
  ev_signal_init(&w, cb, 65);
  ev_signal_start(ev_default_loop(0), &w);
}

static void signum_negative(void)
{
  static ev_signal w;
  ev_signal_init(&w, cb, -1);
  ev_signal_start(ev_default_loop(0), &w);
}

int main(void)
{
  struct ev_loop *a, *b;
  ev_signal w1, w2;

  ALARM_GUARD(10);

  expect_abort(two_loops, "libev: a signal must not be attached to two different loops");
  expect_abort(default_and_other, "libev: a signal must not be attached to two different loops");
  expect_abort(signum_zero, "libev: ev_signal_start called with illegal signal number");
  expect_abort(signum_65, "libev: ev_signal_start called with illegal signal number");
  expect_abort(signum_negative, "libev: ev_signal_start called with illegal signal number");

  /* legal: the same signal on two loops one after the other, 64, and two
   * watchers for one signal on one loop */
  a = ev_loop_new(0);
  b = ev_loop_new(0);
  CHECK(a && b);
  if (!a || !b) TEST_DONE();
  ev_signal_init(&w1, cb, SIGUSR1);
  ev_signal_init(&w2, cb, SIGUSR1);
  ev_signal_start(a, &w1);
  ev_signal_start(a, &w2);
  CHECK(ev_is_active(&w1) && ev_is_active(&w2));
  ev_signal_stop(a, &w1);
  ev_signal_stop(a, &w2);
  ev_signal_start(b, &w1);
  CHECK(ev_is_active(&w1));
  ev_signal_stop(b, &w1);
  ev_signal_init(&w2, cb, 64);
  ev_signal_start(a, &w2);
  CHECK(ev_is_active(&w2));
  ev_signal_stop(a, &w2);
  CHECK(!ev_is_active(&w2));
  ev_loop_destroy(a);
  ev_loop_destroy(b);

  TEST_DONE();
}
