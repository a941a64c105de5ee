/*
 * Regular files and /dev/null (which epoll refuses with EPERM) are always
 * ready: a read watcher gets EV_READ on every iteration (also at EOF), a
 * write watcher EV_WRITE. Other watchers in the same loop keep working, the
 * loop blocks normally again once the file watcher is stopped, and when the
 * file's fd number is reused by a socket the "always ready" treatment must
 * not stick to the number.
 */
#include <ev.h>
#include <fcntl.h>
#include <sys/socket.h>
#include "testutil.h"

static int fcalls, frev, frev_or, scalls, srev;

static void
fcb (struct ev_loop *loop, ev_io *w, int revents)
{
  (void)loop; (void)w;
  fcalls++;
  frev = revents;
  frev_or |= revents;
}

static void
scb (struct ev_loop *loop, ev_io *w, int revents)
{
  char c;
  (void)loop;
  scalls++;
  srev = revents;
  CHECK_EQ_INT (read (w->fd, &c, 1), 1);
}

static int expired;
static void
to_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  expired = 1;
}

static void
iterate (struct ev_loop *loop, int n)
{
  int i;
  fcalls = frev = frev_or = 0;
  for (i = 0; i < n; i++)
    ev_run (loop, EVRUN_ONCE);
}

int
main (void)
{
  struct ev_loop *loop;
  char path[4096];
  const char *tmpdir = getenv ("TMPDIR");
  int fd, nullfd, sv[2], fdnum;
  ev_io fw, sw;
  ev_timer t;
  double t0;

  ALARM_GUARD (5);
  loop = ev_default_loop (0);

  snprintf (path, sizeof path, "%s/ctest_regfileXXXXXX",
            tmpdir && *tmpdir ? tmpdir : "/tmp");
  fd = mkstemp (path);
  CHECK (fd >= 0);
  if (fd < 0) TEST_DONE ();
  unlink (path);
  CHECK_EQ_INT (write (fd, "contents", 8), 8);   /* position now at EOF */

  /* read watcher on a regular file: EV_READ every iteration */
  ev_io_init (&fw, fcb, fd, EV_READ);
  ev_io_start (loop, &fw);
  iterate (loop, 3);
  CHECK_EQ_INT (fcalls, 3);
  CHECK_EQ_INT (frev_or, EV_READ);
  ev_io_stop (loop, &fw);

  /* write watcher, then both */
  ev_io_init (&fw, fcb, fd, EV_WRITE);
  ev_io_start (loop, &fw);
  iterate (loop, 2);
  CHECK_EQ_INT (fcalls, 2);
  CHECK_EQ_INT (frev_or, EV_WRITE);
  ev_io_stop (loop, &fw);
  ev_io_init (&fw, fcb, fd, EV_READ | EV_WRITE);
  ev_io_start (loop, &fw);
  iterate (loop, 2);
  CHECK_EQ_INT (fcalls, 2);
  CHECK_EQ_INT (frev, EV_READ | EV_WRITE);

  /* a socket watcher next to it still receives its events */
  CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, sv), 0);
  ev_io_init (&sw, scb, sv[0], EV_READ);
  ev_io_start (loop, &sw);
  iterate (loop, 2);
  CHECK_EQ_INT (scalls, 0);
  CHECK_EQ_INT (fcalls, 2);
  CHECK_EQ_INT (write (sv[1], "s", 1), 1);
  iterate (loop, 2);
  CHECK_EQ_INT (scalls, 1);
  CHECK_EQ_INT (srev, EV_READ);
  CHECK_EQ_INT (fcalls, 2);
  ev_io_stop (loop, &fw);

  /* /dev/null: also always readable */
  nullfd = open ("/dev/null", O_RDONLY);
  CHECK (nullfd >= 0);
  ev_io_init (&fw, fcb, nullfd, EV_READ);
  ev_io_start (loop, &fw);
  iterate (loop, 3);
  CHECK_EQ_INT (fcalls, 3);
  CHECK_EQ_INT (frev_or, EV_READ);
  ev_io_stop (loop, &fw);

  /* with the file watchers stopped the loop blocks again */
  ev_timer_init (&t, to_cb, 0.05, 0.);
  ev_now_update (loop);
  t0 = ev_now (loop);
  ev_timer_start (loop, &t);
  fcalls = scalls = 0;
  while (!expired)
    ev_run (loop, EVRUN_ONCE);
  CHECK (ev_time () - t0 >= 0.04);
  CHECK_EQ_INT (fcalls, 0);
  CHECK_EQ_INT (scalls, 0);

  /* reuse the /dev/null fd number for a socket: not "always ready" any more */
  fdnum = nullfd;
  close (nullfd);
  {
    int nb[2];
    CHECK_EQ_INT (socketpair (AF_UNIX, SOCK_STREAM, 0, nb), 0);
    CHECK_EQ_INT (nb[0], fdnum);
    ev_io_set (&fw, nb[0], EV_READ);
    ev_io_start (loop, &fw);
    expired = 0;
    fcalls = 0;
    ev_timer_start (loop, &t);
    while (!expired)
      ev_run (loop, EVRUN_ONCE);
    CHECK_EQ_INT (fcalls, 0);
    CHECK_EQ_INT (write (nb[1], "x", 1), 1);
    {
      int i;
      fcalls = 0;
      for (i = 0; i < 5 && !fcalls; i++)
        ev_run (loop, EVRUN_ONCE);
    }
    CHECK_EQ_INT (fcalls, 1);
    CHECK_EQ_INT (frev, EV_READ);
    ev_io_stop (loop, &fw);
    close (nb[0]); close (nb[1]);
  }

  ev_io_stop (loop, &sw);
  close (fd); close (sv[0]); close (sv[1]);
  TEST_DONE ();
}
