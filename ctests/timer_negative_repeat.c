/*
 * A negative repeat value is a usage error: ev_timer_start aborts with
 * "libev: ev_timer_start called with negative timer repeat value", and so
 * does ev_timer_again on an inactive timer (it starts it). Negative
 * `after` values are fine (fire on the next iteration).
 */
#include <ev.h>
#include "testutil.h"

static void
start_neg (void)
{
  struct ev_loop *loop = ev_default_loop (0);
  ev_timer t;
  ev_timer_init (&t, 0, 1., -1.);
  ev_timer_start (loop, &t);
}

static void
start_tiny_neg (void)
{
  struct ev_loop *loop = ev_loop_new (0);
  ev_timer t;
  ev_timer_init (&t, 0, 0., -1e-9);
  ev_timer_start (loop, &t);
}

static void
again_neg (void)
{
  struct ev_loop *loop = ev_default_loop (0);
  ev_timer t;
  ev_timer_init (&t, 0, 1., -0.5);
  ev_timer_again (loop, &t);
}

static int calls;
static void
cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w;
  CHECK_EQ_INT (revents, EV_TIMER);
  calls++;
}

int
main (void)
{
  struct ev_loop *loop;
  ev_timer t;

  ALARM_GUARD (10);
  expect_abort (start_neg, "libev: ev_timer_start called with negative timer repeat value");
  expect_abort (start_tiny_neg, "libev: ev_timer_start called with negative timer repeat value");
  expect_abort (again_neg, "libev: ev_timer_start called with negative timer repeat value");

  /* negative after, zero repeat: legal */
  loop = ev_default_loop (0);
  ev_timer_init (&t, cb, -1., 0.);
  ev_timer_start (loop, &t);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (calls, 1);
  CHECK (!ev_is_active (&t));
  TEST_DONE ();
}
