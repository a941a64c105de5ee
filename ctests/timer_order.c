/*
 * Timer ordering: timers fire in order of their timeouts (regardless of
 * start order), also when several expire within the same loop iteration;
 * timers with equal timeouts all fire in the same iteration, exactly once
 * each; a higher-priority timer goes first among simultaneous ones; inside
 * a callback ev_now() is not before the scheduled time.
 */
#include <ev.h>
#include "testutil.h"

#define N 8
static ev_timer ts[N];
static int order[64], norder;
static unsigned int iter_of[N];
static double now_of[N];
static int revs_bad;

static void
cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  int i = (int)(w - ts);
  if (revents != EV_TIMER) revs_bad++;
  if (norder < 64) order[norder++] = i;
  iter_of[i] = ev_iteration (loop);
  now_of[i] = ev_now (loop);
  CHECK (!ev_is_active (w));   /* non-repeating: stopped before the callback */
  CHECK (!ev_is_pending (w));
}

static void
reset (void)
{
  norder = 0;
  memset (iter_of, 0, sizeof iter_of);
}

int
main (void)
{
  struct ev_loop *loop;
  /* timeouts in ms, deliberately not in start order */
  static const int ms[N] = { 30, 10, 55, 20, 45, 5, 70, 40 };
  static const int want[N] = { 5, 1, 3, 0, 7, 4, 2, 6 };
  double start, sched[N];
  int i;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);

  /* 1: distinct timeouts, blocking loop */
  reset ();
  ev_now_update (loop);
  start = ev_now (loop);
  for (i = 0; i < N; i++)
    {
      ev_timer_init (&ts[i], cb, ms[i] / 1000., 0.);
      ev_timer_start (loop, &ts[i]);
      sched[i] = start + ms[i] / 1000.;
    }
  ev_run (loop, 0);
  CHECK_EQ_INT (norder, N);
  for (i = 0; i < N && i < norder; i++)
    CHECK_EQ_INT (order[i], want[i]);
  for (i = 0; i < N; i++)
    {
      /* allow 1 ms of wall-clock vs monotonic skew */
      if (now_of[i] < sched[i] - 0.001)
        fprintf (stderr, "timer %d: ev_now %.6f < scheduled %.6f\n", i, now_of[i], sched[i]);
      CHECK (now_of[i] >= sched[i] - 0.001);
      CHECK (now_of[i] < sched[i] + 0.3);
    }

  /* 2: all expired before the loop looks: still ordered by timeout, and
   * all in one iteration */
  reset ();
  ev_now_update (loop);
  for (i = 0; i < N; i++)
    {
      ev_timer_init (&ts[i], cb, ms[i] / 10000., 0.);  /* 0.5 .. 7 ms */
      ev_timer_start (loop, &ts[i]);
    }
  usleep (20000);
  ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (norder, N);
  for (i = 0; i < N && i < norder; i++)
    CHECK_EQ_INT (order[i], want[i]);
  for (i = 1; i < N; i++)
    CHECK_EQ_INT (iter_of[i], iter_of[0]);

  /* 3: equal timeouts: same iteration, each exactly once (the order among
   * them is not specified by the manual) */
  reset ();
  ev_now_update (loop);
  for (i = 0; i < 5; i++)
    {
      ev_timer_init (&ts[i], cb, 0.01, 0.);
      ev_timer_start (loop, &ts[i]);
    }
  ev_run (loop, 0);
  CHECK_EQ_INT (norder, 5);
  {
    int seen[5] = { 0 };
    for (i = 0; i < norder; i++)
      seen[order[i]]++;
    for (i = 0; i < 5; i++)
      CHECK_EQ_INT (seen[i], 1);
    for (i = 1; i < 5; i++)
      CHECK_EQ_INT (iter_of[i], iter_of[0]);
  }

  /* 4: equal timeouts, different priorities: higher priority first even
   * though the low ones were started first */
  reset ();
  ev_now_update (loop);
  for (i = 0; i < 4; i++)
    {
      ev_timer_init (&ts[i], cb, 0.01, 0.);
      ev_set_priority (&ts[i], i - 2 + (i >= 2));   /* -2, -1, 1, 2 */
      ev_timer_start (loop, &ts[i]);
    }
  ev_run (loop, 0);
  CHECK_EQ_INT (norder, 4);
  CHECK_EQ_INT (order[0], 3);
  CHECK_EQ_INT (order[1], 2);
  CHECK_EQ_INT (order[2], 1);
  CHECK_EQ_INT (order[3], 0);
  for (i = 0; i < 4; i++)
    ev_set_priority (&ts[i], 0);

  /* 5: an earlier timer with lower priority vs a later one with higher
   * priority, both expired when the loop looks: priority wins */
  reset ();
  ev_now_update (loop);
  ev_timer_init (&ts[0], cb, 0.001, 0.);
  ev_timer_init (&ts[1], cb, 0.005, 0.);
  ev_set_priority (&ts[1], 1);
  ev_timer_start (loop, &ts[0]);
  ev_timer_start (loop, &ts[1]);
  usleep (15000);
  ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (norder, 2);
  CHECK_EQ_INT (order[0], 1);
  CHECK_EQ_INT (order[1], 0);
  ev_set_priority (&ts[1], 0);

  CHECK_EQ_INT (revs_bad, 0);
  TEST_DONE ();
}
