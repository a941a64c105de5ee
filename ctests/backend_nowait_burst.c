/*
 * A loop driven only with EVRUN_NOWAIT (a game-loop style poller) while
 * 1,000 socketpairs become readable at once: within a bounded number of
 * NOWAIT iterations (1000) every callback happens exactly once, and further
 * NOWAIT iterations deliver nothing more.  Done three ways: polls armed by
 * earlier NOWAIT iterations; readiness present before the watchers were
 * started; and again on the re-armed polls.  The loop never blocks here, so
 * a backend that only submits its (re-)arms in a blocking wait stalls.
 */
/* OURS-ONLY: libev 4.33's io_uring backend stalls here (64 of 1,000 callbacks after 1,000 NOWAIT iterations, 999 of them without progress) and then aborts ("io_uring_enter did not consume all sqes"); its select, poll and epoll backends pass */
#include <ev.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include "testutil.h"

#define MAXN 1000
#define MAX_ITER 1000

static int n;
static int sv[MAXN][2];
static ev_io ws[MAXN];
static unsigned char cnt[MAXN];
static int total, wrong;

static void
rcb (struct ev_loop *loop, ev_io *w, int revents)
{
  int i = (int)(w - ws);
  char c = 0;
  (void)loop;
  cnt[i]++;
  total++;
  if (revents != EV_READ && wrong++ < 5)
    fprintf (stderr, "watcher %d: revents 0x%x\n", i, revents);
  if ((read (w->fd, &c, 1) != 1 || c != (char)(i & 0x7f)) && wrong++ < 5)
    fprintf (stderr, "watcher %d: bad read\n", i);
}

static void
poke_all (void)
{
  int i;
  for (i = 0; i < n; i++)
    {
      char c = (char)(i & 0x7f);
      if (write (sv[i][1], &c, 1) != 1)
        wrong++;
    }
}

static void
collect (struct ev_loop *loop, const char *what)
{
  int it, i, stalls = 0;

  for (it = 0; it < MAX_ITER && total < n; it++)
    {
      int before = total;
      ev_run (loop, EVRUN_NOWAIT);
      if (total == before)
        {
          /* give kernel-side completion work a moment, never a blocking ev_run */
          stalls++;
          usleep (1000);
        }
    }
  if (total != n)
    fprintf (stderr, "%s: %d of %d callbacks after %d NOWAIT iterations (%d without progress)\n",
             what, total, n, it, stalls);
  CHECK_EQ_INT (total, n);
  for (i = 0; i < 20; i++)
    ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (total, n);
  for (i = 0; i < n; i++)
    if (cnt[i] != 1)
      {
        fprintf (stderr, "%s: watcher %d (fd %d): %d callbacks\n", what, i, sv[i][0], cnt[i]);
        wrong++;
        break;
      }
  memset (cnt, 0, sizeof cnt);
  total = 0;
}

int
main (void)
{
  struct ev_loop *loop;
  struct rlimit rl;
  rlim_t need = 2 * MAXN + 128;
  int i;

  ALARM_GUARD (15);
  n = MAXN;
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < need)
    {
      rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ? need : rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
      getrlimit (RLIMIT_NOFILE, &rl);
      if (rl.rlim_cur < need)
        n = ((int)rl.rlim_cur - 128) / 2;
    }
  CHECK (n >= 100);

  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop)
    TEST_DONE ();

  for (i = 0; i < n; i++)
    {
      if (socketpair (AF_UNIX, SOCK_STREAM, 0, sv[i]) < 0)
        {
          fprintf (stderr, "socketpair %d: %s\n", i, strerror (errno));
          return 1;
        }
      fcntl (sv[i][0], F_SETFL, O_NONBLOCK);
      ev_io_init (&ws[i], rcb, sv[i][0], EV_READ);
      ev_io_start (loop, &ws[i]);
    }

  /* armed by NOWAIT iterations, then all readable at once */
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  CHECK_EQ_INT (total, 0);
  poke_all ();
  collect (loop, "armed");

  /* readable before the watchers are started */
  for (i = 0; i < n; i++)
    ev_io_stop (loop, &ws[i]);
  ev_run (loop, EVRUN_NOWAIT);
  poke_all ();
  for (i = 0; i < n; i++)
    ev_io_start (loop, &ws[i]);
  collect (loop, "ready before start");

  /* and once more on the re-armed polls */
  poke_all ();
  collect (loop, "re-armed");

  CHECK_EQ_INT (wrong, 0);
  for (i = 0; i < n; i++)
    ev_io_stop (loop, &ws[i]);
  ev_run (loop, EVRUN_NOWAIT);
  ev_loop_destroy (loop);
  for (i = 0; i < n; i++)
    {
      close (sv[i][0]);
      close (sv[i][1]);
    }
  TEST_DONE ();
}
