/*
 * ev_feed_event, ev_feed_fd_event, ev_invoke, ev_clear_pending:
 *  - feeding a never-started watcher makes it pending (not active); its
 *    callback runs on the next invocation of pending events with exactly the
 *    fed revents, after which it is no longer pending
 *  - feeding twice before that: one callback with the OR of both
 *  - a callback feeding its own watcher is invoked again in the same run
 *  - ev_feed_fd_event makes the active io watchers of that fd pending with
 *    the revents masked by each watcher's events (none for mask 0, none for
 *    stopped watchers, unknown fds are ignored)
 *  - ev_invoke calls the callback synchronously, pending state untouched
 *  - ev_clear_pending returns the pending revents and clears them; 0 if
 *    not pending; stopping a watcher also clears a fed event
 */
#include <ev.h>
#include <sys/socket.h>
#include "testutil.h"

static int n, last;
static void *lastw;
static int self_feed_left;
static int allow_pending_in_cb;

static void
cb (struct ev_loop *loop, ev_watcher *w, int revents)
{
  n++;
  last = revents;
  lastw = w;
  /* the loop clears the pending state before invoking a callback */
  if (!allow_pending_in_cb)
    CHECK (!ev_is_pending (w));
  if (self_feed_left > 0)
    {
      self_feed_left--;
      ev_feed_event (loop, w, EV_CUSTOM | n);
    }
}

static int io_n[4], io_rev[4];
static ev_io iw[4];

static void
io_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  int i = (int)(w - iw);
  (void)loop;
  io_n[i]++;
  io_rev[i] = revents;
}

