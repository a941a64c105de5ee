/*
 * EOF / hangup conditions are reported as readiness: a closed or
 * shut-down peer makes a read watcher fire with exactly EV_READ (read()
 * then returns 0), level-triggered, i.e. again on every iteration; a pipe
 * whose reader is gone is writable (EV_WRITE, write fails with EPIPE).
 * Never EV_ERROR for these.
 */
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include "testutil.h"

static int calls, last;

static void
stop_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  calls++;
  last = revents;
  ev_io_stop (loop, w);
}

static void
count_cb (struct ev_loop *loop, ev_io *w, int revents)
{
  (void)loop; (void)w;
  calls++;
  last |= revents;
}

/* start a one-shot watcher and run until it fired; return its revents */
static int
probe (struct ev_loop *loop, int fd, int events)
{
  ev_io w;
  calls = 0; last = 0;
  ev_io_init (&w, stop_cb, fd, events);
  ev_io_start (loop, &w);
  ev_run (loop, 0);
  CHECK_EQ_INT (calls, 1);
  return last;
}

int
main (void)
{
  struct ev_loop *loop;
  int sv[2], pp[2], r;
  char buf[8];

  ALARM_GUARD (5);
  signal (SIGPIPE, SIG_IGN);
  loop = ev_default_loop (0);

  /* socket peer closed */
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  CHECK_EQ_INT (write (sv[1], "ab", 2), 2);
  close (sv[1]);
  CHECK_EQ_INT (probe (loop, sv[0], EV_READ), EV_READ);
  CHECK_EQ_INT (read (sv[0], buf, sizeof buf), 2);   /* pending data first */
  CHECK_EQ_INT (probe (loop, sv[0], EV_READ), EV_READ);
  CHECK_EQ_INT (read (sv[0], buf, sizeof buf), 0);   /* then EOF */
  CHECK_EQ_INT (probe (loop, sv[0], EV_READ | EV_WRITE), EV_READ | EV_WRITE);
  CHECK_EQ_INT (probe (loop, sv[0], EV_WRITE), EV_WRITE);

  /* EOF stays readable: a watcher that never stops fires every iteration */
  {
    ev_io w;
    int i;
    calls = 0; last = 0;
    ev_io_init (&w, count_cb, sv[0], EV_READ);
    ev_io_start (loop, &w);
    for (i = 0; i < 5; i++)
      ev_run (loop, EVRUN_ONCE);
    CHECK (calls >= 4 && calls <= 5);
    CHECK_EQ_INT (last, EV_READ);
    ev_io_stop (loop, &w);
  }
  close (sv[0]);

  /* shutdown(SHUT_WR) by the peer: EOF on our side */
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  CHECK_EQ_INT (shutdown (sv[1], SHUT_WR), 0);
  CHECK_EQ_INT (probe (loop, sv[0], EV_READ), EV_READ);
  CHECK_EQ_INT (read (sv[0], buf, sizeof buf), 0);
  CHECK_EQ_INT (probe (loop, sv[0], EV_READ | EV_WRITE), EV_READ | EV_WRITE);
  close (sv[0]); close (sv[1]);

  /* pipe, writer closed: read end hangs up -> EV_READ, read returns 0 */
  CHECK_EQ_INT (pipe (pp), 0);
  close (pp[1]);
  CHECK_EQ_INT (probe (loop, pp[0], EV_READ), EV_READ);
  CHECK_EQ_INT (read (pp[0], buf, sizeof buf), 0);
  /* watched for both: EV_READ must be there (poll-like backends add EV_WRITE
   * for POLLHUP, select does not) */
  r = probe (loop, pp[0], EV_READ | EV_WRITE);
  CHECK (r & EV_READ);
  CHECK_EQ_INT (r & ~(EV_READ | EV_WRITE), 0);
  close (pp[0]);

  /* pipe, reader closed: write end is "writable" (write fails with EPIPE) */
  CHECK_EQ_INT (pipe (pp), 0);
  close (pp[0]);
  CHECK_EQ_INT (probe (loop, pp[1], EV_WRITE), EV_WRITE);
  errno = 0;
  CHECK_EQ_INT (write (pp[1], "x", 1), -1);
  CHECK_EQ_INT (errno, EPIPE);
  r = probe (loop, pp[1], EV_READ | EV_WRITE);
  CHECK (r & EV_WRITE);
  CHECK_EQ_INT (r & ~(EV_READ | EV_WRITE), 0);
  close (pp[1]);

  /* pipe where the writer closes while we are blocked in the loop */
  CHECK_EQ_INT (pipe (pp), 0);
  {
    pid_t pid = fork ();
    if (pid == 0)
      {
        usleep (20000);
        close (pp[1]);
        _exit (0);
      }
    close (pp[1]);
    CHECK_EQ_INT (probe (loop, pp[0], EV_READ), EV_READ);
    CHECK_EQ_INT (read (pp[0], buf, sizeof buf), 0);
    waitpid (pid, 0, 0);
  }
  close (pp[0]);

  TEST_DONE ();
}
