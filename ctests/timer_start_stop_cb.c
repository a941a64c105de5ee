/*
 * Starting and stopping timers from inside timer callbacks:
 *  - stopping a timer that expired in the same iteration (pending) prevents
 *    its callback
 *  - a one-shot timer may re-arm itself (ev_timer_set + ev_timer_start)
 *  - a 0-timeout timer started in a callback fires in a later iteration,
 *    not in the current one
 *  - a repeating timer stopped in its own callback fires no more
 *  - a timer started in a callback with a short timeout overtakes longer
 *    timers that are already running
 */
#include <ev.h>
#include "testutil.h"

static ev_timer a, b, c, z, rep, longer, shorter;
static int na, nb, nz, nrep, nlonger, nshorter, seq, seq_longer, seq_shorter;
static unsigned int iter_a, iter_z;

static void
a_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  na++;
  iter_a = ev_iteration (loop);
  CHECK (ev_is_pending (&b));     /* b expired in the same iteration */
  ev_timer_stop (loop, &b);
  CHECK (!ev_is_pending (&b));
  CHECK (!ev_is_active (&b));
}

static void
b_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  nb++;
}

static void
rearm_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)revents;
  na++;
  CHECK (!ev_is_active (w));
  if (na < 3)
    {
      ev_timer_set (w, 0.005, 0.);
      ev_timer_start (loop, w);
      CHECK (ev_is_active (w));
    }
}

static void
z_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  nz++;
  iter_z = ev_iteration (loop);
}

static void
starter_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  iter_a = ev_iteration (loop);
  ev_timer_init (&z, z_cb, 0., 0.);
  ev_timer_start (loop, &z);
  CHECK (!ev_is_pending (&z));
}

static void
rep_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)revents;
  nrep++;
  if (nrep == 3)
    ev_timer_stop (loop, w);
}

static void
order_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)revents;
  if (w == &longer) { nlonger++; seq_longer = ++seq; }
  else              { nshorter++; seq_shorter = ++seq; }
}

static void
spawn_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_timer_init (&shorter, order_cb, 0.005, 0.);
  ev_timer_start (loop, &shorter);
}

static int expired;
static void
guard_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  expired = 1;
}

int
main (void)
{
  struct ev_loop *loop;
  ev_timer g;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);

  /* stop a pending timer from an earlier timer's callback */
  ev_timer_init (&a, a_cb, 0.001, 0.);
  ev_timer_init (&b, b_cb, 0.002, 0.);
  ev_timer_start (loop, &b);
  ev_timer_start (loop, &a);
  usleep (10000);
  ev_run (loop, 0);
  CHECK_EQ_INT (na, 1);
  CHECK_EQ_INT (nb, 0);

  /* self re-arming one-shot */
  na = 0;
  ev_timer_init (&c, rearm_cb, 0.005, 0.);
  ev_timer_start (loop, &c);
  ev_run (loop, 0);
  CHECK_EQ_INT (na, 3);
  CHECK (!ev_is_active (&c));

  /* 0-timeout timer started in a callback: next iteration */
  ev_timer_init (&a, starter_cb, 0.001, 0.);
  ev_timer_start (loop, &a);
  ev_run (loop, 0);
  CHECK_EQ_INT (nz, 1);
  CHECK (iter_z > iter_a);

  /* repeating timer stopped in its own callback */
  ev_timer_init (&rep, rep_cb, 0.002, 0.002);
  ev_timer_start (loop, &rep);
  ev_run (loop, 0);
  CHECK_EQ_INT (nrep, 3);
  expired = 0;
  ev_timer_init (&g, guard_cb, 0.02, 0.);
  ev_timer_start (loop, &g);
  ev_run (loop, 0);
  CHECK (expired);
  CHECK_EQ_INT (nrep, 3);

  /* a short timer started from a callback overtakes a running long one */
  ev_timer_init (&longer, order_cb, 0.03, 0.);
  ev_timer_init (&a, spawn_cb, 0.005, 0.);
  ev_timer_start (loop, &longer);
  ev_timer_start (loop, &a);
  ev_run (loop, 0);
  CHECK_EQ_INT (nlonger, 1);
  CHECK_EQ_INT (nshorter, 1);
  CHECK_EQ_INT (seq_shorter, 1);
  CHECK_EQ_INT (seq_longer, 2);

  TEST_DONE ();
}
