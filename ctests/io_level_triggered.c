/*
 * Level-triggered io: as long as data stays unread, the read watcher is
 * invoked again on every loop iteration (exactly once per iteration); after
 * partial reads it keeps firing; after draining it stops firing.
 */
#include <ev.h>
#include <fcntl.h>
#include <sys/socket.h>
#include "testutil.h"

static int rcalls, wcalls, iterations;
static int bad_revents;

static void
rcb (struct ev_loop *loop, ev_io *w, int revents)
{
  (void)loop; (void)w;
  rcalls++;
  if (revents != EV_READ) bad_revents++;
}

static void
wcb (struct ev_loop *loop, ev_io *w, int revents)
{
  (void)loop; (void)w;
  wcalls++;
  if (revents != EV_WRITE) bad_revents++;
}

static void
prep_cb (struct ev_loop *loop, ev_prepare *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  iterations++;
}

static int expired;
static void
to_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  expired = 1;
}

int
main (void)
{
  struct ev_loop *loop;
  int sv[2], i;
  char buf[64];
  ev_io r, w;
  ev_prepare p;
  ev_timer t;
  unsigned int it0;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  fcntl (sv[0], F_SETFL, O_NONBLOCK);
  CHECK_EQ_INT (write (sv[1], "0123456789", 10), 10);

  ev_io_init (&r, rcb, sv[0], EV_READ);
  ev_io_start (loop, &r);
  ev_prepare_init (&p, prep_cb);
  ev_prepare_start (loop, &p);

  /* never reading: one callback per iteration */
  it0 = ev_iteration (loop);
  for (i = 0; i < 5; i++)
    ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (ev_iteration (loop) - it0, 5);
  CHECK_EQ_INT (iterations, 5);
  /* the first iteration may legitimately be consumed by registration on
   * some backends, never more than one callback per iteration though */
  CHECK (rcalls >= 4 && rcalls <= 5);

  /* read part of it: still readable, still firing */
  CHECK_EQ_INT (read (sv[0], buf, 4), 4);
  rcalls = 0;
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (rcalls, 3);

  /* NOWAIT iterations as well */
  rcalls = 0;
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (rcalls, 3);

  /* a write watcher on a writable socket also fires every iteration,
   * together with the reader */
  ev_io_init (&w, wcb, sv[0], EV_WRITE);
  ev_io_start (loop, &w);
  rcalls = wcalls = 0;
  for (i = 0; i < 4; i++)
    ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (rcalls, 4);
  CHECK_EQ_INT (wcalls, 4);
  ev_io_stop (loop, &w);

  /* drain: no more read callbacks */
  CHECK_EQ_INT (read (sv[0], buf, sizeof buf), 6);
  rcalls = 0;
  ev_timer_init (&t, to_cb, 0.05, 0.);
  ev_timer_start (loop, &t);
  while (!expired)
    ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (rcalls, 0);

  /* new data fires again */
  CHECK_EQ_INT (write (sv[1], "z", 1), 1);
  for (i = 0; i < 10 && !rcalls; i++)
    ev_run (loop, EVRUN_ONCE);
  CHECK_EQ_INT (rcalls, 1);

  CHECK_EQ_INT (bad_revents, 0);
  ev_io_stop (loop, &r);
  ev_prepare_stop (loop, &p);
  TEST_DONE ();
}
