/*
 * io watchers stopped from inside callbacks: a self-stopping watcher runs
 * once and lets ev_run return; stopping another pending watcher (same fd or
 * other fd) prevents its callback in that iteration; stop+start inside the
 * callback keeps it going (level triggered).
 */
#include <ev.h>
#include <sys/socket.h>
#include "testutil.h"

static int n_self;
static int active_in_cb = -1;

static void
self_stop_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  n_self++;
  CHECK_EQ_INT (revents, EV_READ);
  ev_io_stop (loop, w);
  active_in_cb = ev_is_active (w);
}

static ev_io pair[2];
static int n_pair[2];

static void
stop_both_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  (void)revents;
  n_pair[w == &pair[1]]++;
  ev_io_stop (loop, &pair[0]);
  ev_io_stop (loop, &pair[1]);
  CHECK (!ev_is_pending (&pair[0]));
  CHECK (!ev_is_pending (&pair[1]));
}

static int n_restart;

static void
restart_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  (void)revents;
  n_restart++;
  ev_io_stop (loop, w);
  if (n_restart < 4)
    ev_io_start (loop, w);
}

int
main (void)
{
  struct ev_loop *loop;
  int a[2], b[2];
  ev_io w;
  double t0;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, a), 0);
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, b), 0);
  CHECK_EQ_INT (write (a[1], "data", 4), 4);
  CHECK_EQ_INT (write (b[1], "data", 4), 4);

  /* 1: self stop; data stays unread, but ev_run returns after one call */
  ev_io_init (&w, self_stop_cb, a[0], EV_READ);
  ev_io_start (loop, &w);
  t0 = ev_time ();
  ev_run (loop, 0);
  CHECK (ev_time () - t0 < 0.5);
  CHECK_EQ_INT (n_self, 1);
  CHECK_EQ_INT (active_in_cb, 0);
  CHECK (!ev_is_active (&w));
  CHECK (!ev_is_pending (&w));

  /* 2: two watchers on the same fd, both ready: only one callback runs */
  ev_io_init (&pair[0], stop_both_cb, a[0], EV_READ);
  ev_io_init (&pair[1], stop_both_cb, a[0], EV_READ);
  ev_io_start (loop, &pair[0]);
  ev_io_start (loop, &pair[1]);
  ev_run (loop, 0);
  CHECK_EQ_INT (n_pair[0] + n_pair[1], 1);

  /* 3: same on two different ready fds */
  n_pair[0] = n_pair[1] = 0;
  ev_io_init (&pair[0], stop_both_cb, a[0], EV_READ);
  ev_io_init (&pair[1], stop_both_cb, b[0], EV_READ);
  ev_io_start (loop, &pair[0]);
  ev_io_start (loop, &pair[1]);
  ev_run (loop, 0);
  CHECK_EQ_INT (n_pair[0] + n_pair[1], 1);
  CHECK (!ev_is_active (&pair[0]));
  CHECK (!ev_is_active (&pair[1]));

  /* 4: stop + start inside the callback: called again on later iterations */
  ev_io_init (&w, restart_cb, b[0], EV_READ);
  ev_io_start (loop, &w);
  ev_run (loop, 0);
  CHECK_EQ_INT (n_restart, 4);
  CHECK (!ev_is_active (&w));

  /* nothing left: ev_run returns immediately, 0 active watchers */
  CHECK_EQ_INT (ev_run (loop, 0), 0);
  TEST_DONE ();
}
