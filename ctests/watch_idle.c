/*
 * Idle watchers: invoked only in iterations in which no other watcher (of
 * the same or higher priority) has an event pending - io readiness or an
 * expired timer suppress them, prepare/check watchers do not; while an idle
 * watcher is active the loop does not block (even with a long timer around).
 * Also: events fed before ev_run are invoked on entry to ev_run.
 */
#include <ev.h>
#include <fcntl.h>
#include <sys/socket.h>
#include "testutil.h"

static int nidle, nio, ntimer, nfeed, nprep, ncheck;
static char seq[64];
static int nseq;

static void
add (char c)
{
  if (nseq < 63) seq[nseq++] = c;
  seq[nseq] = 0;
}

static void idle_cb (struct ev_loop *l, ev_idle *w, int r)
{ (void)l; (void)w; CHECK_EQ_INT (r, EV_IDLE); nidle++; add ('I'); }
static void io_cb (struct ev_loop *l, ev_io *w, int r)
{ (void)l; (void)w; (void)r; nio++; add ('O'); }
static void timer_cb (struct ev_loop *l, ev_timer *w, int r)
{ (void)l; (void)w; (void)r; ntimer++; add ('T'); }
static void feed_cb (struct ev_loop *l, ev_watcher *w, int r)
{ (void)l; (void)w; (void)r; nfeed++; add ('F'); }
static void prep_cb (struct ev_loop *l, ev_prepare *w, int r)
{ (void)l; (void)w; CHECK_EQ_INT (r, EV_PREPARE); nprep++; add ('P'); }
static void check_cb (struct ev_loop *l, ev_check *w, int r)
{ (void)l; (void)w; CHECK_EQ_INT (r, EV_CHECK); ncheck++; add ('C'); }

static int self_stop_n;
static void
self_stop_idle (struct ev_loop *loop, ev_idle *w, int r)
{
  (void)r;
  if (++self_stop_n == 50)
    ev_idle_stop (loop, w);
}

static void
reset (void)
{
  nidle = nio = ntimer = nfeed = nprep = ncheck = nseq = 0;
  seq[0] = 0;
}

int
main (void)
{
  struct ev_loop *loop;
  int sv[2], i;
  char buf[8];
  ev_idle idle;
  ev_io io;
  ev_timer t, longt;
  ev_watcher fw;
  ev_prepare p;
  ev_check c;
  double t0;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  fcntl (sv[0], F_SETFL, O_NONBLOCK);

  ev_idle_init (&idle, idle_cb);
  ev_idle_start (loop, &idle);
  CHECK (ev_is_active (&idle));

  /* alone: called in every iteration, and the loop never blocks even
   * though a 10 s timer is active */
  ev_timer_init (&longt, timer_cb, 10., 0.);
  ev_timer_start (loop, &longt);
  reset ();
  t0 = ev_time ();
  for (i = 0; i < 100; i++)
    ev_run (loop, EVRUN_ONCE);
  CHECK (ev_time () - t0 < 0.5);
  CHECK_EQ_INT (nidle, 100);
  CHECK_EQ_INT (ntimer, 0);

  /* readable io at the same priority: idle starves */
  CHECK_EQ_INT (write (sv[1], "x", 1), 1);
  ev_io_init (&io, io_cb, sv[0], EV_READ);
  ev_io_start (loop, &io);
  reset ();
  for (i = 0; i < 5; i++)
    ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (nidle, 0);
  CHECK_EQ_INT (nio, 5);
  /* data gone: idle again, and the io watcher is quiet */
  CHECK_EQ_INT (read (sv[0], buf, sizeof buf), 1);
  reset ();
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (nidle, 3);
  CHECK_EQ_INT (nio, 0);
  ev_io_stop (loop, &io);

  /* an expired timer suppresses idle for that iteration only */
  ev_timer_init (&t, timer_cb, 0., 0.);
  ev_timer_start (loop, &t);
  reset ();
  ev_run (loop, EVRUN_ONCE);
  CHECK (strcmp (seq, "T") == 0);
  ev_run (loop, EVRUN_ONCE);
  CHECK (strcmp (seq, "TI") == 0);

  /* an event fed before ev_run is invoked when ev_run starts, before the
   * iteration's idle decision: so the same NOWAIT run also runs the idle */
  ev_init (&fw, feed_cb);
  ev_feed_event (loop, &fw, EV_CUSTOM);
  reset ();
  ev_run (loop, EVRUN_NOWAIT);
  CHECK (strcmp (seq, "FI") == 0);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK (strcmp (seq, "FII") == 0);

  /* prepare and check watchers do not suppress idle */
  ev_prepare_init (&p, prep_cb);
  ev_check_init (&c, check_cb);
  ev_prepare_start (loop, &p);
  ev_check_start (loop, &c);
  reset ();
  ev_run (loop, EVRUN_ONCE);
  ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (nprep, 2);
  CHECK_EQ_INT (ncheck, 2);
  CHECK_EQ_INT (nidle, 2);
  /* per iteration: prepare, then check, then idle */
  CHECK (strcmp (seq, "PCIPCI") == 0);
  ev_prepare_stop (loop, &p);
  ev_check_stop (loop, &c);

  /* stopped idle: the loop blocks again (here until the guard timer) */
  ev_idle_stop (loop, &idle);
  CHECK (!ev_is_active (&idle));
  ev_timer_init (&t, timer_cb, 0.03, 0.);
  ev_now_update (loop);
  t0 = ev_now (loop);
  ev_timer_start (loop, &t);
  reset ();
  ev_run (loop, EVRUN_ONCE);
  CHECK (ev_time () - t0 >= 0.025);
  CHECK_EQ_INT (nidle, 0);
  CHECK_EQ_INT (ntimer, 1);
  ev_timer_stop (loop, &longt);

  /* an idle watcher alone keeps ev_run(0) running until it stops itself */
  ev_idle_init (&idle, self_stop_idle);
  ev_idle_start (loop, &idle);
  t0 = ev_time ();
  CHECK_EQ_INT (ev_run (loop, 0), 0);
  CHECK_EQ_INT (self_stop_n, 50);
  CHECK (ev_time () - t0 < 0.5);

  TEST_DONE ();
}
