/*
 * Timers are relative to the loop time ev_now(), not to ev_time(): a timer
 * started from a callback that spent a while without ev_now_update()
 * expires that much earlier (measured in real time); after ev_now_update()
 * it gets its full delay. ev_now stays constant within one iteration.
 */
#include <ev.h>
#include "testutil.h"

static ev_timer kick, probe;
static double t_started, t_fired;
static int update_first;
static int fired;
static double now_a, now_b;

static void
probe_cb (struct ev_loop *loop, ev_timer *w, int r)
{
  (void)loop; (void)w; (void)r;
  t_fired = ev_time ();
  fired++;
}

static void
kick_cb (struct ev_loop *loop, ev_timer *w, int r)
{
  (void)w; (void)r;
  now_a = ev_now (loop);
  usleep (40000);              /* "long" work, loop time not updated */
  now_b = ev_now (loop);
  if (update_first)
    ev_now_update (loop);
  ev_timer_init (&probe, probe_cb, 0.03, 0.);
  /* real time of the start; after an update that is what ev_now says */
  t_started = update_first ? ev_now (loop) : ev_time ();
  ev_timer_start (loop, &probe);
}

int
main (void)
{
  struct ev_loop *loop;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);

  /* stale loop time: the 30 ms timer is already 40 ms "late" when started */
  ev_timer_init (&kick, kick_cb, 0.001, 0.);
  ev_timer_start (loop, &kick);
  ev_run (loop, 0);
  CHECK_EQ_INT (fired, 1);
  CHECK_NEAR (now_a, now_b, 0.);       /* ev_now did not move by itself */
  CHECK (t_fired - t_started < 0.02);

  /* with ev_now_update first: the full 30 ms */
  fired = 0;
  update_first = 1;
  ev_timer_init (&kick, kick_cb, 0.001, 0.);
  ev_timer_start (loop, &kick);
  ev_run (loop, 0);
  CHECK_EQ_INT (fired, 1);
  CHECK (t_fired - t_started >= 0.029);
  CHECK (t_fired - t_started < 0.3);

  TEST_DONE ();
}
