/*
 * Re-arming a watcher on the same file (stop, ev_io_set with the same fd and
 * mask, start) - the benchmarks' "rearm" - must keep it working: events that
 * arrive afterwards are reported, whether the re-arm happens while the
 * backend's kernel request is in flight, right after it completed, or many
 * times within one iteration; and a mask change in the same way takes effect.
 */
#include <ev.h>
#include <sys/socket.h>
#include "testutil.h"

static int calls, last_rev;

static void
cb (struct ev_loop *loop, ev_io *w, int revents)
{
  char buf[64];
  (void) loop;
  calls++;
  last_rev = revents;
  if (revents & EV_READ)
    (void) read (w->fd, buf, sizeof buf);
}

static void
rearm (struct ev_loop *loop, ev_io *w, int events)
{
  ev_io_stop (loop, w);
  ev_io_set (w, w->fd, events);
  ev_io_start (loop, w);
}

int
main (void)
{
  struct ev_loop *loop;
  ev_io w;
  int sv[2], i;

  ALARM_GUARD (5);
  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop) TEST_DONE ();
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);

  ev_io_init (&w, cb, sv[0], EV_READ);
  ev_io_start (loop, &w);
  ev_run (loop, EVRUN_NOWAIT);   /* registered, nothing ready */
  CHECK_EQ_INT (calls, 0);

  /* re-armed while the request is in flight, several times in one iteration */
  for (i = 0; i < 3; i++)
    rearm (loop, &w, EV_READ);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (calls, 0);
  CHECK_EQ_INT (write (sv[1], "x", 1), 1);
  ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (calls, 1);
  CHECK_EQ_INT (last_rev, EV_READ);

  /* data arrives, then the re-arm happens before the loop looks */
  CHECK_EQ_INT (write (sv[1], "y", 1), 1);
  rearm (loop, &w, EV_READ);
  ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (calls, 2);

  /* re-armed right after an event was delivered (request completed) */
  rearm (loop, &w, EV_READ);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (calls, 2);
  CHECK_EQ_INT (write (sv[1], "z", 1), 1);
  ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (calls, 3);

  /* the same way with another mask: now writable, at once */
  rearm (loop, &w, EV_WRITE);
  ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (calls, 4);
  CHECK_EQ_INT (last_rev, EV_WRITE);
  rearm (loop, &w, EV_READ);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (calls, 4);
  CHECK_EQ_INT (write (sv[1], "w", 1), 1);
  ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (calls, 5);
  CHECK_EQ_INT (last_rev, EV_READ);

  ev_io_stop (loop, &w);
  close (sv[0]);
  close (sv[1]);
  ev_loop_destroy (loop);
  TEST_DONE ();
}
