/*
 * dup()ed fds (generic, aimed at epoll's "file description" registration):
 * an fd and its dup watched side by side both get events; different masks on
 * the two numbers are honoured separately; after the original is stopped and
 * closed the dup keeps working, and a new file that reuses the original's
 * number is independent of the dup.
 */
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include "testutil.h"

static ev_io w1, w2;
static int c1, c2, r1, r2;

static void
cb (struct ev_loop *loop, ev_io *w, int revents)
{
  (void)loop;
  if (w == &w1) { c1++; r1 = revents; }
  else          { c2++; r2 = revents; }
}

static int expired;
static void
to_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  expired = 1;
}

/* iterate until `want` callbacks were seen (or the time is up) */
static void
run_until (struct ev_loop *loop, int want, double secs)
{
  ev_timer t;
  c1 = c2 = r1 = r2 = 0;
  expired = 0;
  ev_timer_init (&t, to_cb, secs, 0.);
  ev_timer_start (loop, &t);
  while (!expired && c1 + c2 < want)
    ev_run (loop, EVRUN_ONCE);
  ev_timer_stop (loop, &t);
}

int
main (void)
{
  struct ev_loop *loop;
  int sv[2], d, nb[2], orig;
  char buf[16];

  ALARM_GUARD (5);
  signal (SIGPIPE, SIG_IGN);
  loop = ev_default_loop (0);
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  fcntl (sv[0], F_SETFL, O_NONBLOCK);
  d = dup (sv[0]);
  CHECK (d >= 0);
  orig = sv[0];

  /* both numbers watched for READ: both see the data */
  ev_io_init (&w1, cb, sv[0], EV_READ);
  ev_io_init (&w2, cb, d, EV_READ);
  ev_io_start (loop, &w1);
  ev_io_start (loop, &w2);
  run_until (loop, 1, 0.03);
  CHECK_EQ_INT (c1 + c2, 0);
  CHECK_EQ_INT (write (sv[1], "ab", 2), 2);
  run_until (loop, 2, 0.3);
  CHECK_EQ_INT (c1, 1); CHECK_EQ_INT (r1, EV_READ);
  CHECK_EQ_INT (c2, 1); CHECK_EQ_INT (r2, EV_READ);
  CHECK_EQ_INT (read (d, buf, sizeof buf), 2);
  run_until (loop, 1, 0.03);
  CHECK_EQ_INT (c1 + c2, 0);

  /* different masks: original READ, dup WRITE */
  ev_io_stop (loop, &w2);
  ev_io_set (&w2, d, EV_WRITE);
  ev_io_start (loop, &w2);
  run_until (loop, 1, 0.3);
  CHECK_EQ_INT (c1, 0);
  CHECK_EQ_INT (c2, 1); CHECK_EQ_INT (r2, EV_WRITE);
  CHECK_EQ_INT (write (sv[1], "c", 1), 1);
  run_until (loop, 2, 0.3);
  CHECK_EQ_INT (c1, 1); CHECK_EQ_INT (r1, EV_READ);
  CHECK_EQ_INT (c2, 1); CHECK_EQ_INT (r2, EV_WRITE);
  CHECK_EQ_INT (read (sv[0], buf, sizeof buf), 1);
  ev_io_stop (loop, &w2);
  ev_io_set (&w2, d, EV_READ);
  ev_io_start (loop, &w2);

  /* stop + close the original: the dup still delivers */
  ev_io_stop (loop, &w1);
  close (sv[0]);
  CHECK_EQ_INT (write (sv[1], "xyz", 3), 3);
  run_until (loop, 1, 0.3);
  CHECK_EQ_INT (c1, 0);
  CHECK_EQ_INT (c2, 1);
  CHECK_EQ_INT (r2, EV_READ);
  CHECK_EQ_INT (read (d, buf, sizeof buf), 3);
  run_until (loop, 1, 0.03);
  CHECK_EQ_INT (c1 + c2, 0);

  /* a new file gets the original's number; watch it with w1 again */
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, nb), 0);
  CHECK_EQ_INT (nb[0], orig);
  ev_io_set (&w1, nb[0], EV_READ);
  ev_io_start (loop, &w1);
  /* data for the dup's file only */
  CHECK_EQ_INT (write (sv[1], "1", 1), 1);
  run_until (loop, 1, 0.3);
  CHECK_EQ_INT (c1, 0);
  CHECK_EQ_INT (c2, 1);
  CHECK_EQ_INT (read (d, buf, sizeof buf), 1);
  run_until (loop, 1, 0.03);
  CHECK_EQ_INT (c1 + c2, 0);
  /* data for the new file only */
  CHECK_EQ_INT (write (nb[1], "2", 1), 1);
  run_until (loop, 1, 0.3);
  CHECK_EQ_INT (c1, 1);
  CHECK_EQ_INT (r1, EV_READ);
  CHECK_EQ_INT (c2, 0);
  CHECK_EQ_INT (read (nb[0], buf, sizeof buf), 1);
  run_until (loop, 1, 0.03);
  CHECK_EQ_INT (c1 + c2, 0);

  /* finally the dup's peer hangs up: the dup watcher sees EOF */
  close (sv[1]);
  run_until (loop, 1, 0.3);
  CHECK_EQ_INT (c1, 0);
  CHECK_EQ_INT (c2, 1);
  CHECK_EQ_INT (r2, EV_READ);
  CHECK_EQ_INT (read (d, buf, sizeof buf), 0);

  ev_io_stop (loop, &w1);
  ev_io_stop (loop, &w2);
  close (d); close (nb[0]); close (nb[1]);
  TEST_DONE ();
}
