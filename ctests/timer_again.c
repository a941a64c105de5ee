/*
 * ev_timer_again: on an inactive timer with repeat > 0 it starts the timer
 * with `repeat` as timeout (ignoring `after`); on an active one it restarts
 * it from now; with repeat == 0 it stops an active timer without invoking it
 * and leaves an inactive one alone; it always clears a pending event; a
 * changed `repeat` value takes effect with the next ev_timer_again.
 */
#include <ev.h>
#include "testutil.h"

static int calls;
static double fired_at;

static void
cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w;
  CHECK_EQ_INT (revents, EV_TIMER);
  calls++;
  fired_at = ev_now (loop);
  ev_break (loop, EVBREAK_ONE);
}

static void
restarter_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  ev_timer *target = (ev_timer *)w->data;
  (void)revents;
  ev_timer_again (loop, target);
}

static void
guard_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break (loop, EVBREAK_ONE);
}

int
main (void)
{
  struct ev_loop *loop;
  ev_timer t, r, g;
  double t0;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);

  /* 1: inactive, repeat > 0: started with `repeat` as the timeout */
  ev_timer_init (&t, cb, 5., 0.02);
  ev_now_update (loop);
  t0 = ev_now (loop);
  ev_timer_again (loop, &t);
  CHECK (ev_is_active (&t));
  CHECK_NEAR (ev_timer_remaining (loop, &t), 0.02, 1e-9);
  calls = 0;
  ev_run (loop, 0);
  CHECK_EQ_INT (calls, 1);
  CHECK (fired_at - t0 >= 0.019);
  CHECK (fired_at - t0 < 0.3);
  /* still repeating */
  CHECK (ev_is_active (&t));
  ev_timer_stop (loop, &t);

  /* 2: active: restarted from now, so it fires `repeat` after the again */
  ev_timer_init (&t, cb, 0.05, 0.05);
  ev_timer_init (&r, restarter_cb, 0.03, 0.);
  r.data = &t;
  ev_now_update (loop);
  t0 = ev_now (loop);
  ev_timer_start (loop, &t);
  ev_timer_start (loop, &r);
  calls = 0;
  ev_run (loop, 0);
  CHECK_EQ_INT (calls, 1);
  CHECK (fired_at - t0 >= 0.079);   /* 30 ms + 50 ms, not 50 ms */
  CHECK (fired_at - t0 < 0.4);
  ev_timer_stop (loop, &t);

  /* 3: active with repeat 0: stopped, callback not invoked */
  ev_timer_init (&t, cb, 0.01, 0.);
  ev_timer_start (loop, &t);
  ev_timer_again (loop, &t);
  CHECK (!ev_is_active (&t));
  CHECK (!ev_is_pending (&t));
  calls = 0;
  ev_timer_init (&g, guard_cb, 0.03, 0.);
  ev_timer_start (loop, &g);
  ev_run (loop, 0);
  CHECK_EQ_INT (calls, 0);

  /* 4: inactive with repeat 0: stays inactive */
  ev_timer_again (loop, &t);
  CHECK (!ev_is_active (&t));
  CHECK_EQ_INT (ev_run (loop, EVRUN_NOWAIT), 0);

  /* 5: pending timer: ev_timer_again clears the pending event */
  ev_timer_init (&t, cb, 0.5, 0.5);
  ev_timer_start (loop, &t);
  ev_feed_event (loop, &t, EV_TIMER);
  CHECK (ev_is_pending (&t));
  ev_timer_again (loop, &t);
  CHECK (!ev_is_pending (&t));
  CHECK (ev_is_active (&t));
  calls = 0;
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (calls, 0);
  /* pending + repeat 0: cleared and stopped */
  ev_feed_event (loop, &t, EV_TIMER);
  t.repeat = 0.;
  ev_timer_again (loop, &t);
  CHECK (!ev_is_pending (&t));
  CHECK (!ev_is_active (&t));
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (calls, 0);
  /* pending but inactive (fed only) with repeat > 0: cleared and started */
  ev_timer_init (&t, cb, 0., 0.02);
  ev_feed_event (loop, &t, EV_TIMER);
  ev_timer_again (loop, &t);
  CHECK (!ev_is_pending (&t));
  CHECK (ev_is_active (&t));
  CHECK_NEAR (ev_timer_remaining (loop, &t), 0.02, 1e-9);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (calls, 0);

  /* 6: a changed repeat takes effect on the next again (active timer) */
  t.repeat = 0.01;
  ev_timer_again (loop, &t);
  CHECK_NEAR (ev_timer_remaining (loop, &t), 0.01, 1e-9);
  ev_now_update (loop);
  t0 = ev_now (loop);
  ev_timer_again (loop, &t);
  calls = 0;
  ev_run (loop, 0);
  CHECK_EQ_INT (calls, 1);
  CHECK (fired_at - t0 >= 0.009);
  CHECK (fired_at - t0 < 0.019 + 0.3);
  /* it keeps repeating with the new value */
  ev_now_update (loop);
  t0 = ev_now (loop);
  ev_run (loop, 0);
  CHECK_EQ_INT (calls, 2);
  CHECK (fired_at - t0 < 0.3);
  ev_timer_stop (loop, &t);
  CHECK (!ev_is_active (&t));

  TEST_DONE ();
}
