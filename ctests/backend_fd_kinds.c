/*
 * Every kind of fd a program watches, on every backend (each backend has
 * its own special cases: epoll refuses files and directories with EPERM,
 * Linux AIO refuses some fds with EINVAL and cannot poll signalfd/inotify
 * correctly, io_uring polls from task context):
 *   pipe, FIFO, AF_UNIX datagram socket, UDP and TCP (listening and
 *   connected) sockets on loopback, eventfd, timerfd, signalfd, inotify,
 *   an epoll fd, a pidfd (when the kernel has pidfd_open)
 * each made readable in every round (all at once) must get exactly one
 * EV_READ per round - the callback consumes the readiness - and nothing
 * while not readable;  plus "always ready" fds (a memfd, /dev/zero, a
 * directory) that get EV_READ in every iteration.
 */
#define _GNU_SOURCE 1
#include <ev.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <arpa/inet.h>
#include "testutil.h"

enum { K_PIPE, K_FIFO, K_UNIXDGRAM, K_UDP, K_TCPLISTEN, K_TCPCONN, K_EVENTFD, K_TIMERFD,
       K_SIGNALFD, K_INOTIFY, K_EPOLL, K_PIDFD, NK };
static const char *kname[NK] = { "pipe", "fifo", "unix-dgram", "udp", "tcp-listen", "tcp-conn",
                                 "eventfd", "timerfd", "signalfd", "inotify", "epoll", "pidfd" };
enum { A_MEMFD, A_DEVZERO, A_DIR, NA };
static const char *aname[NA] = { "memfd", "/dev/zero", "directory" };

static int kfd[NK], kpeer[NK];     /* watched fd, and the other end where there is one */
static int have[NK];
static ev_io kw[NK], aw[NA];
static int afd[NA];
static int kcnt[NK], kbad[NK], acnt[NA], abad[NA];
static int inner_pipe[2];          /* watched by the epoll fd */
static int tcp_acc = -1, tcp_cli = -1;
static pid_t pid_child;
static char dir[4096];
static int round_no, file_seq;

static void
kcb (struct ev_loop *loop, ev_io *w, int revents)
{
  int k = (int)(w - kw);
  char buf[512];
  (void)loop;
  kcnt[k]++;
  if (revents != EV_READ)
    kbad[k]++;
  switch (k)
    {
    case K_PIPE: case K_FIFO: case K_UNIXDGRAM: case K_UDP: case K_TCPCONN:
      if (read (w->fd, buf, sizeof buf) <= 0) kbad[k]++;
      break;
    case K_TCPLISTEN:
      {
        int c = accept (w->fd, 0, 0);
        if (c < 0) kbad[k]++;
        else close (c);
      }
      break;
    case K_EVENTFD: case K_TIMERFD:
      if (read (w->fd, buf, 8) != 8) kbad[k]++;
      break;
    case K_SIGNALFD:
      if (read (w->fd, buf, sizeof (struct signalfd_siginfo)) != sizeof (struct signalfd_siginfo)) kbad[k]++;
      break;
    case K_INOTIFY:
      if (read (w->fd, buf, sizeof buf) <= 0) kbad[k]++;
      break;
    case K_EPOLL:
      {
        struct epoll_event ev;
        if (epoll_wait (w->fd, &ev, 1, 0) != 1) kbad[k]++;
        if (read (inner_pipe[0], buf, sizeof buf) <= 0) kbad[k]++;
      }
      break;
    case K_PIDFD:
      /* stays readable once the child exited: reap it and stop watching */
      {
        int st;
        if (waitpid (pid_child, &st, WNOHANG) != pid_child) kbad[k]++;
        ev_io_stop (loop, w);
      }
      break;
    }
}

static void
acb (struct ev_loop *loop, ev_io *w, int revents)
{
  int a = (int)(w - aw);
  (void)loop;
  acnt[a]++;
  if (revents != EV_READ)
    abad[a]++;
}

