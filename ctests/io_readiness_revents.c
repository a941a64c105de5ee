/*
 * io watchers: read and write readiness on socketpairs and pipes, exact
 * revents masks (EV_READ, EV_WRITE, EV_READ|EV_WRITE), the events/fd fields
 * before and after ev_io_start (EV__IOFDSET must read back cleared after start).
 */
#include <ev.h>
#include <fcntl.h>
#include <sys/socket.h>
#include "testutil.h"

static int calls;
static int last_revents;
static ev_io *last_w;

static void
io_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  calls++;
  last_revents = revents;
  last_w = w;
  ev_io_stop (loop, w);
  ev_break (loop, EVBREAK_ONE);
}

/* run one blocking iteration, bounded by a short timer */
static void
timeout_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break (loop, EVBREAK_ONE);
}

static void
run_bounded (struct ev_loop *loop, double secs)
{
  ev_timer t;
  ev_timer_init (&t, timeout_cb, secs, 0.);
  ev_timer_start (loop, &t);
  ev_run (loop, 0);
  ev_timer_stop (loop, &t);
}

static void
expect_one (struct ev_loop *loop, ev_io *w, int fd, int events, int want)
{
  calls = 0; last_revents = -1; last_w = 0;
  ev_io_init (w, io_cb, fd, events);
  CHECK_EQ_INT (w->fd, fd);
  CHECK_EQ_INT (w->events, events | EV__IOFDSET);
  ev_io_start (loop, w);
  CHECK (ev_is_active (w));
  /* after start the library must have cleared EV__IOFDSET */
  CHECK_EQ_INT (w->events, events);
  CHECK_EQ_INT (w->fd, fd);
  run_bounded (loop, 0.2);
  CHECK_EQ_INT (calls, 1);
  CHECK (last_w == w);
  CHECK_EQ_INT (last_revents, want);
  CHECK (!ev_is_active (w));
  CHECK (!ev_is_pending (w));
  /* the stopped watcher keeps reading back the plain mask */
  CHECK_EQ_INT (w->events, events);
}

static void
expect_none (struct ev_loop *loop, ev_io *w, int fd, int events)
{
  calls = 0;
  ev_io_init (w, io_cb, fd, events);
  ev_io_start (loop, w);
  run_bounded (loop, 0.03);
  CHECK_EQ_INT (calls, 0);
  CHECK (ev_is_active (w));
  ev_io_stop (loop, w);
  CHECK (!ev_is_active (w));
}

int
main (void)
{
  struct ev_loop *loop;
  int sv[2], pp[2];
  char buf[16] = { 0 };
  ev_io w;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);
  CHECK (loop != 0);
  if (!loop) TEST_DONE ();

  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  CHECK_EQ_INT (pipe (pp), 0);
  fcntl (sv[0], F_SETFL, O_NONBLOCK);
  fcntl (pp[0], F_SETFL, O_NONBLOCK);

  /* socketpair: fresh socket is writable but not readable */
  expect_one (loop, &w, sv[0], EV_WRITE, EV_WRITE);
  expect_none (loop, &w, sv[0], EV_READ);
  /* READ|WRITE with no data: only EV_WRITE reported */
  expect_one (loop, &w, sv[0], EV_READ | EV_WRITE, EV_WRITE);

  CHECK_EQ_INT (write (sv[1], "abc", 3), 3);
  expect_one (loop, &w, sv[0], EV_READ, EV_READ);
  /* both ready: both bits */
  expect_one (loop, &w, sv[0], EV_READ | EV_WRITE, EV_READ | EV_WRITE);
  /* watching only for write while readable: no EV_READ leaks in */
  expect_one (loop, &w, sv[0], EV_WRITE, EV_WRITE);
  CHECK_EQ_INT (read (sv[0], buf, sizeof buf), 3);
  expect_none (loop, &w, sv[0], EV_READ);

  /* the other end of the pair, too */
  CHECK_EQ_INT (write (sv[0], "z", 1), 1);
  expect_one (loop, &w, sv[1], EV_READ, EV_READ);
  CHECK_EQ_INT (read (sv[1], buf, sizeof buf), 1);

  /* pipe: read end not readable until written, write end writable */
  expect_none (loop, &w, pp[0], EV_READ);
  expect_one (loop, &w, pp[1], EV_WRITE, EV_WRITE);
  CHECK_EQ_INT (write (pp[1], "hello", 5), 5);
  expect_one (loop, &w, pp[0], EV_READ, EV_READ);
  /* read end watched for READ|WRITE: a pipe read end is never writable */
  expect_one (loop, &w, pp[0], EV_READ | EV_WRITE, EV_READ);
  CHECK_EQ_INT (read (pp[0], buf, sizeof buf), 5);
  expect_none (loop, &w, pp[0], EV_READ);

  /* a full pipe is not writable; draining makes it writable again */
  {
    int n = 0;
    fcntl (pp[1], F_SETFL, O_NONBLOCK);
    while (write (pp[1], buf, sizeof buf) > 0)
      n++;
    CHECK (n > 0);
    expect_none (loop, &w, pp[1], EV_WRITE);
    while (read (pp[0], buf, sizeof buf) > 0)
      ;
    expect_one (loop, &w, pp[1], EV_WRITE, EV_WRITE);
  }

  close (sv[0]); close (sv[1]); close (pp[0]); close (pp[1]);
  TEST_DONE ();
}
