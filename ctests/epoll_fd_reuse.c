/*
 * The "disappearing fd" trap (generic, but aimed at epoll/io_uring): an fd
 * is watched, the watcher stopped, the fd closed and a new file opened that
 * gets the same fd number; after ev_io_set + ev_io_start the watcher must
 * report events of the NEW file only - also when the old file description is
 * still alive elsewhere (dup) and readable, which leaves a stale kernel
 * registration under the same fd number with epoll.
 */
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include "testutil.h"

static int calls, last_rev, last_len;
static char last_data[16];

static void
cb (struct ev_loop *loop, ev_io *w, int revents)
{
  int n;
  calls++;
  last_rev = revents;
  n = (int)read (w->fd, last_data, sizeof last_data - 1);
  last_len = n;
  if (n >= 0) last_data[n] = 0;
  ev_break (loop, EVBREAK_ONE);
}

static void
to_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break (loop, EVBREAK_ONE);
}

static void
run_for (struct ev_loop *loop, double secs)
{
  ev_timer t;
  calls = 0; last_rev = 0; last_len = -2; last_data[0] = 0;
  ev_timer_init (&t, to_cb, secs, 0.);
  ev_timer_start (loop, &t);
  ev_run (loop, 0);
  ev_timer_stop (loop, &t);
}

/*
 * keep_old: keep the old file description alive through a dup
 * old_ready: make the old file readable before the new registration
 * idle_iters: loop iterations between the stop/close and the restart
 */
static void
scenario (struct ev_loop *loop, int keep_old, int old_ready, int idle_iters)
{
  int a[2], b[2], keep = -1, n, i;
  ev_io w;

  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, a), 0);
  fcntl (a[0], F_SETFL, O_NONBLOCK);
  n = a[0];
  if (keep_old)
    keep = dup (a[0]);

  ev_io_init (&w, cb, a[0], EV_READ);
  ev_io_start (loop, &w);
  /* make sure the backend really registered the old file */
  CHECK_EQ_INT (write (a[1], "o1", 2), 2);
  run_for (loop, 0.3);
  CHECK_EQ_INT (calls, 1);
  CHECK_EQ_INT (last_rev, EV_READ);
  CHECK (strcmp (last_data, "o1") == 0);

  ev_io_stop (loop, &w);
  for (i = 0; i < idle_iters; i++)
    ev_run (loop, EVRUN_NOWAIT);
  close (a[0]);
  if (old_ready && keep_old)
    CHECK_EQ_INT (write (a[1], "OLD", 3), 3);

  /* the lowest free fd number is the one just closed */
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, b), 0);
  CHECK_EQ_INT (b[0], n);
  fcntl (b[0], F_SETFL, O_NONBLOCK);

  ev_io_set (&w, b[0], EV_READ);
  ev_io_start (loop, &w);
  CHECK_EQ_INT (w.events, EV_READ);

  /* nothing from the old file */
  if (!old_ready && keep_old)
    CHECK_EQ_INT (write (a[1], "OLD", 3), 3);
  run_for (loop, 0.03);
  if (calls)
    fprintf (stderr, "unexpected callback: revents %#x, read %d \"%s\" (keep=%d ready=%d idle=%d)\n",
             last_rev, last_len, last_data, keep_old, old_ready, idle_iters);
  CHECK_EQ_INT (calls, 0);

  /* events of the new file arrive */
  CHECK_EQ_INT (write (b[1], "new", 3), 3);
  run_for (loop, 0.3);
  CHECK_EQ_INT (calls, 1);
  CHECK_EQ_INT (last_rev, EV_READ);
  CHECK (strcmp (last_data, "new") == 0);

  /* and keep arriving */
  CHECK_EQ_INT (write (b[1], "n2", 2), 2);
  run_for (loop, 0.3);
  CHECK_EQ_INT (calls, 1);
  CHECK (strcmp (last_data, "n2") == 0);

  ev_io_stop (loop, &w);
  if (keep >= 0)
    {
      char buf[8];
      CHECK_EQ_INT (read (keep, buf, sizeof buf), 3);   /* "OLD" is still there */
      close (keep);
    }
  close (a[1]); close (b[0]); close (b[1]);
}

int
main (void)
{
  struct ev_loop *loop;
  int keep, ready, idle;

  ALARM_GUARD (10);
  signal (SIGPIPE, SIG_IGN);
  loop = ev_default_loop (0);
  for (keep = 0; keep < 2; keep++)
    for (ready = 0; ready < 2; ready++)
      for (idle = 0; idle < 3; idle += 2)
        scenario (loop, keep, ready, idle);
  TEST_DONE ();
}
