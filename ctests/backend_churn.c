/*
 * Watcher churn on 3,000 armed fds (socketpair read ends): from a single
 * callback all of them are stopped, modified (ev_io_set to EV_WRITE, started,
 * stopped again, ev_io_set back to EV_READ) and restarted, so the backend
 * sees thousands of cancels/re-arms in one iteration (more than an io_uring
 * submission queue of 1024 entries).  Repeated 5 times, alternating with
 * rounds in which all 3,000 really stay in EV_WRITE mode for an iteration
 * (each gets EV_WRITE exactly once, and its callback switches it back to
 * EV_READ).  After every round no stale event arrives (no EV_WRITE for a
 * watcher in EV_READ mode, no EV_READ without data) and a spread subset of
 * writes is delivered exactly once; finally all 3,000 deliver at once.
 */
/* OURS-ONLY: libev 4.33's io_uring backend aborts ("io_uring_enter did not consume all sqes") in the first iteration after the 3,000 watchers were re-set from one callback; its select, poll and epoll backends pass */
#include <ev.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include "testutil.h"

#define MAXN 3000

static int n;
static int sv[MAXN][2];
static ev_io ws[MAXN];
static unsigned char mode[MAXN];   /* EV_READ or EV_WRITE */
static unsigned char rcnt[MAXN], wcnt[MAXN];
static int rtotal, wtotal, wrong;
static int trig_fd, trig_calls, round_no;

static void
io_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  int i = (int)(w - ws);
  if (revents != mode[i])
    {
      if (wrong++ < 5)
        fprintf (stderr, "round %d: watcher %d (fd %d, mode 0x%x, events 0x%x): revents 0x%x\n",
                 round_no, i, w->fd, mode[i], w->events, revents);
      return;
    }
  if (revents & EV_READ)
    {
      char c = 0;
      rcnt[i]++;
      rtotal++;
      if ((read (w->fd, &c, 1) != 1 || c != (char)(i & 0x7f)) && wrong++ < 5)
        fprintf (stderr, "round %d: watcher %d: bad read\n", round_no, i);
    }
  else
    {
      /* was switched to EV_WRITE: back to EV_READ */
      wcnt[i]++;
      wtotal++;
      ev_io_stop (loop, w);
      ev_io_set (w, w->fd, EV_READ);
      mode[i] = EV_READ;
      ev_io_start (loop, w);
    }
}

static void
trig_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  uint64_t v;
  int i;
  (void)revents;
  trig_calls++;
  if (read (w->fd, &v, sizeof v) != sizeof v)
    wrong++;
  if (round_no & 1)
    {
      /* stop, modify there and back, restart: net "no change" but every fd
       * was re-set (EV__IOFDSET) */
      for (i = 0; i < n; i++)
        {
          ev_io_stop (loop, &ws[i]);
          ev_io_set (&ws[i], sv[i][0], EV_WRITE);
          ev_io_start (loop, &ws[i]);
          ev_io_stop (loop, &ws[i]);
          ev_io_set (&ws[i], sv[i][0], EV_READ);
          ev_io_start (loop, &ws[i]);
          /* and a plain stop/start on top */
          if (i % 3 == 0)
            {
              ev_io_stop (loop, &ws[i]);
              ev_io_start (loop, &ws[i]);
            }
        }
    }
  else
    {
      /* really switch to EV_WRITE; io_cb switches back */
      for (i = 0; i < n; i++)
        {
          ev_io_stop (loop, &ws[i]);
          ev_io_set (&ws[i], sv[i][0], EV_WRITE);
          mode[i] = EV_WRITE;
          ev_io_start (loop, &ws[i]);
        }
    }
}

static void
to_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
}

/* EVRUN_ONCE until cond holds (a repeating timer keeps ONCE from hanging) */
#define RUN_UNTIL(loop, cond, max)                                  \
  do {                                                              \
    ev_timer t_;                                                    \
    int it_;                                                        \
    ev_timer_init (&t_, to_cb, 0.2, 0.2);                           \
    ev_timer_start ((loop), &t_);                                   \
    for (it_ = 0; it_ < (max) && !(cond); it_++)                    \
      ev_run ((loop), EVRUN_ONCE);                                  \
    ev_timer_stop ((loop), &t_);                                    \
  } while (0)

