/*
 * fork() with 100 armed io watchers and a repeating timer, with children
 * that do a lot with the inherited loop:
 *  A. ev_loop_fork, then the child stops all inherited watchers, closes half
 *     of their fds, adds 200 new fds, restarts the other half: all of it
 *     works in the child; the parent afterwards gets every event;
 *  B. NO ev_loop_fork (select, poll, io_uring and Linux AIO only: our
 *     io_uring and AIO backends re-create their kernel object in a child by
 *     themselves; epoll shares its kernel object with the parent exactly as
 *     in libev, so B is left out there): the child gets events on the
 *     inherited watchers, stops half of them, closes their fds and adds new
 *     ones; the parent afterwards gets every event;
 *  C. a child that only closes all inherited fds and exits: no effect;
 *  D. ev_loop_fork, the child stops all inherited watchers and runs rounds
 *     on fds of its own while the parent runs rounds on its 100 watchers at
 *     the same time: both get exactly their own events.
 * Spurious readiness in the parent after a child consumed data on shared
 * fds is tolerated (one-shot polls may have completed meanwhile); lost or
 * duplicated data is not.
 */
/* OURS-ONLY: libev 4.33's io_uring backend aborts ("io_uring_enter did not consume all sqes") when the child stops the inherited watchers, and a child running the loop without ev_loop_fork is our io_uring/AIO backends' own guarantee */
#include <ev.h>
#include <fcntl.h>
#include <sys/socket.h>
#include "testutil.h"

#define N 100
#define NX 200

static int sv[N][2], xv[NX][2];
static ev_io ws[N], xw[NX];
static int got[N], xgot[NX], spurious, bad;
static int total, want, timer_calls, want_timer;
static const char *who = "parent";

static void
maybe_done (struct ev_loop *loop)
{
  if (total >= want && timer_calls >= want_timer)
    ev_break (loop, EVBREAK_ALL);
}

static void
rcb (struct ev_loop *loop, ev_io *w, int revents)
{
  int *slot, i;
  char buf[16];
  ssize_t r;
  if (w >= ws && w < ws + N)
    i = (int)(w - ws), slot = &got[i];
  else
    i = (int)(w - xw), slot = &xgot[i];
  if (revents != EV_READ && bad++ < 5)
    fprintf (stderr, "%s: revents 0x%x\n", who, revents);
  r = read (w->fd, buf, sizeof buf);
  if (r < 0 && errno == EAGAIN)
    spurious++;
  else if (r != 1 || buf[0] != (char)(i & 0x7f))
    {
      if (bad++ < 5)
        fprintf (stderr, "%s: fd %d: read %zd\n", who, w->fd, r);
    }
  else
    {
      (*slot)++;
      total++;
    }
  maybe_done (loop);
}

static void
tcb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  timer_calls++;
  maybe_done (loop);
}

static void
sto_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  fprintf (stderr, "%s: safety timeout: %d of %d events, timer %d\n", who, total, want, timer_calls);
  ev_break (loop, EVBREAK_ALL);
}

/* write one byte to each selected fd (of sv if !x, of xv if x; from..to
 * step), run until all arrived and the timer fired; 1 if all ok */
static int
round_ (struct ev_loop *loop, int x, int from, int to, int step, const char *what)
{
  ev_timer safety;
  int i, ok = 1, expect = 0;
  int *g = x ? xgot : got;
  int n = x ? NX : N;

  memset (got, 0, sizeof got);
  memset (xgot, 0, sizeof xgot);
  total = 0;
  timer_calls = 0;
  for (i = from; i < to; i += step)
    {
      char c = (char)(i & 0x7f);
      if (write (x ? xv[i][1] : sv[i][1], &c, 1) != 1)
        bad++;
      expect++;
    }
  want = expect;
  want_timer = 1;
  ev_timer_init (&safety, sto_cb, 3., 0.);
  ev_timer_start (loop, &safety);
  ev_run (loop, 0);
  ev_timer_stop (loop, &safety);
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  if (total != expect || timer_calls < 1)
    {
      fprintf (stderr, "%s: %s: %d of %d io events, %d timer events\n", who, what, total, expect, timer_calls);
      ok = 0;
    }
  for (i = 0; i < n; i++)
    if (g[i] != ((i >= from && i < to && (i - from) % step == 0) ? 1 : 0))
      {
        fprintf (stderr, "%s: %s: fd index %d got %d bytes\n", who, what, i, g[i]);
        ok = 0;
        break;
      }
  if (spurious > 4 * N)
    {
      fprintf (stderr, "%s: %s: %d spurious events\n", who, what, spurious);
      ok = 0;
    }
  return ok && !bad;
}

static int
open_x (struct ev_loop *loop, int n)
{
  int i;
  for (i = 0; i < n; i++)
    {
      if (socketpair (AF_UNIX, SOCK_STREAM, 0, xv[i]) < 0)
        return 0;
      fcntl (xv[i][0], F_SETFL, O_NONBLOCK);
      ev_io_init (&xw[i], rcb, xv[i][0], EV_READ);
      ev_io_start (loop, &xw[i]);
    }
  return 1;
}

