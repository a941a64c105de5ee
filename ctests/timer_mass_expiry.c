/*
 * 20,000 timers, most of them due in the same loop iteration (after a 40 ms
 * sleep): they fire in non-decreasing order of timeout, each exactly once, in
 * one iteration. Mixed in: timers pushed far out with ev_timer_again (never
 * fire, ev_timer_remaining keeps their time, some stopped from callbacks),
 * timers stopped before the run, and repeating timers that are rescheduled and
 * fire again later. A large heap is where an implementation may take shortcuts
 * (bulk expiry, postponed re-sorting, vacated slots); the results must not show it.
 */
#include <ev.h>
#include "testutil.h"

#define N 20000
static ev_timer ts[N];
static double after[N];
static int fired[N], stopped[N];
static double last_after = -1.;
static int nfired, order_bad, rev_bad, in_iteration;

enum { ONESHOT, POSTPONED, STOPPED, REPEATING };
static int kind_of (int i)
{
  return i % 3 == 0 ? POSTPONED : i % 7 == 0 ? STOPPED : i % 10 == 1 ? REPEATING : ONESHOT;
}

static void
cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  int i = (int)(w - ts), victim;
  if (revents != EV_TIMER) rev_bad++;
  fired[i]++;
  nfired++;
  if (in_iteration == 1)
    {
      if (after[i] < last_after)
        {
          if (!order_bad)
            fprintf (stderr, "timer %d (%.5f) fired after one with %.5f\n", i, after[i], last_after);
          order_bad++;
        }
      last_after = after[i];
    }
  /* every 5th callback stops a postponed timer somewhere in the heap */
  victim = (i * 7919) % N;
  victim -= victim % 3;
  if (nfired % 5 == 0 && ev_is_active (&ts[victim]))
    {
      ev_timer_stop (loop, &ts[victim]);
      stopped[victim] = 1;
    }
}

int
main (void)
{
  struct ev_loop *loop;
  unsigned int seed = 4242;
  int i, due = 0, repeating = 0, postponed_active = 0;

  ALARM_GUARD (10);
  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop) TEST_DONE ();

  ev_now_update (loop);
  for (i = 0; i < N; i++)
    {
      seed = seed * 1103515245u + 12345u;
      after[i] = (double)((seed >> 8) % 20000) / 1e6;   /* 0 .. 20 ms, 1 us steps */
      ev_timer_init (&ts[i], cb, after[i], kind_of (i) == REPEATING ? 0.2 : 0.);
      ev_timer_start (loop, &ts[i]);
    }
  for (i = 0; i < N; i++)
    switch (kind_of (i))
      {
      case POSTPONED:
        ts[i].repeat = 30. + i % 100;
        ev_timer_again (loop, &ts[i]);
        break;
      case STOPPED:
        ev_timer_stop (loop, &ts[i]);
        stopped[i] = 1;
        break;
      case REPEATING:
        repeating++;
        /* fall through */
      default:
        due++;
      }

  ev_sleep (0.04);
  ev_now_update (loop);
  in_iteration = 1;
  ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (nfired, due);
  CHECK_EQ_INT (order_bad, 0);
  for (i = 0; i < N; i++)
    {
      int k = kind_of (i);
      if (k == ONESHOT || k == REPEATING)
        CHECK_EQ_INT (fired[i], 1);
      else
        CHECK_EQ_INT (fired[i], 0);
      if (k == REPEATING)
        {
          /* rescheduled one repeat after its due time: in the future, at most 0.2 s
             away (how far depends on how long this iteration took) */
          CHECK (ev_is_active (&ts[i]));
          CHECK (ev_timer_remaining (loop, &ts[i]) > 0.);
          CHECK (ev_timer_remaining (loop, &ts[i]) <= 0.2 + 1e-6);
        }
      if (k == ONESHOT)
        CHECK (!ev_is_active (&ts[i]));
      if (k == POSTPONED)
        {
          CHECK_EQ_INT (!!ev_is_active (&ts[i]), !stopped[i]);
          if (!stopped[i])
            {
              postponed_active++;
              /* its own repeat, less the time since ev_timer_again */
              CHECK (ev_timer_remaining (loop, &ts[i]) <= 30. + i % 100 + 1e-6);
              CHECK (ev_timer_remaining (loop, &ts[i]) > 30. + i % 100 - 2.);
            }
        }
    }
  CHECK (postponed_active > 0 && postponed_active < N / 3);

  /* the repeaters come round again, alone */
  in_iteration = 2;
  nfired = 0;
  ev_sleep (0.25);
  ev_now_update (loop);
  ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (nfired, repeating);
  for (i = 0; i < N; i++)
    if (kind_of (i) == REPEATING)
      CHECK_EQ_INT (fired[i], 2);

  for (i = 0; i < N; i++)
    ev_timer_stop (loop, &ts[i]);
  CHECK_EQ_INT (ev_run (loop, EVRUN_NOWAIT), 0);
  CHECK_EQ_INT (rev_bad, 0);
  ev_loop_destroy (loop);
  TEST_DONE ();
}