static void
tick_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
}

static void
make_ready (int k)
{
  switch (k)
    {
    case K_PIPE: case K_FIFO: case K_TCPCONN:
      CHECK_EQ_INT (write (kpeer[k], "x", 1), 1);
      break;
    case K_UNIXDGRAM:
      CHECK_EQ_INT (send (kpeer[k], "d", 1, 0), 1);
      break;
    case K_UDP:
      {
        struct sockaddr_in sa;
        socklen_t sl = sizeof sa;
        CHECK_EQ_INT (getsockname (kfd[k], (struct sockaddr *)&sa, &sl), 0);
        CHECK_EQ_INT (sendto (kpeer[k], "u", 1, 0, (struct sockaddr *)&sa, sl), 1);
      }
      break;
    case K_TCPLISTEN:
      {
        struct sockaddr_in sa;
        socklen_t sl = sizeof sa;
        int c = socket (AF_INET, SOCK_STREAM, 0);
        CHECK_EQ_INT (getsockname (kfd[k], (struct sockaddr *)&sa, &sl), 0);
        CHECK_EQ_INT (connect (c, (struct sockaddr *)&sa, sl), 0);
        close (c);
      }
      break;
    case K_EVENTFD:
      {
        uint64_t one = 1;
        CHECK_EQ_INT (write (kfd[k], &one, 8), 8);
      }
      break;
    case K_TIMERFD:
      {
        struct itimerspec its;
        memset (&its, 0, sizeof its);
        its.it_value.tv_nsec = 1000000;
        CHECK_EQ_INT (timerfd_settime (kfd[k], 0, &its, 0), 0);
      }
      break;
    case K_SIGNALFD:
      CHECK_EQ_INT (kill (getpid (), SIGUSR2), 0);
      break;
    case K_INOTIFY:
      {
        char p[4200];
        int fd;
        snprintf (p, sizeof p, "%s/f%d", dir, file_seq++);
        fd = open (p, O_CREAT | O_WRONLY, 0600);
        CHECK (fd >= 0);
        close (fd);
        unlink (p);
      }
      break;
    case K_EPOLL:
      CHECK_EQ_INT (write (inner_pipe[1], "e", 1), 1);
      break;
    case K_PIDFD:
      if (round_no == 1)
        {
          pid_child = fork ();
          if (pid_child == 0)
            _exit (0);
        }
      break;
    }
}

static int
want_in_round (int k)
{
  if (k == K_PIDFD)
    return round_no == 1;
  return 1;
}

