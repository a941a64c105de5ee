/* fork() with active watchers of every kind on the default loop (io,
 * timer, periodic, signal, async, child, stat, fork): in the child, after
 * ev_loop_fork, everything still works (io event arrives, timer and
 * periodic fire, async send and signal are delivered, a grandchild's exit
 * is reported, a file change is seen, the fork watcher ran); afterwards the
 * parent's loop is unaffected by what the child did with the inherited
 * kernel objects (io, signal, async, stat still work in the parent). */
#include <ev.h>
#include <fcntl.h>
#include "testutil.h"

enum { IO, TIMER, PERIODIC, SIG, ASYNC, CHILD, STAT, FORK, N };
static const char *names[N] = { "io", "timer", "periodic", "signal", "async", "child", "stat", "fork" };
static int seen[N], want[N];
static int bad;

static void maybe_done(struct ev_loop *loop)
{
  int i;
  for (i = 0; i < N; i++)
    if (want[i] && !seen[i]) return;
  ev_break(loop, EVBREAK_ALL);
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
  char buf[64];
  if (!(revents & EV_READ)) bad++;
  if (read(w->fd, buf, sizeof buf) > 0) seen[IO]++;
  maybe_done(loop);
}
static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w;
  if (revents != EV_TIMER) bad++;
  seen[TIMER]++;
  maybe_done(loop);
}
static void periodic_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
  (void)w;
  if (revents != EV_PERIODIC) bad++;
  seen[PERIODIC]++;
  maybe_done(loop);
}
static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
  (void)w;
  if (revents != EV_SIGNAL) bad++;
  seen[SIG]++;
  maybe_done(loop);
}
static void async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
  (void)w;
  if (revents != EV_ASYNC) bad++;
  seen[ASYNC]++;
  maybe_done(loop);
}
static pid_t grandchild;
static void child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
  if (revents != EV_CHILD) bad++;
  if (w->rpid == grandchild && WIFEXITED(w->rstatus) && WEXITSTATUS(w->rstatus) == 4)
    seen[CHILD]++;
  maybe_done(loop);
}
static void stat_cb(struct ev_loop *loop, ev_stat *w, int revents)
{
  (void)w;
  if (revents != EV_STAT) bad++;
  seen[STAT]++;
  maybe_done(loop);
}
static void fork_cb(struct ev_loop *loop, ev_fork *w, int revents)
{
  (void)w;
  if (revents != EV_FORK) bad++;
  seen[FORK]++;
  maybe_done(loop);
}
static int timed_out;
static void guard_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  timed_out++;
  ev_break(loop, EVBREAK_ALL);
}

static void run_guarded(struct ev_loop *loop, double secs)
{
  ev_timer guard;
  ev_timer_init(&guard, guard_cb, secs, 0.);
  ev_timer_start(loop, &guard);
  ev_run(loop, 0);
  ev_timer_stop(loop, &guard);
}

static void append_file(const char *path, const char *data)
{
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) { perror(path); return; }
  if (write(fd, data, strlen(data)) < 0) perror("write");
  close(fd);
}

static void expect_all(const char *who)
{
  int i;
  for (i = 0; i < N; i++)
    if (want[i] && !seen[i]) {
      fprintf(stderr, "FAIL: %s: no %s event\n", who, names[i]);
      tu_failures++;
    }
}

static struct ev_loop *loop;
static ev_io iow;
static ev_timer tw;
static ev_periodic pw;
static ev_signal sw;
static ev_async aw;
static ev_child cw;
static ev_stat stw;
static ev_fork fw;
static int p[2];
static char file[256];

static int child_body(void)
{
  alarm(4);
  ev_loop_fork(loop);
  memset(seen, 0, sizeof seen);
  memset(want, 0, sizeof want);
  want[IO] = want[TIMER] = want[PERIODIC] = want[SIG] = want[ASYNC] = 1;
  want[CHILD] = want[STAT] = want[FORK] = 1;

  /* generate the events (the timer and periodic fire by themselves) */
  if (write(p[1], "c", 1) != 1) perror("write");
  ev_async_send(loop, &aw);
  raise(SIGUSR1);
  /* the inotify watches are re-created when the loop processes the fork
   * (during the next iteration): change the file only after that */
  ev_run(loop, EVRUN_NOWAIT);
  append_file(file, "child");
  fflush(NULL);
  grandchild = fork();
  if (grandchild == 0) _exit(4);
  run_guarded(loop, 1.5);
  expect_all("child");
  if (timed_out) { fprintf(stderr, "FAIL: child timed out\n"); tu_failures++; }
  if (bad) { fprintf(stderr, "FAIL: child: bad revents\n"); tu_failures++; }
  return tu_failures ? 1 : 0;
}

int main(void)
{
  char dir[] = "/tmp/ctest_fork_XXXXXX";
  pid_t pid;
  int status = 0;

  ALARM_GUARD(8);
  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
  snprintf(file, sizeof file, "%s/f", dir);
  append_file(file, "x");
  if (pipe(p) < 0) { perror("pipe"); return 1; }
  fcntl(p[0], F_SETFL, O_NONBLOCK); /* readiness may be spurious */

  ev_io_init(&iow, io_cb, p[0], EV_READ);
  ev_timer_init(&tw, timer_cb, 0.05, 0.05);
  ev_periodic_init(&pw, periodic_cb, 0., 0.05, 0);
  ev_signal_init(&sw, sig_cb, SIGUSR1);
  ev_async_init(&aw, async_cb);
  ev_child_init(&cw, child_cb, 0, 0);
  ev_stat_init(&stw, stat_cb, file, 0.1);
  ev_fork_init(&fw, fork_cb);
  ev_io_start(loop, &iow);
  ev_timer_start(loop, &tw);
  ev_periodic_start(loop, &pw);
  ev_signal_start(loop, &sw);
  ev_async_start(loop, &aw);
  ev_child_start(loop, &cw);
  ev_stat_start(loop, &stw);
  ev_fork_start(loop, &fw);
  /* make sure the backend knows about everything before forking */
  ev_run(loop, EVRUN_NOWAIT);
  memset(seen, 0, sizeof seen);

  fflush(NULL);
  pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) _exit(child_body());
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  CHECK(WIFEXITED(status));
  CHECK_EQ_INT(WEXITSTATUS(status), 0);

  /* the parent: the child consumed the pipe byte; new events here */
  memset(seen, 0, sizeof seen);
  memset(want, 0, sizeof want);
  want[IO] = want[SIG] = want[ASYNC] = want[STAT] = want[TIMER] = 1;
  if (write(p[1], "p", 1) != 1) perror("write");
  ev_async_send(loop, &aw);
  raise(SIGUSR1);
  append_file(file, "parent");
  timed_out = 0;
  run_guarded(loop, 1.5);
  expect_all("parent");
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(seen[FORK], 0);
  CHECK_EQ_INT(bad, 0);

  ev_io_stop(loop, &iow);
  ev_timer_stop(loop, &tw);
  ev_periodic_stop(loop, &pw);
  ev_signal_stop(loop, &sw);
  ev_async_stop(loop, &aw);
  ev_child_stop(loop, &cw);
  ev_stat_stop(loop, &stw);
  ev_fork_stop(loop, &fw);
  unlink(file);
  rmdir(dir);
  TEST_DONE();
}
