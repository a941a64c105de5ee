/*
 * Many fds, then half of the watchers stopped at once: 500 socketpairs with
 * one read watcher each; after stopping every second watcher in one go,
 * a write to every pair reaches exactly the still-active watchers, once.
 */
/* OURS-ONLY: libev 4.33's io_uring backend (LIBEV_FLAGS=128) aborts with "libev: io_uring_enter did not consume all sqes" as soon as two or more io watchers are stopped in one go while ~30+ polls are outstanding (select/poll/epoll pass) */
#include <ev.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include "testutil.h"

#define MAXPAIRS 500

static int npairs;
static int sv[MAXPAIRS][2];
static ev_io ws[MAXPAIRS];
static int cnt[MAXPAIRS];
static int total, want_total, wrong;

static void
rcb (struct ev_loop *loop, ev_io *w, int revents)
{
  int i = (int)(w - ws);
  char c;
  cnt[i]++;
  total++;
  if (revents != EV_READ) wrong++;
  if (read (w->fd, &c, 1) != 1 || c != (char)(i & 0x7f)) wrong++;
  if (total >= want_total)
    ev_break (loop, EVBREAK_ONE);
}

static void
to_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break (loop, EVBREAK_ONE);
}

static void
round_ (struct ev_loop *loop, int step)
{
  int i, expect = 0, extra_total;
  ev_timer t;
  memset (cnt, 0, sizeof cnt);
  total = 0;
  for (i = 0; i < npairs; i += step)
    {
      char c = (char)(i & 0x7f);
      CHECK_EQ_INT (write (sv[i][1], &c, 1), 1);
      expect++;
    }
  want_total = expect;
  ev_timer_init (&t, to_cb, 0.5, 0.);  /* safety bound only */
  ev_timer_start (loop, &t);
  ev_run (loop, 0);
  ev_timer_stop (loop, &t);
  CHECK_EQ_INT (total, expect);
  /* a few more non-blocking iterations: nothing else may arrive */
  extra_total = total;
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (total, extra_total);
  for (i = 0; i < npairs; i++)
    if (cnt[i] != (i % step == 0 ? 1 : 0))
      {
        fprintf (stderr, "pair %d (fd %d): %d callbacks (step %d)\n", i, sv[i][0], cnt[i], step);
        wrong++;
        break;
      }
}

int
main (void)
{
  struct ev_loop *loop;
  struct rlimit rl;
  int i;

  ALARM_GUARD (10);
  npairs = MAXPAIRS;
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0)
    {
      rlim_t need = 2 * MAXPAIRS + 64;
      if (rl.rlim_cur < need)
        {
          rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
          setrlimit (RLIMIT_NOFILE, &rl);
          getrlimit (RLIMIT_NOFILE, &rl);
        }
      if (rl.rlim_cur < need)
        npairs = ((int)rl.rlim_cur - 64) / 2;
    }
  CHECK (npairs >= 100);

  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop) TEST_DONE ();

  for (i = 0; i < npairs; i++)
    {
      CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
      fcntl (sv[i][0], F_SETFL, O_NONBLOCK);
      ev_io_init (&ws[i], rcb, sv[i][0], EV_READ);
      ev_io_start (loop, &ws[i]);
    }

  round_ (loop, 1);
  CHECK_EQ_INT (wrong, 0);

  /* stop every second watcher: only the others deliver */
  for (i = 0; i < npairs; i += 2)
    ev_io_stop (loop, &ws[i]);
  {
    ev_timer t;
    total = 0;
    memset (cnt, 0, sizeof cnt);
    for (i = 0; i < npairs; i++)
      {
        char c = (char)(i & 0x7f);
        CHECK_EQ_INT (write (sv[i][1], &c, 1), 1);
      }
    want_total = npairs / 2;
    ev_timer_init (&t, to_cb, 0.5, 0.);
    ev_timer_start (loop, &t);
    ev_run (loop, 0);
    ev_timer_stop (loop, &t);
    CHECK_EQ_INT (total, npairs / 2);
    for (i = 0; i < 3; i++)
      ev_run (loop, EVRUN_NOWAIT);
    CHECK_EQ_INT (total, npairs / 2);
    for (i = 0; i < npairs; i++)
      if (cnt[i] != (i & 1))
        {
          fprintf (stderr, "pair %d: %d callbacks after stopping evens\n", i, cnt[i]);
          wrong++;
          break;
        }
  }
  CHECK_EQ_INT (wrong, 0);

  /* consume the bytes the stopped watchers did not get, then restart them:
   * everybody delivers again */
  for (i = 0; i < npairs; i += 2)
    {
      char c;
      CHECK_EQ_INT (read (sv[i][0], &c, 1), 1);
      ev_io_start (loop, &ws[i]);
    }
  round_ (loop, 1);
  CHECK_EQ_INT (wrong, 0);


  for (i = 0; i < npairs; i++)
    {
      ev_io_stop (loop, &ws[i]);
      close (sv[i][0]);
      close (sv[i][1]);
    }
  ev_loop_destroy (loop);
  TEST_DONE ();
}
