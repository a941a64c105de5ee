/*
 * An io watcher with an empty event mask (allowed since libev 4.32): it is
 * active (keeps ev_run alive, counts for ev_run's return value) but never
 * receives events, even on a readable and writable fd. Modifying it to a
 * real mask later makes it work.
 */
#include <ev.h>
#include <sys/socket.h>
#include "testutil.h"

static int io_calls;
static int io_rev;
static ev_io zw;
static int stopper_ran;

static void
io_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  (void)loop; (void)w;
  io_calls++;
  io_rev = revents;
}

static void
stopper_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  stopper_ran = 1;
  CHECK (ev_is_active (&zw));
  ev_io_stop (loop, &zw);
}

static void
one_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  io_calls++;
  io_rev = revents;
  ev_io_stop (loop, w);
}

int
main (void)
{
  struct ev_loop *loop;
  int sv[2];
  ev_timer stopper;
  double t0, dt;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  CHECK_EQ_INT (write (sv[1], "x", 1), 1);   /* readable and writable */

  ev_io_init (&zw, io_cb, sv[0], 0);
  CHECK_EQ_INT (zw.events, EV__IOFDSET);
  ev_io_start (loop, &zw);
  CHECK (ev_is_active (&zw));
  CHECK_EQ_INT (zw.events, 0);

  /* active watcher => ev_run reports "still active watchers" */
  CHECK (ev_run (loop, EVRUN_NOWAIT) != 0);
  CHECK (ev_run (loop, EVRUN_NOWAIT) != 0);
  CHECK_EQ_INT (io_calls, 0);

  /* ev_run(0) keeps running until the stopper stops the 0-mask watcher */
  ev_timer_init (&stopper, stopper_cb, 0.05, 0.);
  ev_now_update (loop);
  t0 = ev_now (loop);
  ev_timer_start (loop, &stopper);
  CHECK_EQ_INT (ev_run (loop, 0), 0);
  dt = ev_time () - t0;
  CHECK (stopper_ran);
  CHECK (dt >= 0.04);
  CHECK (dt < 0.5);
  CHECK_EQ_INT (io_calls, 0);
  CHECK (!ev_is_active (&zw));

  /* the same watcher modified to READ|WRITE gets both */
  ev_io_modify (&zw, EV_READ | EV_WRITE);
  ev_set_cb (&zw, one_cb);
  ev_io_start (loop, &zw);
  CHECK_EQ_INT (ev_run (loop, 0), 0);
  CHECK_EQ_INT (io_calls, 1);
  CHECK_EQ_INT (io_rev, EV_READ | EV_WRITE);

  /* a 0-mask watcher does not disturb a real watcher on the same fd */
  {
    ev_io rw;
    io_calls = 0;
    ev_io_init (&zw, io_cb, sv[0], 0);
    ev_io_init (&rw, one_cb, sv[0], EV_READ);
    ev_io_start (loop, &zw);
    ev_io_start (loop, &rw);
    {
      int i; /* tolerate iterations without callbacks (spurious wakeups) */
      for (i = 0; i < 10 && !io_calls; i++)
        ev_run (loop, EVRUN_ONCE);
    }
    CHECK_EQ_INT (io_calls, 1);
    CHECK_EQ_INT (io_rev, EV_READ);
    CHECK (!ev_is_active (&rw));
    CHECK (ev_is_active (&zw));
    ev_io_stop (loop, &zw);
  }

  CHECK_EQ_INT (ev_run (loop, EVRUN_NOWAIT), 0);
  TEST_DONE ();
}