static void
parent_rounds (struct ev_loop *loop, const char *after)
{
  char what[128];
  spurious = 0;
  snprintf (what, sizeof what, "after %s", after);
  CHECK (round_ (loop, 0, 0, N, 1, what));
  snprintf (what, sizeof what, "after %s, second round", after);
  CHECK (round_ (loop, 0, 0, N, 1, what));
  snprintf (what, sizeof what, "after %s, every 3rd", after);
  CHECK (round_ (loop, 0, 1, N, 3, what));
}

static void
wait_child (pid_t pid, const char *name)
{
  int status = 0;
  CHECK_EQ_INT (waitpid (pid, &status, 0), pid);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      fprintf (stderr, "child %s failed (status 0x%x)\n", name, status);
      tu_failures++;
    }
}

/* file scope: children _exit without destroying it (valgrind: reachable) */
static struct ev_loop *loop;

int
main (void)
{
  ev_timer tick;
  pid_t pid;
  int i, be;

  ALARM_GUARD (15);
  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop)
    TEST_DONE ();
  be = ev_backend (loop);

  for (i = 0; i < N; i++)
    {
      CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
      fcntl (sv[i][0], F_SETFL, O_NONBLOCK);
      ev_io_init (&ws[i], rcb, sv[i][0], EV_READ);
      ev_io_start (loop, &ws[i]);
    }
  ev_timer_init (&tick, tcb, 0.01, 0.01);
  ev_timer_start (loop, &tick);
  CHECK (round_ (loop, 0, 0, N, 1, "before fork"));

  /* A */
  fflush (NULL);
  pid = fork ();
  if (pid == 0)
    {
      alarm (10);
      who = "child A";
      ev_loop_fork (loop);
      for (i = 0; i < N; i++)
        ev_io_stop (loop, &ws[i]);
      for (i = 0; i < N; i += 2)
        close (sv[i][0]);
      if (!open_x (loop, NX))
        _exit (2);
      if (!round_ (loop, 1, 0, NX, 1, "new fds"))
        _exit (1);
      for (i = 1; i < N; i += 2)
        ev_io_start (loop, &ws[i]);
      if (!round_ (loop, 0, 1, N, 2, "restarted inherited"))
        _exit (1);
      if (!round_ (loop, 1, 0, NX, 3, "new fds again"))
        _exit (1);
      _exit (0);
    }
  CHECK (pid > 0);
  wait_child (pid, "A");
  parent_rounds (loop, "child A");

  /* B */
  if (be != EVBACKEND_EPOLL)
    {
      fflush (NULL);
      pid = fork ();
      if (pid == 0)
        {
          alarm (10);
          who = "child B (no ev_loop_fork)";
          if (!round_ (loop, 0, 0, N, 1, "inherited"))
            _exit (1);
          for (i = 0; i < N; i += 2)
            {
              ev_io_stop (loop, &ws[i]);
              close (sv[i][0]);
            }
          if (!open_x (loop, NX))
            _exit (2);
          if (!round_ (loop, 1, 0, NX, 1, "new fds"))
            _exit (1);
          if (!round_ (loop, 0, 1, N, 2, "remaining inherited"))
            _exit (1);
          _exit (0);
        }
      CHECK (pid > 0);
      wait_child (pid, "B");
      parent_rounds (loop, "child B");
    }

  /* C */
  fflush (NULL);
  pid = fork ();
  if (pid == 0)
    {
      for (i = 0; i < N; i++)
        {
          close (sv[i][0]);
          close (sv[i][1]);
        }
      _exit (0);
    }
  CHECK (pid > 0);
  wait_child (pid, "C");
  parent_rounds (loop, "child C");

  /* D: concurrently */
  fflush (NULL);
  pid = fork ();
  if (pid == 0)
    {
      int r;
      alarm (10);
      who = "child D";
      ev_loop_fork (loop);
      for (i = 0; i < N; i++)
        ev_io_stop (loop, &ws[i]);
      if (!open_x (loop, NX))
        _exit (2);
      for (r = 0; r < 10; r++)
        if (!round_ (loop, 1, r % 3, NX, 1 + r % 3, "own fds, concurrently"))
          _exit (1);
      _exit (0);
    }
  CHECK (pid > 0);
  {
    int r;
    for (r = 0; r < 10; r++)
      CHECK (round_ (loop, 0, r % 2, N, 1 + r % 2, "concurrently with child D"));
  }
  wait_child (pid, "D");
  parent_rounds (loop, "child D");

  CHECK_EQ_INT (bad, 0);
  for (i = 0; i < N; i++)
    {
      ev_io_stop (loop, &ws[i]);
      close (sv[i][0]);
      close (sv[i][1]);
    }
  ev_timer_stop (loop, &tick);
  ev_loop_destroy (loop);
  TEST_DONE ();
}
