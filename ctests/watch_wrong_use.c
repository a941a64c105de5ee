/*
 * Harmless misuse that libev tolerates:
 *  - starting an already active watcher is a no-op (io, timer, idle,
 *    prepare, check): it is not counted twice (one stop makes ev_run
 *    return 0), not invoked twice per iteration, and a timer is not
 *    restarted (remaining time keeps running down)
 *  - stopping an inactive watcher (never started, or stopped twice) is a
 *    no-op and does not disturb other watchers
 *  - ev_clear_pending on a watcher that is not pending returns 0
 */
#include <ev.h>
#include <sys/socket.h>
#include "testutil.h"

static int nio, nidle, nprep, ncheck, ntimer;
static void io_cb (struct ev_loop *l, ev_io *w, int r) { (void)l; (void)w; (void)r; nio++; }
static void idle_cb (struct ev_loop *l, ev_idle *w, int r) { (void)l; (void)w; (void)r; nidle++; }
static void prep_cb (struct ev_loop *l, ev_prepare *w, int r) { (void)l; (void)w; (void)r; nprep++; }
static void check_cb (struct ev_loop *l, ev_check *w, int r) { (void)l; (void)w; (void)r; ncheck++; }
static void timer_cb (struct ev_loop *l, ev_timer *w, int r) { (void)l; (void)w; (void)r; ntimer++; }

int
main (void)
{
  struct ev_loop *loop;
  int sv[2];
  ev_io io, io2;
  ev_idle idle;
  ev_prepare prep;
  ev_check chk;
  ev_timer t, t2;
  double r1;

  ALARM_GUARD (5);
  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop) TEST_DONE ();
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  CHECK_EQ_INT (write (sv[1], "x", 1), 1);

  /* double start of an io watcher */
  ev_io_init (&io, io_cb, sv[0], EV_READ);
  ev_io_start (loop, &io);
  ev_io_start (loop, &io);
  CHECK (ev_is_active (&io));
  ev_run (loop, EVRUN_NOWAIT);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (nio, 2);               /* once per iteration, not twice */
  ev_io_stop (loop, &io);
  CHECK (!ev_is_active (&io));
  CHECK_EQ_INT (ev_run (loop, EVRUN_NOWAIT), 0);   /* nothing left */
  CHECK_EQ_INT (ev_run (loop, 0), 0);              /* returns at once */
  CHECK_EQ_INT (nio, 2);

  /* double start of idle, prepare, check */
  ev_idle_init (&idle, idle_cb);
  ev_prepare_init (&prep, prep_cb);
  ev_check_init (&chk, check_cb);
  ev_idle_start (loop, &idle);
  ev_idle_start (loop, &idle);
  ev_prepare_start (loop, &prep);
  ev_prepare_start (loop, &prep);
  ev_check_start (loop, &chk);
  ev_check_start (loop, &chk);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (nidle, 1);
  CHECK_EQ_INT (nprep, 1);
  CHECK_EQ_INT (ncheck, 1);
  ev_idle_stop (loop, &idle);
  ev_prepare_stop (loop, &prep);
  ev_check_stop (loop, &chk);
  CHECK (!ev_is_active (&idle));
  CHECK (!ev_is_active (&prep));
  CHECK (!ev_is_active (&chk));
  CHECK_EQ_INT (ev_run (loop, EVRUN_NOWAIT), 0);
  CHECK_EQ_INT (nidle, 1);
  CHECK_EQ_INT (nprep, 1);
  CHECK_EQ_INT (ncheck, 1);

  /* double start of a timer does not restart it */
  ev_timer_init (&t, timer_cb, 0.05, 0.);
  ev_now_update (loop);
  ev_timer_start (loop, &t);
  usleep (20000);
  ev_now_update (loop);
  r1 = ev_timer_remaining (loop, &t);
  CHECK (r1 < 0.031);
  ev_timer_start (loop, &t);
  CHECK_NEAR (ev_timer_remaining (loop, &t), r1, 1e-6);
  ev_run (loop, 0);
  CHECK_EQ_INT (ntimer, 1);             /* fired once, then loop empty */
  CHECK (!ev_is_active (&t));

  /* stopping inactive watchers: no-ops */
  ev_io_init (&io2, io_cb, sv[0], EV_READ);
  ev_io_stop (loop, &io2);              /* never started */
  ev_io_stop (loop, &io);               /* stopped before */
  ev_timer_init (&t2, timer_cb, 1., 0.);
  ev_timer_stop (loop, &t2);
  ev_timer_stop (loop, &t);             /* expired before */
  ev_idle_stop (loop, &idle);
  ev_prepare_stop (loop, &prep);
  ev_check_stop (loop, &chk);
  CHECK (!ev_is_active (&io2));
  CHECK (!ev_is_active (&t2));
  CHECK_NEAR (ev_timer_remaining (loop, &t2), 1., 1e-9);
  CHECK_EQ_INT (ev_run (loop, EVRUN_NOWAIT), 0);

  /* ... and do not disturb active ones */
  nio = 0;
  ev_io_start (loop, &io);
  ev_io_stop (loop, &io2);
  ev_io_stop (loop, &io2);
  CHECK (ev_is_active (&io));
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (nio, 1);
  CHECK (ev_run (loop, EVRUN_NOWAIT) != 0);
  CHECK_EQ_INT (nio, 2);
  ev_io_stop (loop, &io);
  ev_io_stop (loop, &io);
  CHECK_EQ_INT (ev_run (loop, EVRUN_NOWAIT), 0);

  /* ev_clear_pending on non-pending watchers */
  CHECK_EQ_INT (ev_clear_pending (loop, &io), 0);
  CHECK_EQ_INT (ev_clear_pending (loop, &io2), 0);
  CHECK_EQ_INT (ev_clear_pending (loop, &t2), 0);
  CHECK_EQ_INT (ev_clear_pending (loop, &idle), 0);
  ev_timer_start (loop, &t2);
  CHECK_EQ_INT (ev_clear_pending (loop, &t2), 0);  /* active, not pending */
  CHECK (ev_is_active (&t2));
  ev_timer_stop (loop, &t2);

  /* a pending io watcher that gets stopped is not invoked */
  nio = 0;
  ev_io_start (loop, &io);
  ev_feed_event (loop, &io, EV_READ);
  ev_io_stop (loop, &io);
  CHECK (!ev_is_pending (&io));
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (nio, 0);

  close (sv[0]); close (sv[1]);
  ev_loop_destroy (loop);
  TEST_DONE ();
}
