/*
 * With LIBEV_TEST_NO_IOURING=1 (our test switch: io_uring behaves as if the
 * kernel refused it, e.g. kernel.io_uring_disabled=2) - set before the
 * first libev call; the test re-executes itself with it so that nothing in
 * the process probed io_uring before:
 *   - ev_supported_backends() and ev_recommended_backends() lack
 *     EVBACKEND_IOURING;
 *   - ev_loop_new (EVBACKEND_IOURING | EVFLAG_NOENV) returns NULL;
 *   - EVBACKEND_IOURING | EVBACKEND_EPOLL falls back to epoll;
 *   - automatic selection (ev_default_loop (EVFLAG_NOENV), ev_loop_new (0)
 *     without LIBEV_FLAGS) works and serves io and timers;
 *   - with the harness' LIBEV_FLAGS: a loop for exactly the requested
 *     backend, or NULL when that is io_uring alone (as in libev when the
 *     kernel lacks io_uring).
 */
/* OURS-ONLY: LIBEV_TEST_NO_IOURING is our library's test switch */
#include <ev.h>
#include <sys/socket.h>
#include "testutil.h"

static int io_calls, timer_calls;

static void
io_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  char c;
  io_calls++;
  CHECK_EQ_INT (revents, EV_READ);
  CHECK_EQ_INT (read (w->fd, &c, 1), 1);
  ev_io_stop (loop, w);
}

static void
t_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w;
  CHECK_EQ_INT (revents, EV_TIMER);
  timer_calls++;
}

static void
serve (struct ev_loop *loop, const char *what)
{
  int sv[2];
  ev_io w;
  ev_timer t;
  io_calls = timer_calls = 0;
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ev_io_init (&w, io_cb, sv[0], EV_READ);
  ev_io_start (loop, &w);
  ev_timer_init (&t, t_cb, 0.01, 0.);
  ev_timer_start (loop, &t);
  CHECK_EQ_INT (write (sv[1], "x", 1), 1);
  ev_run (loop, 0);   /* returns when both are done (nothing active) */
  if (io_calls != 1 || timer_calls != 1)
    {
      fprintf (stderr, "%s (backend 0x%x): io %d timer %d\n", what, ev_backend (loop), io_calls, timer_calls);
      tu_failures++;
    }
  close (sv[0]);
  close (sv[1]);
}

int
main (int argc, char **argv)
{
  struct ev_loop *loop;
  const char *env_flags;
  unsigned int envbits;
  (void)argc;

  ALARM_GUARD (10);
  if (!getenv ("LIBEV_TEST_NO_IOURING"))
    {
      char self[4096];
      ssize_t len = readlink ("/proc/self/exe", self, sizeof self - 1);  /* valgrind-proof */
      if (len <= 0)
        {
          fprintf (stderr, "readlink /proc/self/exe: %s\n", strerror (errno));
          return 1;
        }
      self[len] = 0;
      setenv ("LIBEV_TEST_NO_IOURING", "1", 1);
      execv (self, argv);
      fprintf (stderr, "re-exec failed: %s\n", strerror (errno));
      return 1;
    }

  CHECK_EQ_INT (ev_supported_backends () & EVBACKEND_IOURING, 0);
  CHECK_EQ_INT (ev_recommended_backends () & EVBACKEND_IOURING, 0);
  CHECK (ev_supported_backends () & EVBACKEND_EPOLL);

  loop = ev_loop_new (EVBACKEND_IOURING | EVFLAG_NOENV);
  CHECK (loop == 0);
  if (loop)
    ev_loop_destroy (loop);

  loop = ev_loop_new (EVBACKEND_IOURING | EVBACKEND_EPOLL | EVFLAG_NOENV);
  CHECK (loop != 0);
  if (loop)
    {
      CHECK_EQ_INT (ev_backend (loop), EVBACKEND_EPOLL);
      serve (loop, "iouring|epoll");
      ev_loop_destroy (loop);
    }

  /* automatic selection, ignoring the harness' LIBEV_FLAGS */
  loop = ev_default_loop (EVFLAG_NOENV);
  CHECK (loop != 0);
  if (loop)
    {
      CHECK (ev_backend (loop) != 0);
      CHECK_EQ_INT (ev_backend (loop) & EVBACKEND_IOURING, 0);
      serve (loop, "default loop, auto");
    }

  loop = ev_loop_new (EVFLAG_NOENV);
  CHECK (loop != 0);
  if (loop)
    {
      CHECK_EQ_INT (ev_backend (loop) & EVBACKEND_IOURING, 0);
      serve (loop, "ev_loop_new, auto");
      ev_loop_destroy (loop);
    }

  /* the harness' LIBEV_FLAGS: exactly that backend, none for io_uring */
  env_flags = getenv ("LIBEV_FLAGS");
  envbits = env_flags ? (unsigned int)atoi (env_flags) : 0;
  loop = ev_loop_new (0);
  if (envbits == EVBACKEND_IOURING)
    {
      CHECK (loop == 0);
    }
  else
    {
      CHECK (loop != 0);
      if (loop && envbits)
        CHECK_EQ_INT (ev_backend (loop), envbits);
    }
  if (loop)
    {
      serve (loop, "ev_loop_new (0) with LIBEV_FLAGS");
      ev_loop_destroy (loop);
    }

  ev_loop_destroy (EV_DEFAULT);
  TEST_DONE ();
}
