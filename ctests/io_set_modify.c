/*
 * io watchers: ev_io_set / ev_io_modify on a stopped watcher, then restart.
 * The new fd / mask must take effect; the events field must carry
 * EV__IOFDSET after ev_io_set, keep it across ev_io_modify, and read back
 * without it after ev_io_start.
 */
#include <ev.h>
#include <sys/socket.h>
#include "testutil.h"

static int calls, last_revents, last_fd;

static void
io_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  calls++;
  last_revents = revents;
  last_fd = w->fd;
  ev_break (loop, EVBREAK_ONE);
}

static void
to_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break (loop, EVBREAK_ONE);
}

/* one bounded blocking run; returns number of io callbacks */
static int
run1 (struct ev_loop *loop, double secs)
{
  ev_timer t;
  calls = 0; last_revents = 0; last_fd = -1;
  ev_timer_init (&t, to_cb, secs, 0.);
  ev_timer_start (loop, &t);
  ev_run (loop, 0);
  ev_timer_stop (loop, &t);
  return calls;
}

int
main (void)
{
  struct ev_loop *loop;
  int a[2], b[2];
  char buf[8];
  ev_io w;

  ALARM_GUARD (5);
  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop) TEST_DONE ();
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, a), 0);
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, b), 0);

  /* start on a[0] for READ; data only on b[0] -> nothing */
  ev_io_init (&w, io_cb, a[0], EV_READ);
  CHECK_EQ_INT (w.events, EV_READ | EV__IOFDSET);
  ev_io_start (loop, &w);
  CHECK_EQ_INT (w.events, EV_READ);
  CHECK_EQ_INT (write (b[1], "x", 1), 1);
  CHECK_EQ_INT (run1 (loop, 0.03), 0);

  /* move the stopped watcher to b[0] with ev_io_set */
  ev_io_stop (loop, &w);
  CHECK (!ev_is_active (&w));
  ev_io_set (&w, b[0], EV_READ);
  CHECK_EQ_INT (w.fd, b[0]);
  CHECK_EQ_INT (w.events, EV_READ | EV__IOFDSET);
  ev_io_start (loop, &w);
  CHECK_EQ_INT (w.events, EV_READ);
  CHECK_EQ_INT (run1 (loop, 0.3), 1);
  CHECK_EQ_INT (last_revents, EV_READ);
  CHECK_EQ_INT (last_fd, b[0]);
  CHECK_EQ_INT (read (b[0], buf, sizeof buf), 1);
  CHECK_EQ_INT (run1 (loop, 0.03), 0);

  /* ev_io_modify on the stopped watcher: READ -> WRITE */
  ev_io_stop (loop, &w);
  ev_io_modify (&w, EV_WRITE);
  CHECK_EQ_INT (w.fd, b[0]);
  /* modify keeps only the EV__IOFDSET bit of the old value (here: clear) */
  CHECK_EQ_INT (w.events, EV_WRITE);
  ev_io_start (loop, &w);
  CHECK_EQ_INT (w.events, EV_WRITE);
  CHECK_EQ_INT (run1 (loop, 0.3), 1);
  CHECK_EQ_INT (last_revents, EV_WRITE);

  /* set then modify before start: EV__IOFDSET survives the modify */
  ev_io_stop (loop, &w);
  ev_io_set (&w, a[0], EV_WRITE);
  ev_io_modify (&w, EV_READ);
  CHECK_EQ_INT (w.events, EV_READ | EV__IOFDSET);
  CHECK_EQ_INT (w.fd, a[0]);
  ev_io_start (loop, &w);
  CHECK_EQ_INT (w.events, EV_READ);
  CHECK_EQ_INT (run1 (loop, 0.03), 0);     /* a[0] not readable */
  CHECK_EQ_INT (write (a[1], "yz", 2), 2);
  CHECK_EQ_INT (run1 (loop, 0.3), 1);
  CHECK_EQ_INT (last_revents, EV_READ);
  CHECK_EQ_INT (last_fd, a[0]);

  /* modify READ -> READ|WRITE: both bits reported */
  ev_io_stop (loop, &w);
  ev_io_modify (&w, EV_READ | EV_WRITE);
  ev_io_start (loop, &w);
  CHECK_EQ_INT (w.events, EV_READ | EV_WRITE);
  CHECK_EQ_INT (run1 (loop, 0.3), 1);
  CHECK_EQ_INT (last_revents, EV_READ | EV_WRITE);

  /* modify to 0: the watcher stays active, never fires */
  ev_io_stop (loop, &w);
  ev_io_modify (&w, 0);
  ev_io_start (loop, &w);
  CHECK (ev_is_active (&w));
  CHECK_EQ_INT (w.events, 0);
  CHECK_EQ_INT (run1 (loop, 0.03), 0);

  /* and back to READ: data still there */
  ev_io_stop (loop, &w);
  ev_io_modify (&w, EV_READ);
  ev_io_start (loop, &w);
  CHECK_EQ_INT (run1 (loop, 0.3), 1);
  CHECK_EQ_INT (last_revents, EV_READ);
  CHECK_EQ_INT (read (a[0], buf, sizeof buf), 2);
  ev_io_stop (loop, &w);

  /* re-init of a stopped watcher with ev_io_init on another fd */
  CHECK_EQ_INT (write (b[0], "q", 1), 1);
  ev_io_init (&w, io_cb, b[1], EV_READ);
  ev_io_start (loop, &w);
  CHECK_EQ_INT (run1 (loop, 0.3), 1);
  CHECK_EQ_INT (last_fd, b[1]);
  CHECK_EQ_INT (last_revents, EV_READ);
  ev_io_stop (loop, &w);

  ev_loop_destroy (loop);
  TEST_DONE ();
}
