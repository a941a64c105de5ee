/*
 * ev_loop_fork with active io watchers: after fork() the child calls
 * ev_loop_fork and its (inherited and new) io watchers deliver events; the
 * child's changes (stopping an inherited watcher) must not disturb the
 * parent, whose watchers keep working - whether or not the parent calls
 * ev_loop_fork as well.
 */
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include "testutil.h"

static int ca, cc, ra, rc;
static ev_io wa, wc;

static void
cb (struct ev_loop *loop, ev_io *w, int revents)
{
  char buf[16];
  CHECK (read (w->fd, buf, sizeof buf) > 0);
  if (w == &wa) { ca++; ra = revents; }
  else          { cc++; rc = revents; }
  ev_break (loop, EVBREAK_ONE);
}

static int expired;
static void
to_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  expired = 1;
  ev_break (loop, EVBREAK_ONE);
}

static void
run_until (struct ev_loop *loop, int want, double secs)
{
  ev_timer t;
  expired = 0;
  ev_timer_init (&t, to_cb, secs, 0.);
  ev_timer_start (loop, &t);
  while (!expired && ca + cc < want)
    ev_run (loop, 0);
  ev_timer_stop (loop, &t);
}

static void
round_trip (struct ev_loop *loop, int fdw, int expect_a)
{
  ca = cc = ra = rc = 0;
  CHECK_EQ_INT (write (fdw, "p", 1), 1);
  run_until (loop, 1, 0.5);
  CHECK_EQ_INT (ca, expect_a);
  CHECK_EQ_INT (cc, !expect_a);
  CHECK_EQ_INT (expect_a ? ra : rc, EV_READ);
}

static void
one_fork (struct ev_loop *loop, int a[2], int parent_forks_too)
{
  pid_t pid;
  int status = -1;

  fflush (NULL);
  pid = fork ();
  CHECK (pid >= 0);
  if (pid == 0)
    {
      int c[2];
      alarm (5);
      tu_failures = 0;
      ev_loop_fork (loop);
      /* inherited watcher works in the child */
      round_trip (loop, a[1], 1);
      /* a new watcher works as well */
      CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, c), 0);
      ev_io_init (&wc, cb, c[0], EV_READ);
      ev_io_start (loop, &wc);
      round_trip (loop, c[1], 0);
      round_trip (loop, a[1], 1);
      /* now the child drops the inherited watcher and lets its loop see
       * data on that fd for a while: whatever the child's loop does about
       * that unwanted event must stay in the child */
      ev_io_stop (loop, &wa);
      ev_io_stop (loop, &wc);
      CHECK_EQ_INT (write (a[1], "c", 1), 1);
      ca = cc = 0;
      run_until (loop, 1, 0.03);
      CHECK_EQ_INT (ca + cc, 0);
      _exit (tu_failures ? 1 : 0);
    }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  CHECK (WIFEXITED (status));
  CHECK_EQ_INT (WEXITSTATUS (status), 0);

  if (parent_forks_too)
    ev_loop_fork (loop);
  /* the parent's watcher is unaffected by the child */
  round_trip (loop, a[1], 1);
  round_trip (loop, a[1], 1);
  CHECK (ev_is_active (&wa));
}

int
main (void)
{
  struct ev_loop *loop;
  int a[2];

  ALARM_GUARD (10);
  signal (SIGPIPE, SIG_IGN);
  loop = ev_default_loop (0);
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, a), 0);
  fcntl (a[0], F_SETFL, O_NONBLOCK);
  ev_io_init (&wa, cb, a[0], EV_READ);
  ev_io_start (loop, &wa);
  round_trip (loop, a[1], 1);

  one_fork (loop, a, 0);
  one_fork (loop, a, 1);

  /* and a fresh loop (not the default one) behaves the same */
  ev_io_stop (loop, &wa);
  {
    struct ev_loop *l2 = ev_loop_new (0);
    CHECK (l2 != 0);
    if (l2)
      {
        ev_io_start (l2, &wa);
        round_trip (l2, a[1], 1);
        one_fork (l2, a, 1);
        ev_io_stop (l2, &wa);
        ev_loop_destroy (l2);
      }
  }
  TEST_DONE ();
}
