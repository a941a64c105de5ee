/*
 * fork() and fds that a backend keeps in a secondary kernel object (our
 * Linux AIO backend puts signalfd and inotify fds into an internal epoll
 * set, io_uring does so for fds the kernel refuses to poll): a child that
 * stops those watchers must not remove them from the PARENT's kernel state.
 *   1. child with ev_loop_fork stops an inotify, a signalfd and a socket
 *      watcher, runs the loop while the inotify and socket fds become
 *      readable, closes the fds, exits;
 *   2. child WITHOUT ev_loop_fork does the same (not under epoll, whose
 *      kernel object is shared with the parent unless ev_loop_fork is
 *      called, exactly as in libev; our io_uring and AIO backends re-create
 *      theirs in a child by themselves);
 *   3. child WITHOUT ev_loop_fork that adds watchers of its own for new
 *      inotify/signalfd fds and gets their events (same backends as 2).
 * After each child the parent still gets exactly one event per fd and
 * round.
 */
/* OURS-ONLY: a child running the loop without ev_loop_fork (parts 2 and 3) is our io_uring/AIO backends' own guarantee; libev 4.33's io_uring backend cancels the parent's polls there */
#define _GNU_SOURCE 1
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include "testutil.h"

enum { W_INOTIFY, W_SIGNALFD, W_SOCKET, NW };
static const char *wname[NW] = { "inotify", "signalfd", "socket" };
static int fds[NW], sock_peer;
static ev_io ws[NW];
static int cnt[NW], bad;
static char dir[4096];
static int file_seq;
static const char *who = "parent";

static void
cb (struct ev_loop *loop, ev_io *w, int revents)
{
  int i = (int)(w - ws);
  char buf[512];
  (void)loop;
  cnt[i]++;
  if (revents != EV_READ)
    bad++;
  if (read (w->fd, buf, sizeof buf) <= 0)
    {
      if (bad++ < 5)
        fprintf (stderr, "%s: %s: read failed: %s\n", who, wname[i], strerror (errno));
    }
}

static void
tick_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
}

static void
touch (void)
{
  char p[4200];
  int fd;
  snprintf (p, sizeof p, "%s/f%d.%d", dir, (int)getpid (), file_seq++);
  fd = open (p, O_CREAT | O_WRONLY, 0600);
  if (fd >= 0)
    close (fd);
  unlink (p);
}

static int
round_ (struct ev_loop *loop, int *f, int *c, const char *what)
{
  int it, i, ok = 1;
  for (i = 0; i < NW; i++)
    c[i] = 0;
  touch ();
  kill (getpid (), SIGUSR2);
  if (write (sock_peer, "s", 1) != 1)
    bad++;
  for (it = 0; it < 100; it++)
    {
      if (c[0] && c[1] && c[2])
        break;
      ev_run (loop, EVRUN_ONCE);
    }
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  for (i = 0; i < NW; i++)
    if (c[i] != 1)
      {
        fprintf (stderr, "%s: %s: %s (fd %d): %d events\n", who, what, wname[i], f[i], c[i]);
        ok = 0;
      }
  return ok && !bad;
}

static int
open_fds (int *f)
{
  sigset_t ss;
  int sv[2];
  sigemptyset (&ss);
  sigaddset (&ss, SIGUSR2);
  f[W_INOTIFY] = inotify_init1 (IN_NONBLOCK);
  if (f[W_INOTIFY] < 0 || inotify_add_watch (f[W_INOTIFY], dir, IN_CREATE) < 0)
    return 0;
  f[W_SIGNALFD] = signalfd (-1, &ss, SFD_NONBLOCK);
  if (f[W_SIGNALFD] < 0)
    return 0;
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) < 0)
    return 0;
  f[W_SOCKET] = sv[0];
  sock_peer = sv[1];
  return 1;
}

/* file scope: children _exit without destroying it (valgrind: reachable) */
static struct ev_loop *loop;