int
main (void)
{
  struct ev_loop *loop;
  ev_watcher w;
  ev_idle idle;
  int sv[2], i, r;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);

  /* feed a never-started watcher */
  ev_init (&w, cb);
  CHECK (!ev_is_pending (&w));
  ev_feed_event (loop, &w, EV_CUSTOM);
  CHECK (ev_is_pending (&w));
  CHECK (!ev_is_active (&w));
  CHECK_EQ_INT (n, 0);               /* not invoked synchronously */
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (n, 1);
  CHECK_EQ_INT (last, EV_CUSTOM);
  CHECK (lastw == &w);
  CHECK (!ev_is_pending (&w));
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (n, 1);

  /* twice before invocation: one call, OR'ed revents */
  n = 0;
  ev_feed_event (loop, &w, EV_READ);
  ev_feed_event (loop, &w, EV_CUSTOM);
  CHECK (ev_is_pending (&w));
  ev_invoke_pending (loop);
  CHECK_EQ_INT (n, 1);
  CHECK_EQ_INT (last, EV_READ | EV_CUSTOM);

  /* self-feeding callback: re-invoked within the same run */
  n = 0;
  self_feed_left = 2;
  ev_feed_event (loop, &w, EV_SIGNAL);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (n, 3);
  CHECK_EQ_INT (last, EV_CUSTOM | 2);
  CHECK (!ev_is_pending (&w));

  /* ev_invoke: synchronous, pending state untouched */
  n = 0;
  ev_invoke (loop, &w, EV_WRITE);
  CHECK_EQ_INT (n, 1);
  CHECK_EQ_INT (last, EV_WRITE);
  CHECK (!ev_is_pending (&w));
  ev_feed_event (loop, &w, EV_READ);
  allow_pending_in_cb = 1;
  ev_invoke (loop, &w, EV_TIMER);
  allow_pending_in_cb = 0;
  CHECK_EQ_INT (n, 2);
  CHECK_EQ_INT (last, EV_TIMER);
  CHECK (ev_is_pending (&w));
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (n, 3);
  CHECK_EQ_INT (last, EV_READ);

  /* ev_clear_pending */
  n = 0;
  CHECK_EQ_INT (ev_clear_pending (loop, &w), 0);
  ev_feed_event (loop, &w, EV_READ);
  ev_feed_event (loop, &w, EV_ASYNC);
  CHECK_EQ_INT (ev_clear_pending (loop, &w), EV_READ | EV_ASYNC);
  CHECK (!ev_is_pending (&w));
  CHECK_EQ_INT (ev_clear_pending (loop, &w), 0);
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (n, 0);

  /* clearing one of several pending watchers leaves the others alone */
  {
    ev_watcher a, b, c;
    ev_init (&a, cb); ev_init (&b, cb); ev_init (&c, cb);
    ev_feed_event (loop, &a, 0x10);
    ev_feed_event (loop, &b, 0x20);
    ev_feed_event (loop, &c, 0x40);
    CHECK_EQ_INT (ev_clear_pending (loop, &b), 0x20);
    CHECK (ev_is_pending (&a));
    CHECK (ev_is_pending (&c));
    ev_run (loop, EVRUN_NOWAIT);
    CHECK_EQ_INT (n, 2);
    CHECK (!ev_is_pending (&a));
    CHECK (!ev_is_pending (&c));
    n = 0;
  }

  /* stopping a fed (never started) watcher clears the event */
  ev_idle_init (&idle, (void (*)(struct ev_loop *, ev_idle *, int))cb);
  ev_feed_event (loop, &idle, EV_IDLE);
  CHECK (ev_is_pending (&idle));
  ev_idle_stop (loop, &idle);
  CHECK (!ev_is_pending (&idle));
  CHECK (!ev_is_active (&idle));
  ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (n, 0);

  /* ev_feed_fd_event */
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ev_io_init (&iw[0], io_cb, sv[0], EV_READ);
  ev_io_init (&iw[1], io_cb, sv[0], EV_WRITE);
  ev_io_init (&iw[2], io_cb, sv[0], EV_READ | EV_WRITE);
  ev_io_init (&iw[3], io_cb, sv[0], 0);
  for (i = 0; i < 4; i++)
    ev_io_start (loop, &iw[i]);

  ev_feed_fd_event (loop, sv[0], EV_READ);
  CHECK (ev_is_pending (&iw[0]));
  CHECK (!ev_is_pending (&iw[1]));
  CHECK (ev_is_pending (&iw[2]));
  CHECK (!ev_is_pending (&iw[3]));
  CHECK_EQ_INT (ev_clear_pending (loop, &iw[2]), EV_READ);
  ev_feed_fd_event (loop, sv[0], EV_READ | EV_WRITE | EV_TIMER);
  CHECK (ev_is_pending (&iw[1]));
  CHECK (ev_is_pending (&iw[2]));
  CHECK (!ev_is_pending (&iw[3]));
  ev_invoke_pending (loop);
  CHECK_EQ_INT (io_n[0], 1); CHECK_EQ_INT (io_rev[0], EV_READ);
  CHECK_EQ_INT (io_n[1], 1); CHECK_EQ_INT (io_rev[1], EV_WRITE);
  CHECK_EQ_INT (io_n[2], 1); CHECK_EQ_INT (io_rev[2], EV_READ | EV_WRITE);
  CHECK_EQ_INT (io_n[3], 0);
  for (i = 0; i < 4; i++)
    CHECK (ev_is_active (&iw[i]));   /* feeding does not stop io watchers */

  /* stopped watchers are not fed; an fd nobody watches is ignored */
  ev_io_stop (loop, &iw[0]);
  ev_feed_fd_event (loop, sv[0], EV_READ);
  CHECK (!ev_is_pending (&iw[0]));
  CHECK (ev_is_pending (&iw[2]));
  r = ev_clear_pending (loop, &iw[2]);
  CHECK_EQ_INT (r, EV_READ);
  ev_feed_fd_event (loop, sv[1], EV_READ);
  ev_feed_fd_event (loop, 900, EV_READ | EV_WRITE);
  memset (io_n, 0, sizeof io_n);
  ev_invoke_pending (loop);
  for (i = 0; i < 4; i++)
    CHECK_EQ_INT (io_n[i], 0);

  for (i = 0; i < 4; i++)
    ev_io_stop (loop, &iw[i]);
  close (sv[0]); close (sv[1]);
  TEST_DONE ();
}
