/*
 * event.h from C++: the prototypes have C linkage (the program links), the
 * struct and macros work, and event.h can be combined with ev++.h in one
 * translation unit (both include ev.h); a libevent-style timer and a
 * persistent read event run next to an ev::idle watcher on the same loop
 * (event_init's base is the default loop).
 */
#include <event.h>
#include <ev++.h>
#include <sys/socket.h>
#include "testutil.h"

static_assert (sizeof (struct event) == 144, "struct event is 144 bytes");

static int timeouts, reads, idles;

static void
timeout_cb (int fd, short events, void *arg)
{
  CHECK_EQ_INT (fd, -1);
  CHECK_EQ_INT (events, EV_TIMEOUT);
  CHECK (arg == &timeouts);
  timeouts++;
}

static void
read_cb (int fd, short events, void *arg)
{
  char buf[16];
  (void) arg;
  CHECK_EQ_INT (events, EV_READ);
  if (read (fd, buf, sizeof buf) > 0)
    reads++;
}

static void
idle_fn (ev::idle &w, int)
{
  idles++;
  w.stop ();
}

int
main ()
{
  ALARM_GUARD (10);
  struct event_base *base = (struct event_base *) event_init ();
  ev::default_loop dl;
  CHECK ((void *) base == (void *) dl.raw_loop);

  struct event t, r;
  struct timeval tv = { 0, 2000 };
  evtimer_set (&t, timeout_cb, &timeouts);
  evtimer_add (&t, &tv);

  int sv[2];
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  event_set (&r, sv[0], EV_READ | EV_PERSIST, read_cb, 0);
  event_add (&r, 0);
  CHECK_EQ_INT (write (sv[1], "x", 1), 1);

  ev::idle id (dl);
  id.set<idle_fn> ();
  id.start ();

  for (int i = 0; i < 100 && !(timeouts && reads && idles); i++)
    event_loop (EVLOOP_ONCE);
  CHECK_EQ_INT (timeouts, 1);
  CHECK_EQ_INT (reads, 1);
  CHECK_EQ_INT (idles, 1);

  event_del (&r);
  CHECK_EQ_INT (event_dispatch (), 1);     /* nothing left */
  close (sv[0]);
  close (sv[1]);
  TEST_DONE ();
}