static void
child_stops (int call_loop_fork)
{
  int i;
  alarm (10);
  who = call_loop_fork ? "child 1" : "child 2";
  if (call_loop_fork)
    ev_loop_fork (loop);
  for (i = 0; i < NW; i++)
    ev_io_stop (loop, &ws[i]);
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  /* the stopped inotify and socket fds become readable while the child's
   * loop runs (the parent reads that later) */
  touch ();
  if (write (sock_peer, "c", 1) != 1)
    _exit (3);
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  for (i = 0; i < NW; i++)
    close (fds[i]);
  for (i = 0; i < 3; i++)
    ev_run (loop, EVRUN_NOWAIT);
  _exit (0);
}

static void
wait_child (pid_t pid, const char *name)
{
  int status = 0;
  CHECK_EQ_INT (waitpid (pid, &status, 0), pid);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      fprintf (stderr, "%s failed (status 0x%x)\n", name, status);
      tu_failures++;
    }
}

int
main (void)
{
  const char *tmpdir = getenv ("TMPDIR");
  sigset_t ss;
  ev_timer tick;
  pid_t pid;
  int i, be, parent_peer;

  ALARM_GUARD (15);
  snprintf (dir, sizeof dir, "%s/forkfb.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if (!mkdtemp (dir))
    SKIP ("mkdtemp failed");
  sigemptyset (&ss);
  sigaddset (&ss, SIGUSR2);
  sigprocmask (SIG_BLOCK, &ss, 0);

  loop = ev_loop_new (0);
  CHECK (loop != 0);
  if (!loop)
    TEST_DONE ();
  be = ev_backend (loop);
  ev_timer_init (&tick, tick_cb, 0.01, 0.01);
  ev_timer_start (loop, &tick);

  CHECK (open_fds (fds));
  parent_peer = sock_peer;
  for (i = 0; i < NW; i++)
    {
      ev_io_init (&ws[i], cb, fds[i], EV_READ);
      ev_io_start (loop, &ws[i]);
    }
  CHECK (round_ (loop, fds, cnt, "before fork"));

  /* 1 */
  fflush (NULL);
  pid = fork ();
  if (pid == 0)
    child_stops (1);
  wait_child (pid, "child 1 (ev_loop_fork)");
  CHECK (round_ (loop, fds, cnt, "after child 1"));
  CHECK (round_ (loop, fds, cnt, "after child 1, again"));

  if (be != EVBACKEND_EPOLL)
    {
      /* 2 */
      fflush (NULL);
      pid = fork ();
      if (pid == 0)
        child_stops (0);
      wait_child (pid, "child 2 (no ev_loop_fork)");
      CHECK (round_ (loop, fds, cnt, "after child 2"));
      CHECK (round_ (loop, fds, cnt, "after child 2, again"));

      /* 3 */
      fflush (NULL);
      pid = fork ();
      if (pid == 0)
        {
          static int cf[NW];
          alarm (10);
          who = "child 3 (no ev_loop_fork)";
          for (i = 0; i < NW; i++)
            ev_io_stop (loop, &ws[i]);
          if (!open_fds (cf))
            _exit (2);
          /* the child's own watchers reuse the (stopped) ws[] storage */
          for (i = 0; i < NW; i++)
            {
              ev_io_init (&ws[i], cb, cf[i], EV_READ);
              ev_io_start (loop, &ws[i]);
            }
          if (!round_ (loop, cf, cnt, "own fds"))
            _exit (1);
          if (!round_ (loop, cf, cnt, "own fds, again"))
            _exit (1);
          _exit (0);
        }
      wait_child (pid, "child 3 (no ev_loop_fork, own fds)");
      sock_peer = parent_peer;
      CHECK (round_ (loop, fds, cnt, "after child 3"));
      CHECK (round_ (loop, fds, cnt, "after child 3, again"));
    }

  CHECK_EQ_INT (bad, 0);
  for (i = 0; i < NW; i++)
    {
      ev_io_stop (loop, &ws[i]);
      close (fds[i]);
    }
  close (parent_peer);
  ev_timer_stop (loop, &tick);
  ev_loop_destroy (loop);
  rmdir (dir);
  TEST_DONE ();
}
