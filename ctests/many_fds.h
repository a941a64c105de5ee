/* Shared by io_many_fds.c and io_many_fds_stop.c: 500 socketpairs with one
 * read watcher each, and a round of writes checked for exactly-once delivery. */
#ifndef MANY_FDS_H
#define MANY_FDS_H
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

/* Raise the fd limit, make the pairs and start a watcher on each. */
static struct ev_loop *
many_fds_setup (void)
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
  if (!loop)
    exit (1);

  for (i = 0; i < npairs; i++)
    {
      CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
      fcntl (sv[i][0], F_SETFL, O_NONBLOCK);
      ev_io_init (&ws[i], rcb, sv[i][0], EV_READ);
      ev_io_start (loop, &ws[i]);
    }

  return loop;
}

#endif