static void
deliver (struct ev_loop *loop, int step, int offset)
{
  int i, expect = 0;
  memset (rcnt, 0, sizeof rcnt);
  rtotal = 0;
  for (i = offset; i < n; i += step)
    {
      char c = (char)(i & 0x7f);
      if (write (sv[i][1], &c, 1) != 1)
        wrong++;
      expect++;
    }
  RUN_UNTIL (loop, rtotal >= expect, 50);
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  if (rtotal != expect)
    fprintf (stderr, "round %d: %d of %d read events\n", round_no, rtotal, expect);
  CHECK_EQ_INT (rtotal, expect);
  for (i = 0; i < n; i++)
    if (rcnt[i] != ((i >= offset && (i - offset) % step == 0) ? 1 : 0))
      {
        fprintf (stderr, "round %d: watcher %d (fd %d): %d read callbacks (step %d)\n",
                 round_no, i, sv[i][0], rcnt[i], step);
        wrong++;
        break;
      }
}

int
main (void)
{
  struct ev_loop *loop;
  struct rlimit rl;
  rlim_t need = 2 * MAXN + 128;
  ev_io trig;
  uint64_t one = 1;
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
  CHECK (n >= 500);

  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop)
    TEST_DONE ();

  trig_fd = eventfd (0, EFD_NONBLOCK);
  CHECK (trig_fd >= 0);
  ev_io_init (&trig, trig_cb, trig_fd, EV_READ);
  ev_io_start (loop, &trig);

  for (i = 0; i < n; i++)
    {
      if (socketpair (AF_UNIX, SOCK_STREAM, 0, sv[i]) < 0)
        {
          fprintf (stderr, "socketpair %d: %s\n", i, strerror (errno));
          return 1;
        }
      fcntl (sv[i][0], F_SETFL, O_NONBLOCK);
      mode[i] = EV_READ;
      ev_io_init (&ws[i], io_cb, sv[i][0], EV_READ);
      ev_io_start (loop, &ws[i]);
    }
  ev_run (loop, EVRUN_NOWAIT);
  ev_run (loop, EVRUN_NOWAIT);
  deliver (loop, 1, 0);

  for (round_no = 1; round_no <= 10; round_no++)
    {
      int tc = trig_calls;
      memset (wcnt, 0, sizeof wcnt);
      wtotal = 0;
      CHECK_EQ_INT (write (trig_fd, &one, sizeof one), sizeof one);
      if (round_no & 1)
        {
          RUN_UNTIL (loop, trig_calls > tc, 20);
          CHECK_EQ_INT (trig_calls, tc + 1);
        }
      else
        {
          RUN_UNTIL (loop, trig_calls > tc && wtotal >= n, 50);
          CHECK_EQ_INT (trig_calls, tc + 1);
          if (wtotal != n)
            fprintf (stderr, "round %d: %d of %d write events\n", round_no, wtotal, n);
          CHECK_EQ_INT (wtotal, n);
          for (i = 0; i < n; i++)
            if (wcnt[i] != 1)
              {
                fprintf (stderr, "round %d: watcher %d: %d write callbacks\n", round_no, i, wcnt[i]);
                wrong++;
                break;
              }
        }
      /* nothing stale afterwards */
      rtotal = 0;
      {
        int w0 = wtotal;
        for (i = 0; i < 5; i++)
          ev_run (loop, EVRUN_NOWAIT);
        CHECK_EQ_INT (wtotal, w0);
        CHECK_EQ_INT (rtotal, 0);
      }
      for (i = 0; i < n; i++)
        if (!ev_is_active (&ws[i]) || (ws[i].events & (EV_READ | EV_WRITE)) != EV_READ)
          {
            fprintf (stderr, "round %d: watcher %d: active %d events 0x%x\n",
                     round_no, i, ev_is_active (&ws[i]), ws[i].events);
            wrong++;
            break;
          }
      deliver (loop, 3 + round_no, round_no);
    }

  round_no = 99;
  deliver (loop, 1, 0);
  CHECK_EQ_INT (wrong, 0);

  for (i = 0; i < n; i++)
    ev_io_stop (loop, &ws[i]);
  ev_io_stop (loop, &trig);
  ev_run (loop, EVRUN_NOWAIT);
  ev_loop_destroy (loop);
  for (i = 0; i < n; i++)
    {
      close (sv[i][0]);
      close (sv[i][1]);
    }
  close (trig_fd);
  TEST_DONE ();
}
