/*
 * ev_once: fd-only, timeout-only (fd -1) and combined one-shot waits.
 * The callback gets the revents that happened (EV_READ / EV_WRITE /
 * EV_TIMER - or both when fd readiness and timeout arrive in the same
 * iteration) and the user argument, exactly once; afterwards nothing of it
 * stays active (ev_run returns 0). A negative timeout means "no timeout".
 */
#include <ev.h>
#include <sys/socket.h>
#include "testutil.h"

#define MAXREC 16
static int nrec;
static int rec_rev[MAXREC];
static void *rec_arg[MAXREC];
static double rec_time[MAXREC];

static void
once_cb (int revents, void *arg)
{
  if (nrec < MAXREC)
    {
      rec_rev[nrec] = revents;
      rec_arg[nrec] = arg;
      rec_time[nrec] = ev_time ();
    }
  nrec++;
}

static int sv[2];
static void
writer_cb (struct ev_loop *loop, ev_timer *w, int r)
{
  (void)loop; (void)w; (void)r;
  CHECK_EQ_INT (write (sv[1], "x", 1), 1);
}

static void
guard_cb (struct ev_loop *loop, ev_timer *w, int r)
{
  (void)w; (void)r;
  ev_break (loop, EVBREAK_ONE);
}

int
main (void)
{
  struct ev_loop *loop;
  int tag1, tag2, tag3;
  char buf[8];
  double t0;
  ev_timer g, wr;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);

  /* timeout only */
  nrec = 0;
  ev_now_update (loop);
  t0 = ev_now (loop);
  ev_once (loop, -1, 0, 0.02, once_cb, &tag1);
  CHECK_EQ_INT (ev_run (loop, 0), 0);   /* returns once it fired */
  CHECK_EQ_INT (nrec, 1);
  CHECK_EQ_INT (rec_rev[0], EV_TIMER);
  CHECK (rec_arg[0] == &tag1);
  CHECK (rec_time[0] - t0 >= 0.019);
  CHECK (rec_time[0] - t0 < 0.5);

  /* fd readable, long timeout: EV_READ right away */
  nrec = 0;
  CHECK_EQ_INT (write (sv[1], "a", 1), 1);
  ev_now_update (loop);
  t0 = ev_now (loop);
  ev_once (loop, sv[0], EV_READ, 2., once_cb, &tag2);
  CHECK_EQ_INT (ev_run (loop, 0), 0);
  CHECK_EQ_INT (nrec, 1);
  CHECK_EQ_INT (rec_rev[0], EV_READ);
  CHECK (rec_arg[0] == &tag2);
  CHECK (ev_time () - t0 < 0.5);
  /* the data is still unread, but it was a one-shot: no second call */
  ev_timer_init (&g, guard_cb, 0.02, 0.);
  ev_timer_start (loop, &g);
  ev_run (loop, 0);
  CHECK_EQ_INT (nrec, 1);
  CHECK_EQ_INT (read (sv[0], buf, sizeof buf), 1);

  /* fd never ready, short timeout: EV_TIMER */
  nrec = 0;
  ev_now_update (loop);
  t0 = ev_now (loop);
  ev_once (loop, sv[0], EV_READ, 0.02, once_cb, 0);
  CHECK_EQ_INT (ev_run (loop, 0), 0);
  CHECK_EQ_INT (nrec, 1);
  CHECK_EQ_INT (rec_rev[0], EV_TIMER);
  CHECK (rec_arg[0] == 0);
  CHECK (rec_time[0] - t0 >= 0.019);

  /* negative timeout = none: waits for the fd (written 30 ms later) */
  nrec = 0;
  ev_now_update (loop);
  t0 = ev_now (loop);
  ev_once (loop, sv[0], EV_READ, -1., once_cb, &tag3);
  ev_timer_init (&wr, writer_cb, 0.03, 0.);
  ev_timer_start (loop, &wr);
  CHECK_EQ_INT (ev_run (loop, 0), 0);
  CHECK_EQ_INT (nrec, 1);
  CHECK_EQ_INT (rec_rev[0], EV_READ);
  CHECK (rec_arg[0] == &tag3);
  CHECK (rec_time[0] - t0 >= 0.029);
  CHECK_EQ_INT (read (sv[0], buf, sizeof buf), 1);

  /* write readiness and a 0 timeout in the same iteration: one call with
   * both bits */
  nrec = 0;
  ev_once (loop, sv[1], EV_WRITE, 0., once_cb, &tag1);
  CHECK_EQ_INT (ev_run (loop, 0), 0);
  CHECK_EQ_INT (nrec, 1);
  CHECK_EQ_INT (rec_rev[0], EV_WRITE | EV_TIMER);
  CHECK (rec_arg[0] == &tag1);

  /* READ|WRITE on a writable, unreadable socket: only EV_WRITE */
  nrec = 0;
  ev_once (loop, sv[0], EV_READ | EV_WRITE, 1., once_cb, &tag2);
  CHECK_EQ_INT (ev_run (loop, 0), 0);
  CHECK_EQ_INT (nrec, 1);
  CHECK_EQ_INT (rec_rev[0], EV_WRITE);

  /* several at once, each with its own argument, in timeout order */
  nrec = 0;
  ev_once (loop, -1, 0, 0.03, once_cb, &tag3);
  ev_once (loop, -1, 0, 0.01, once_cb, &tag1);
  ev_once (loop, -1, 0, 0.02, once_cb, &tag2);
  CHECK_EQ_INT (ev_run (loop, 0), 0);
  CHECK_EQ_INT (nrec, 3);
  CHECK (rec_arg[0] == &tag1);
  CHECK (rec_arg[1] == &tag2);
  CHECK (rec_arg[2] == &tag3);
  CHECK_EQ_INT (rec_rev[0] | rec_rev[1] | rec_rev[2], EV_TIMER);

  close (sv[0]); close (sv[1]);
  TEST_DONE ();
}