static void
setup (void)
{
  int sv[2], s;
  struct sockaddr_in sa;
  char fifo[4200];
  sigset_t ss;
  struct epoll_event ev;

  CHECK_EQ_INT (pipe2 (sv, O_NONBLOCK), 0);
  kfd[K_PIPE] = sv[0]; kpeer[K_PIPE] = sv[1]; have[K_PIPE] = 1;

  snprintf (fifo, sizeof fifo, "%s/fifo", dir);
  CHECK_EQ_INT (mkfifo (fifo, 0600), 0);
  kfd[K_FIFO] = open (fifo, O_RDONLY | O_NONBLOCK);
  kpeer[K_FIFO] = open (fifo, O_WRONLY | O_NONBLOCK);
  have[K_FIFO] = kfd[K_FIFO] >= 0 && kpeer[K_FIFO] >= 0;
  unlink (fifo);

  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv), 0);
  kfd[K_UNIXDGRAM] = sv[0]; kpeer[K_UNIXDGRAM] = sv[1]; have[K_UNIXDGRAM] = 1;

  memset (&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  kfd[K_UDP] = socket (AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  kpeer[K_UDP] = socket (AF_INET, SOCK_DGRAM, 0);
  have[K_UDP] = kfd[K_UDP] >= 0 && bind (kfd[K_UDP], (struct sockaddr *)&sa, sizeof sa) == 0;

  kfd[K_TCPLISTEN] = socket (AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  have[K_TCPLISTEN] = kfd[K_TCPLISTEN] >= 0
                      && bind (kfd[K_TCPLISTEN], (struct sockaddr *)&sa, sizeof sa) == 0
                      && listen (kfd[K_TCPLISTEN], 16) == 0;
  kpeer[K_TCPLISTEN] = -1;

  /* a connected TCP pair over loopback */
  s = socket (AF_INET, SOCK_STREAM, 0);
  if (s >= 0 && bind (s, (struct sockaddr *)&sa, sizeof sa) == 0 && listen (s, 1) == 0)
    {
      struct sockaddr_in a2;
      socklen_t sl = sizeof a2;
      getsockname (s, (struct sockaddr *)&a2, &sl);
      tcp_cli = socket (AF_INET, SOCK_STREAM, 0);
      if (connect (tcp_cli, (struct sockaddr *)&a2, sl) == 0)
        tcp_acc = accept (s, 0, 0);
      close (s);
    }
  have[K_TCPCONN] = tcp_acc >= 0 && tcp_cli >= 0;
  if (have[K_TCPCONN])
    {
      fcntl (tcp_acc, F_SETFL, O_NONBLOCK);
      kfd[K_TCPCONN] = tcp_acc;
      kpeer[K_TCPCONN] = tcp_cli;
    }

  kfd[K_EVENTFD] = eventfd (0, EFD_NONBLOCK);
  have[K_EVENTFD] = kfd[K_EVENTFD] >= 0;
  kfd[K_TIMERFD] = timerfd_create (CLOCK_MONOTONIC, TFD_NONBLOCK);
  have[K_TIMERFD] = kfd[K_TIMERFD] >= 0;

  sigemptyset (&ss);
  sigaddset (&ss, SIGUSR2);
  sigprocmask (SIG_BLOCK, &ss, 0);
  kfd[K_SIGNALFD] = signalfd (-1, &ss, SFD_NONBLOCK);
  have[K_SIGNALFD] = kfd[K_SIGNALFD] >= 0;

  kfd[K_INOTIFY] = inotify_init1 (IN_NONBLOCK);
  have[K_INOTIFY] = kfd[K_INOTIFY] >= 0 && inotify_add_watch (kfd[K_INOTIFY], dir, IN_CREATE) >= 0;

  CHECK_EQ_INT (pipe2 (inner_pipe, O_NONBLOCK), 0);
  kfd[K_EPOLL] = epoll_create1 (0);
  memset (&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  have[K_EPOLL] = kfd[K_EPOLL] >= 0 && epoll_ctl (kfd[K_EPOLL], EPOLL_CTL_ADD, inner_pipe[0], &ev) == 0;

#ifdef SYS_pidfd_open
  {
    /* the pidfd needs the child first: fork a child that waits for a byte */
    int go[2];
    CHECK_EQ_INT (pipe (go), 0);
    pid_child = fork ();
    if (pid_child == 0)
      {
        char c;
        close (go[1]);
        (void)!read (go[0], &c, 1);
        _exit (0);
      }
    close (go[0]);
    kfd[K_PIDFD] = (int)syscall (SYS_pidfd_open, pid_child, 0);
    kpeer[K_PIDFD] = go[1];  /* closing it lets the child exit */
    have[K_PIDFD] = kfd[K_PIDFD] >= 0;
    if (!have[K_PIDFD])
      {
        close (go[1]);
        waitpid (pid_child, 0, 0);
      }
  }
#endif
}

int
main (void)
{
  struct ev_loop *loop;
  const char *tmpdir = getenv ("TMPDIR");
  ev_timer tick;
  int k, a, i;

  ALARM_GUARD (10);
  snprintf (dir, sizeof dir, "%s/fdkinds.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if (!mkdtemp (dir))
    SKIP ("mkdtemp failed");
  setup ();

  afd[A_MEMFD] = memfd_create ("backend_fd_kinds", 0);
  afd[A_DEVZERO] = open ("/dev/zero", O_RDONLY);
  afd[A_DIR] = open (dir, O_RDONLY | O_DIRECTORY);

  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop)
    TEST_DONE ();
  ev_timer_init (&tick, tick_cb, 0.005, 0.005);   /* ONCE never blocks long */
  ev_timer_start (loop, &tick);

  for (k = 0; k < NK; k++)
    if (have[k])
      {
        ev_io_init (&kw[k], kcb, kfd[k], EV_READ);
        ev_io_start (loop, &kw[k]);
      }
    else
      fprintf (stderr, "note: %s not available here\n", kname[k]);

  /* nothing readable yet */
  for (i = 0; i < 5; i++)
    ev_run (loop, EVRUN_ONCE);
  for (k = 0; k < NK; k++)
    if (kcnt[k])
      {
        fprintf (stderr, "%s: %d events before it was readable\n", kname[k], kcnt[k]);
        tu_failures++;
      }

  for (round_no = 1; round_no <= 3; round_no++)
    {
      int want = 0, got, it;
      memset (kcnt, 0, sizeof kcnt);
      for (k = 0; k < NK; k++)
        if (have[k] && want_in_round (k))
          {
            if (k == K_PIDFD)
              close (kpeer[k]);   /* the child exits */
            else
              make_ready (k);
            want++;
          }
      for (it = 0; it < 200; it++)
        {
          got = 0;
          for (k = 0; k < NK; k++)
            got += kcnt[k] ? 1 : 0;
          if (got >= want)
            break;
          ev_run (loop, EVRUN_ONCE);
        }
      /* a few more iterations: nothing more */
      for (i = 0; i < 5; i++)
        ev_run (loop, EVRUN_ONCE);
      for (k = 0; k < NK; k++)
        if (have[k] && kcnt[k] != (want_in_round (k) ? 1 : 0))
          {
            fprintf (stderr, "round %d: %s (fd %d): %d events, want %d\n",
                     round_no, kname[k], kfd[k], kcnt[k], want_in_round (k) ? 1 : 0);
            tu_failures++;
          }
    }
  for (k = 0; k < NK; k++)
    if (kbad[k])
      {
        fprintf (stderr, "%s: %d bad revents/reads\n", kname[k], kbad[k]);
        tu_failures++;
      }

  /* always-ready fds: one event per iteration */
  for (a = 0; a < NA; a++)
    if (afd[a] >= 0)
      {
        ev_io_init (&aw[a], acb, afd[a], EV_READ);
        ev_io_start (loop, &aw[a]);
      }
  memset (kcnt, 0, sizeof kcnt);
  for (i = 0; i < 10; i++)
    ev_run (loop, EVRUN_ONCE);
  for (a = 0; a < NA; a++)
    if (afd[a] >= 0 && (acnt[a] != 10 || abad[a]))
      {
        fprintf (stderr, "always-ready %s: %d events in 10 iterations (%d bad)\n", aname[a], acnt[a], abad[a]);
        tu_failures++;
      }
  for (k = 0; k < NK; k++)
    CHECK_EQ_INT (kcnt[k], 0);

  for (a = 0; a < NA; a++)
    if (afd[a] >= 0)
      {
        ev_io_stop (loop, &aw[a]);
        close (afd[a]);
      }
  for (k = 0; k < NK; k++)
    if (have[k])
      {
        ev_io_stop (loop, &kw[k]);
        close (kfd[k]);
        if (kpeer[k] >= 0 && k != K_PIDFD && kpeer[k] != kfd[k])
          close (kpeer[k]);
      }
  ev_timer_stop (loop, &tick);
  ev_loop_destroy (loop);
  close (inner_pipe[0]);
  close (inner_pipe[1]);
  rmdir (dir);
  TEST_DONE ();
}
