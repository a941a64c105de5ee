/*
 * fd changes made while the loop's last wait is still out in the kernel
 * (an iteration ended by a timer; on io_uring the wait request stays in
 * flight and may complete later with what was ready then):
 *   1. a watcher's fd becomes readable after such an iteration, then the
 *      watcher is stopped, the fd closed and a NEW socket (same fd number,
 *      nothing to read) watched instead: no callback for the new socket
 *      until its peer writes, then exactly one per write;
 *   2. a watcher switches from EV_READ to EV_WRITE on a readable socket
 *      during such a gap: it hears EV_WRITE only, never EV_READ;
 *   3. a watcher is stopped during such a gap while its fd is readable: no
 *      callback at all.
 * Runs on every backend.
 */
#include <ev.h>
#include <sys/socket.h>
#include "testutil.h"

static int calls, revents_or;

static void
io_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  char buf[16];
  (void)loop;
  calls++;
  revents_or |= revents;
  if (revents & EV_READ)
    (void)!read (w->fd, buf, sizeof buf);
}

static void
timer_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
}

/* one iteration ended by a short timer, with nothing ready */
static void
timed_out_iteration (struct ev_loop *loop)
{
  ev_timer t;
  ev_timer_init (&t, timer_cb, 0.02, 0.);
  ev_timer_start (loop, &t);
  ev_run (loop, EVRUN_ONCE);
  ev_timer_stop (loop, &t);
}

static void
iterations (struct ev_loop *loop, int n)
{
  while (n--)
    timed_out_iteration (loop);
}

int
main (void)
{
  struct ev_loop *loop;
  ev_io w;
  int a[2], b[2], fd;

  ALARM_GUARD (15);
  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop)
    TEST_DONE ();

  /* 1 */
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, a), 0);
  fd = a[0];
  ev_io_init (&w, io_cb, fd, EV_READ);
  ev_io_start (loop, &w);
  timed_out_iteration (loop);
  CHECK_EQ_INT (calls, 0);
  CHECK_EQ_INT (write (a[1], "x", 1), 1);   /* ready while no iteration runs */
  ev_io_stop (loop, &w);
  close (a[0]);
  close (a[1]);
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, b), 0);
  if (b[0] != fd)
    {
      /* the new socket must reuse the number for this part to mean anything */
      int moved = dup2 (b[0], fd);
      CHECK_EQ_INT (moved, fd);
      close (b[0]);
      b[0] = fd;
    }
  ev_io_set (&w, fd, EV_READ);
  ev_io_start (loop, &w);
  iterations (loop, 3);
  CHECK_EQ_INT (calls, 0);
  CHECK_EQ_INT (write (b[1], "y", 1), 1);
  iterations (loop, 2);
  CHECK_EQ_INT (calls, 1);
  CHECK_EQ_INT (revents_or, EV_READ);
  CHECK_EQ_INT (write (b[1], "z", 1), 1);
  iterations (loop, 2);
  CHECK_EQ_INT (calls, 2);
  ev_io_stop (loop, &w);

  /* 2: readable, but the watcher now wants EV_WRITE only */
  calls = revents_or = 0;
  ev_io_set (&w, b[0], EV_READ);
  ev_io_start (loop, &w);
  timed_out_iteration (loop);
  CHECK_EQ_INT (calls, 0);
  CHECK_EQ_INT (write (b[1], "r", 1), 1);
  ev_io_stop (loop, &w);
  ev_io_set (&w, b[0], EV_WRITE);
  ev_io_start (loop, &w);
  ev_run (loop, EVRUN_NOWAIT);
  iterations (loop, 1);
  CHECK (calls >= 1);
  CHECK_EQ_INT (revents_or, EV_WRITE);
  ev_io_stop (loop, &w);

  /* 3: stopped while readable: silence */
  calls = revents_or = 0;
  ev_io_set (&w, b[0], EV_READ);
  ev_io_start (loop, &w);
  iterations (loop, 2);   /* "r" from part 2 is still unread */
  CHECK_EQ_INT (calls, 1);
  timed_out_iteration (loop);
  CHECK_EQ_INT (write (b[1], "s", 1), 1);
  ev_io_stop (loop, &w);
  calls = 0;
  iterations (loop, 3);
  CHECK_EQ_INT (calls, 0);

  close (b[0]);
  close (b[1]);
  ev_loop_destroy (loop);
  TEST_DONE ();
}
