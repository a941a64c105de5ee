/*
 * fork() with 100 active (and armed) io watchers and a repeating timer:
 *  1. a child that calls ev_loop_fork gets io events on all 100 inherited
 *     watchers (for data it writes itself) and its timer fires;
 *  2. the parent afterwards still gets an event on every fd (spurious
 *     readiness left over by the child's activity is tolerated: one-shot
 *     polls of the parent may have completed while the child consumed the
 *     data - the callback then reads nothing; but no byte is lost and none
 *     is reported twice) and its timer fires;
 *  3. a second child (ev_loop_fork again) adds an fd of its own, stops an
 *     inherited watcher, and stops another one and closes its fd: nothing
 *     of it disturbs the parent (only two: libev 4.33's io_uring backend
 *     aborts with "did not consume all sqes" as soon as a few armed watchers
 *     are stopped there; backend_fork_heavy.c goes much further);
 *  4. a third child does NOT call ev_loop_fork and runs its loop (timers
 *     only, nothing readable) for a while: the parent afterwards still gets
 *     every event.
 */
#include <ev.h>
#include <fcntl.h>
#include <sys/socket.h>
#include "testutil.h"

#define N 100

static int sv[N][2];
static ev_io ws[N];
static int got[N], spurious, bad;
static int total, want, timer_calls, want_timer;

static void
maybe_done (struct ev_loop *loop)
{
  if (total >= want && timer_calls >= want_timer)
    ev_break (loop, EVBREAK_ALL);
}

static void
rcb (struct ev_loop *loop, ev_io *w, int revents)
{
  int i = (int)(w - ws);
  char buf[16];
  ssize_t r;
  if (revents != EV_READ)
    bad++;
  r = read (w->fd, buf, sizeof buf);
  if (r < 0 && errno == EAGAIN)
    spurious++;
  else if (r != 1 || buf[0] != (char)(i & 0x7f))
    {
      if (bad++ < 5)
        fprintf (stderr, "[%d] watcher %d: read %zd\n", (int)getpid (), i, r);
    }
  else
    {
      got[i]++;
      total++;
    }
  maybe_done (loop);
}

static void
tcb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w;
  if (revents != EV_TIMER)
    bad++;
  timer_calls++;
  maybe_done (loop);
}

static void
sto_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  fprintf (stderr, "[%d] safety timeout: %d of %d events, timer %d\n", (int)getpid (), total, want, timer_calls);
  ev_break (loop, EVBREAK_ALL);
}

static void
brk_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break (loop, EVBREAK_ALL);
}

/* write to every fd, run until every byte arrived and the timer fired */
static int
round_ (struct ev_loop *loop, const char *who)
{
  ev_timer safety;
  int i, ok = 1;

  memset (got, 0, sizeof got);
  total = 0;
  timer_calls = 0;
  want = N;
  want_timer = 1;
  for (i = 0; i < N; i++)
    {
      char c = (char)(i & 0x7f);
      if (write (sv[i][1], &c, 1) != 1)
        bad++;
    }
  ev_timer_init (&safety, sto_cb, 3., 0.);
  ev_timer_start (loop, &safety);
  ev_run (loop, 0);
  ev_timer_stop (loop, &safety);
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  if (total != N || timer_calls < 1)
    {
      fprintf (stderr, "%s: %d of %d io events, %d timer events\n", who, total, N, timer_calls);
      ok = 0;
    }
  for (i = 0; i < N; i++)
    if (got[i] != 1)
      {
        fprintf (stderr, "%s: watcher %d got %d bytes\n", who, i, got[i]);
        ok = 0;
        break;
      }
  if (spurious > 2 * N)
    {
      fprintf (stderr, "%s: %d spurious events\n", who, spurious);
      ok = 0;
    }
  return ok && !bad;
}

/* file scope: children _exit without destroying it (valgrind: reachable) */
static struct ev_loop *loop;

int
main (void)
{
  ev_timer tick;
  pid_t pid;
  int status, i;

  ALARM_GUARD (15);
  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop)
    TEST_DONE ();

  for (i = 0; i < N; i++)
    {
      CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
      fcntl (sv[i][0], F_SETFL, O_NONBLOCK);
      ev_io_init (&ws[i], rcb, sv[i][0], EV_READ);
      ev_io_start (loop, &ws[i]);
    }
  ev_timer_init (&tick, tcb, 0.01, 0.01);
  ev_timer_start (loop, &tick);

  CHECK (round_ (loop, "parent before fork"));

  /* 1: child with ev_loop_fork */
  fflush (NULL);
  pid = fork ();
  CHECK (pid >= 0);
  if (pid == 0)
    {
      alarm (10);
      ev_loop_fork (loop);
      if (!round_ (loop, "child (ev_loop_fork)"))
        _exit (1);
      if (!round_ (loop, "child (ev_loop_fork), second round"))
        _exit (1);
      _exit (0);
    }
  CHECK_EQ_INT (waitpid (pid, &status, 0), pid);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  /* 2: the parent still gets everything */
  spurious = 0;
  CHECK (round_ (loop, "parent after child 1"));
  CHECK (round_ (loop, "parent after child 1, second round"));

  /* 3: child with ev_loop_fork that changes things */
  fflush (NULL);
  pid = fork ();
  CHECK (pid >= 0);
  if (pid == 0)
    {
      int x[2];
      ev_io xw;
      alarm (10);
      ev_loop_fork (loop);
      for (i = 0; i < 2; i += 2)
        ev_io_stop (loop, &ws[i]);
      if (socketpair (AF_UNIX, SOCK_STREAM, 0, x) < 0)
        _exit (2);
      ev_io_init (&xw, rcb, x[0], EV_READ);
      ev_io_start (loop, &xw);
      for (i = 0; i < 5; i++)
        ev_run (loop, EVRUN_NOWAIT);
      for (i = 1; i < 2; i += 2)
        {
          ev_io_stop (loop, &ws[i]);
          close (sv[i][0]);
        }
      for (i = 0; i < 5; i++)
        ev_run (loop, EVRUN_NOWAIT);
      _exit (0);
    }
  CHECK_EQ_INT (waitpid (pid, &status, 0), pid);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  spurious = 0;
  CHECK (round_ (loop, "parent after child 2"));
  CHECK (round_ (loop, "parent after child 2, second round"));

  /* 4: child without ev_loop_fork runs its loop for a while */
  fflush (NULL);
  pid = fork ();
  CHECK (pid >= 0);
  if (pid == 0)
    {
      ev_timer stop_t;
      alarm (10);
      ev_timer_init (&stop_t, brk_cb, 0.05, 0.);
      ev_timer_start (loop, &stop_t);
      want = 1;                 /* run until stop_t */
      want_timer = 1 << 30;
      total = 0;
      ev_run (loop, 0);
      _exit (total == 0 ? 0 : 3);
    }
  CHECK_EQ_INT (waitpid (pid, &status, 0), pid);
  CHECK (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  spurious = 0;
  CHECK (round_ (loop, "parent after child 3 (no ev_loop_fork)"));
  CHECK (round_ (loop, "parent after child 3, second round"));
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
