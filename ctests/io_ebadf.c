/*
 * An io watcher whose fd is not open (closed before start, or closed after
 * start without stopping the watcher) must not crash or spin the loop: the
 * watcher receives EV_ERROR (possibly with EV_READ/EV_WRITE "dummy" bits)
 * exactly once and is stopped; watchers on valid fds keep working.
 * For an fd closed after the backend already registered it, the kernel may
 * silently drop interest (epoll/io_uring): then "no callback, still active"
 * is accepted too - but never an abort or a busy loop.
 */
/* OURS-ONLY: libev 4.33 reports EV_ERROR|EV_READ|EV_WRITE (0x80000003) and stops the watcher only with select; with poll it aborts ("libev: poll found invalid fd in poll set"), with epoll ("libev: I/O watcher with invalid fd found in epoll_ctl") and io_uring ("libev: event loop rejected bad fd") it aborts when the fd was already closed at (re)registration time, and with epoll/io_uring an fd closed after registration is silently never reported */
#include <ev.h>
#include <sys/socket.h>
#include "testutil.h"

static int bad_calls, bad_rev, good_calls, good_rev, spins;
static int want_good;

static void
maybe_done (struct ev_loop *loop)
{
  if (bad_calls && good_calls >= want_good)
    ev_break (loop, EVBREAK_ALL);
}

static void
bad_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  (void)loop;
  bad_calls++;
  bad_rev = revents;
  /* the library stops the watcher before reporting the error */
  CHECK (!ev_is_active (w));
  if (bad_calls > 100)
    {
      spins = 1;
      ev_break (loop, EVBREAK_ALL);
    }
  maybe_done (loop);
}

static void
good_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  char c;
  good_calls++;
  good_rev = revents;
  CHECK_EQ_INT (read (w->fd, &c, 1), 1);
  ev_io_stop (loop, w);
  maybe_done (loop);
}

static void
to_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break (loop, EVBREAK_ALL);
}

/* mode 0: closed before start; 1: closed after start, before the loop ran */
static void
strict_case (struct ev_loop *loop, int mode)
{
  int a[2], g[2];
  ev_io bad, good;
  ev_timer t;

  bad_calls = bad_rev = good_calls = good_rev = spins = 0;
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, a), 0);
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, g), 0);
  CHECK_EQ_INT (write (g[1], "g", 1), 1);

  ev_io_init (&bad, bad_cb, a[0], EV_READ);
  ev_io_init (&good, good_cb, g[0], EV_READ);
  if (mode == 0)
    close (a[0]);
  ev_io_start (loop, &bad);
  ev_io_start (loop, &good);
  if (mode == 1)
    close (a[0]);

  want_good = 1;
  ev_timer_init (&t, to_cb, 0.3, 0.);
  ev_timer_start (loop, &t);
  ev_run (loop, 0);   /* breaks as soon as both callbacks ran */
  CHECK (ev_is_active (&t));  /* i.e. did not need the safety timer */
  ev_timer_stop (loop, &t);

  CHECK_EQ_INT (spins, 0);
  CHECK_EQ_INT (bad_calls, 1);
  CHECK (bad_rev & EV_ERROR);
  CHECK_EQ_INT (bad_rev & ~(EV_ERROR | EV_READ | EV_WRITE), 0);
  CHECK (!ev_is_active (&bad));
  CHECK (!ev_is_pending (&bad));
  CHECK_EQ_INT (good_calls, 1);
  CHECK_EQ_INT (good_rev, EV_READ);

  close (a[1]); close (g[0]); close (g[1]);
}

int
main (void)
{
  struct ev_loop *loop;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);

  strict_case (loop, 0);
  strict_case (loop, 1);

  /* watcher on a high fd number that is not open (the fd table does cover
   * it, it was open a moment ago) */
  {
    ev_io bad;
    ev_timer t;
    int hi = dup2 (1, 700);
    CHECK_EQ_INT (hi, 700);
    close (hi);
    bad_calls = bad_rev = spins = 0;
    want_good = 0;
    ev_io_init (&bad, bad_cb, hi, EV_WRITE);
    ev_io_start (loop, &bad);
    ev_timer_init (&t, to_cb, 0.3, 0.);
    ev_timer_start (loop, &t);
    ev_run (loop, 0);
    CHECK (ev_is_active (&t));
    ev_timer_stop (loop, &t);
    CHECK_EQ_INT (bad_calls, 1);
    CHECK (bad_rev & EV_ERROR);
    CHECK (!ev_is_active (&bad));
  }

  /* closed after the backend registered it: EV_ERROR+stopped, or silence */
  {
    int a[2], g[2];
    ev_io bad, good;
    ev_timer t;
    bad_calls = bad_rev = good_calls = spins = 0;
    want_good = 1;
    CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, a), 0);
    CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, g), 0);
    ev_io_init (&bad, bad_cb, a[0], EV_READ);
    ev_io_start (loop, &bad);
    ev_run (loop, EVRUN_NOWAIT);
    ev_run (loop, EVRUN_NOWAIT);
    CHECK_EQ_INT (bad_calls, 0);
    close (a[0]);
    CHECK_EQ_INT (write (g[1], "g", 1), 1);
    ev_io_init (&good, good_cb, g[0], EV_READ);
    ev_io_start (loop, &good);
    ev_timer_init (&t, to_cb, 0.1, 0.);
    ev_timer_start (loop, &t);
    ev_run (loop, 0);
    ev_timer_stop (loop, &t);
    CHECK_EQ_INT (spins, 0);
    CHECK_EQ_INT (good_calls, 1);
    if (bad_calls)
      {
        CHECK_EQ_INT (bad_calls, 1);
        CHECK (bad_rev & EV_ERROR);
        CHECK (!ev_is_active (&bad));
      }
    else
      {
        CHECK (ev_is_active (&bad));
        ev_io_stop (loop, &bad);
      }
    close (a[1]); close (g[0]); close (g[1]);
  }

  TEST_DONE ();
}
