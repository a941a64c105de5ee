/*
 * Repeating timers and zero/negative timeouts: a repeating timer fires
 * again and again with about `repeat` between invocations (no drift towards
 * "too early"), stays active inside its callback, and never fires more than
 * once per loop iteration even when the loop falls behind. A timer with a
 * 0 (or negative) timeout fires on the next iteration.
 */
#include <ev.h>
#include "testutil.h"

static int n;
static double stamps[32];
static unsigned int iters[32];
static double rem_in_cb = -1;

static void
rep_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  CHECK_EQ_INT (revents, EV_TIMER);
  CHECK (ev_is_active (w));
  if (n < 32)
    {
      stamps[n] = ev_now (loop);
      iters[n] = ev_iteration (loop);
    }
  n++;
  if (n == 2)
    rem_in_cb = ev_timer_remaining (loop, w);
  if (n == 6)
    ev_timer_stop (loop, w);
}

static void
slow_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)revents;
  if (n < 32)
    iters[n] = ev_iteration (loop);
  n++;
  if (n <= 3)
    usleep (15000);     /* 7 repeat periods behind */
  if (n == 5)
    ev_timer_stop (loop, w);
}

static int zcalls;
static void
zero_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop;
  CHECK_EQ_INT (revents, EV_TIMER);
  CHECK (!ev_is_active (w));
  zcalls++;
}

int
main (void)
{
  struct ev_loop *loop;
  ev_timer t, z;
  double t0;
  int i;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);

  /* after 10 ms, then every 10 ms; stopped in the 6th callback */
  ev_now_update (loop);
  t0 = ev_now (loop);
  ev_timer_init (&t, rep_cb, 0.01, 0.01);
  ev_timer_start (loop, &t);
  ev_run (loop, 0);
  CHECK_EQ_INT (n, 6);
  CHECK (!ev_is_active (&t));
  CHECK (stamps[0] >= t0 + 0.01 - 0.001);
  for (i = 1; i < 6; i++)
    {
      /* the i-th firing is scheduled at t0 + 10ms * (i + 1): never before
       * that (1 ms clock skew allowed); single intervals may be shorter
       * than `repeat` when the previous firing was late (drift avoidance) */
      double sched = t0 + 0.01 * (i + 1);
      CHECK (iters[i] > iters[i - 1]);
      if (stamps[i] < sched - 0.001 || stamps[i] > sched + 0.1)
        fprintf (stderr, "firing %d at +%.6f, scheduled +%.6f\n", i, stamps[i] - t0, sched - t0);
      CHECK (stamps[i] >= sched - 0.001);
      CHECK (stamps[i] < sched + 0.1);
    }
  /* no drift: 6 firings of a 10 ms timer take about 60 ms */
  CHECK (stamps[5] - t0 >= 0.059);
  CHECK (stamps[5] - t0 < 0.2);
  /* inside the callback the timer was already rescheduled by `repeat` */
  CHECK (rem_in_cb >= 0.);  /* rescheduled: not in the past (how far ahead depends on lateness) */
  CHECK (rem_in_cb <= 0.0101);

  /* a loop that falls behind: at most one invocation per iteration */
  n = 0;
  ev_timer_init (&t, slow_cb, 0.002, 0.002);
  ev_timer_start (loop, &t);
  ev_run (loop, 0);
  CHECK_EQ_INT (n, 5);
  for (i = 1; i < 5; i++)
    CHECK (iters[i] > iters[i - 1]);

  /* 0 timeout: fires in the very next iteration, even a non-blocking one */
  ev_timer_init (&z, zero_cb, 0., 0.);
  ev_timer_start (loop, &z);
  CHECK (ev_is_active (&z));
  CHECK_EQ_INT (zcalls, 0);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (zcalls, 1);
  CHECK (!ev_is_active (&z));
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (zcalls, 1);

  /* negative timeout: same */
  ev_timer_init (&z, zero_cb, -0.5, 0.);
  ev_timer_start (loop, &z);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (zcalls, 2);

  /* 0 timeout started with other long timers around: does not wait for them */
  {
    ev_timer longt;
    ev_timer_init (&longt, zero_cb, 5., 0.);
    ev_timer_start (loop, &longt);
    ev_timer_init (&z, zero_cb, 0., 0.);
    ev_timer_start (loop, &z);
    t0 = ev_time ();
    ev_run (loop, EVRUN_ONCE);
    CHECK (ev_time () - t0 < 0.5);
    CHECK_EQ_INT (zcalls, 3);
    CHECK (ev_is_active (&longt));
    ev_timer_stop (loop, &longt);
  }

  /* after 0 with a repeat: immediately, then periodically */
  n = 0;
  memset (stamps, 0, sizeof stamps);
  ev_now_update (loop);
  t0 = ev_now (loop);
  ev_timer_init (&t, rep_cb, 0., 0.01);
  ev_timer_start (loop, &t);
  ev_run (loop, 0);
  CHECK_EQ_INT (n, 6);
  CHECK (stamps[0] - t0 < 0.009);
  CHECK (stamps[5] - t0 >= 0.049);

  TEST_DONE ();
}
