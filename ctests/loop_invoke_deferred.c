/* A custom invoke-pending hook that leaves events queued (as a program that
 * hands callbacks to another thread does) must not make the loop spin: with a
 * fired timer left pending, ev_run (EVRUN_ONCE) still blocks until the next
 * event (here a second timer 80 ms later). */
/* OURS-ONLY: libev 4.33 passes this with select, poll and epoll, but its io_uring backend returns from ev_run in a busy loop (1000+ times in 70 ms) while the event stays pending */
#include <ev.h>
#include "testutil.h"

static int hook_calls, fired_a, fired_b;

static void
cb_a (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  fired_a++;
}

static void
cb_b (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  fired_b++;
}

/* defer everything: nothing is invoked */
static void
lazy_hook (struct ev_loop *loop)
{
  (void)loop;
  hook_calls++;
}

int
main (void)
{
  struct ev_loop *loop;
  ev_timer a, b;
  int runs = 0;
  double t0;

  ALARM_GUARD (5);
  loop = ev_loop_new (0);
  CHECK (loop != NULL);
  if (!loop)
    TEST_DONE ();
  ev_set_invoke_pending_cb (loop, lazy_hook);
  ev_timer_init (&a, cb_a, 0.01, 0.);
  ev_timer_start (loop, &a);
  ev_timer_init (&b, cb_b, 0.09, 0.);
  ev_timer_start (loop, &b);

  t0 = ev_time ();
  /* a fires after ~10 ms and stays pending; the loop must then sleep until b */
  while (ev_time () - t0 < 0.07)
    {
      ev_run (loop, EVRUN_ONCE);
      runs++;
      if (runs > 1000)
        break;
    }
  CHECK (ev_is_pending (&a));
  CHECK_EQ_INT (fired_a, 0);
  /* one run until a fired, one that blocked until b: a spinning loop would
   * have returned hundreds of times */
  if (runs > 10)
    fprintf (stderr, "ev_run returned %d times in 70 ms\n", runs);
  CHECK (runs <= 10);

  ev_set_invoke_pending_cb (loop, ev_invoke_pending);
  ev_invoke_pending (loop);
  CHECK_EQ_INT (fired_a, 1);
  ev_loop_destroy (loop);
  TEST_DONE ();
}
