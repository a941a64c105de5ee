/*
 * 1000 timers with pseudo-random timeouts (0..100 ms, many duplicates):
 * each fires exactly once, in non-decreasing order of timeout, never before
 * its scheduled time; timers stopped before the run (every 7th) or from
 * another timer's callback never fire. Exercises the timer heap.
 */
#include <ev.h>
#include "testutil.h"

#define N 1000
static ev_timer ts[N];
static double after[N];
static int fired[N], stopped[N];
static double start;
static double last_after = -1.;
static int nfired, order_bad, early_bad, rev_bad;

static void
cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  int i = (int)(w - ts);
  int victim;
  if (revents != EV_TIMER) rev_bad++;
  fired[i]++;
  nfired++;
  if (after[i] < last_after)
    {
      if (!order_bad)
        fprintf (stderr, "timer %d (%.4f) fired after one with %.4f\n", i, after[i], last_after);
      order_bad++;
    }
  last_after = after[i];
  if (ev_now (loop) < start + after[i] - 0.001)
    early_bad++;
  /* some callbacks stop a later timer that has not fired yet */
  victim = (i * 37 + 11) % N;
  if (i % 5 == 0 && !fired[victim] && ev_is_active (&ts[victim])
      && after[victim] > after[i] + 0.002)
    {
      ev_timer_stop (loop, &ts[victim]);
      stopped[victim] = 1;
    }
}

int
main (void)
{
  struct ev_loop *loop;
  unsigned int seed = 12345;
  int i, expected = 0, nstopped = 0;

  ALARM_GUARD (5);
  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop) TEST_DONE ();

  ev_now_update (loop);
  start = ev_now (loop);
  for (i = 0; i < N; i++)
    {
      seed = seed * 1103515245u + 12345u;
      after[i] = (double)((seed >> 16) % 1001) / 10000.;   /* 0 .. 0.1 s, 0.1 ms steps */
      ev_timer_init (&ts[i], cb, after[i], 0.);
      ev_timer_start (loop, &ts[i]);
    }
  for (i = 0; i < N; i += 7)
    {
      ev_timer_stop (loop, &ts[i]);
      stopped[i] = 1;
    }
  ev_run (loop, 0);

  for (i = 0; i < N; i++)
    {
      if (stopped[i])
        {
          nstopped++;
          CHECK_EQ_INT (fired[i], 0);
        }
      else
        {
          expected++;
          if (fired[i] != 1)
            fprintf (stderr, "timer %d (%.4f) fired %d times\n", i, after[i], fired[i]);
          CHECK_EQ_INT (fired[i], 1);
        }
      CHECK (!ev_is_active (&ts[i]));
    }
  CHECK (nstopped > N / 7);   /* the callbacks did stop some */
  CHECK_EQ_INT (nfired, expected);
  CHECK_EQ_INT (order_bad, 0);
  CHECK_EQ_INT (early_bad, 0);
  CHECK_EQ_INT (rev_bad, 0);

  ev_loop_destroy (loop);
  TEST_DONE ();
}
