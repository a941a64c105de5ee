/*
 * Several io watchers on one fd with different masks (READ, WRITE,
 * READ|WRITE, 0): each receives exactly the readiness it asked for; stopping
 * some of them leaves the others working (the combined kernel mask must be
 * recomputed correctly).
 */
#include <ev.h>
#include <sys/socket.h>
#include "testutil.h"

enum { R, W, RW, Z, N };
static ev_io ws[N];
static int cnt[N], rev[N];

static void
cb (struct ev_loop *loop, ev_io *w, int revents)
{
  int i = (int)(w - ws);
  (void)loop;
  cnt[i]++;
  rev[i] = revents;
}

static int expired;

static void
to_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  expired = 1;
}

static void
reset (void)
{
  int i;
  for (i = 0; i < N; i++)
    cnt[i] = rev[i] = 0;
}

/* run single iterations until one delivers a callback or `secs` pass
 * (iterations that deliver nothing are allowed, e.g. spurious wakeups) */
static void
once (struct ev_loop *loop, double secs)
{
  ev_timer t;
  reset ();
  expired = 0;
  ev_timer_init (&t, to_cb, secs, 0.);
  ev_timer_start (loop, &t);
  while (!expired && !(cnt[R] + cnt[W] + cnt[RW] + cnt[Z]))
    ev_run (loop, EVRUN_ONCE);
  ev_timer_stop (loop, &t);
}

int
main (void)
{
  struct ev_loop *loop;
  int sv[2];
  char buf[8];

  ALARM_GUARD (5);
  loop = ev_default_loop (0);
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);

  ev_io_init (&ws[R], cb, sv[0], EV_READ);
  ev_io_init (&ws[W], cb, sv[0], EV_WRITE);
  ev_io_init (&ws[RW], cb, sv[0], EV_READ | EV_WRITE);
  ev_io_init (&ws[Z], cb, sv[0], 0);
  ev_io_start (loop, &ws[R]);
  ev_io_start (loop, &ws[W]);
  ev_io_start (loop, &ws[RW]);
  ev_io_start (loop, &ws[Z]);

  /* writable only */
  once (loop, 0.2);
  CHECK_EQ_INT (cnt[R], 0);
  CHECK_EQ_INT (cnt[W], 1);  CHECK_EQ_INT (rev[W], EV_WRITE);
  CHECK_EQ_INT (cnt[RW], 1); CHECK_EQ_INT (rev[RW], EV_WRITE);
  CHECK_EQ_INT (cnt[Z], 0);

  /* readable and writable */
  CHECK_EQ_INT (write (sv[1], "ab", 2), 2);
  once (loop, 0.2);
  CHECK_EQ_INT (cnt[R], 1);  CHECK_EQ_INT (rev[R], EV_READ);
  CHECK_EQ_INT (cnt[W], 1);  CHECK_EQ_INT (rev[W], EV_WRITE);
  CHECK_EQ_INT (cnt[RW], 1); CHECK_EQ_INT (rev[RW], EV_READ | EV_WRITE);
  CHECK_EQ_INT (cnt[Z], 0);

  /* stop the writers: only the readers remain, no write events */
  ev_io_stop (loop, &ws[W]);
  ev_io_stop (loop, &ws[RW]);
  once (loop, 0.2);
  CHECK_EQ_INT (cnt[R], 1);  CHECK_EQ_INT (rev[R], EV_READ);
  CHECK_EQ_INT (cnt[W], 0);
  CHECK_EQ_INT (cnt[RW], 0);
  CHECK_EQ_INT (cnt[Z], 0);

  /* drain: nothing fires any more (bounded by the timer) */
  CHECK_EQ_INT (read (sv[0], buf, sizeof buf), 2);
  once (loop, 0.03);
  CHECK_EQ_INT (cnt[R] + cnt[W] + cnt[RW] + cnt[Z], 0);

  /* stop the reader, restart the write-only one */
  ev_io_stop (loop, &ws[R]);
  ev_io_start (loop, &ws[W]);
  CHECK_EQ_INT (write (sv[1], "c", 1), 1);
  once (loop, 0.2);
  CHECK_EQ_INT (cnt[R], 0);
  CHECK_EQ_INT (cnt[W], 1);  CHECK_EQ_INT (rev[W], EV_WRITE);

  /* only the 0-mask watcher left: readable fd, nothing delivered */
  ev_io_stop (loop, &ws[W]);
  once (loop, 0.03);
  CHECK_EQ_INT (cnt[R] + cnt[W] + cnt[RW] + cnt[Z], 0);
  CHECK (ev_is_active (&ws[Z]));
  ev_io_stop (loop, &ws[Z]);

  /* all watchers again with the data still there */
  ev_io_start (loop, &ws[Z]);
  ev_io_start (loop, &ws[RW]);
  ev_io_start (loop, &ws[R]);
  once (loop, 0.2);
  CHECK_EQ_INT (cnt[R], 1);  CHECK_EQ_INT (rev[R], EV_READ);
  CHECK_EQ_INT (cnt[RW], 1); CHECK_EQ_INT (rev[RW], EV_READ | EV_WRITE);
  CHECK_EQ_INT (cnt[Z], 0);
  ev_io_stop (loop, &ws[Z]);
  ev_io_stop (loop, &ws[RW]);
  ev_io_stop (loop, &ws[R]);

  CHECK_EQ_INT (ev_run (loop, 0), 0);
  TEST_DONE ();
}
