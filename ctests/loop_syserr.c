/* ev_set_syserr_cb: no effect on normal runs; called (and trusted to remedy
 * the problem) when libev cannot create its signal/async wakeup fd because
 * the process is out of file descriptors; without a callback (or after
 * resetting it to 0) libev prints the error and aborts. */
#include <ev.h>
#include <fcntl.h>
#include "testutil.h"

static int syserr_calls;
static char syserr_msg[256];
static int hog[4096], nhog;

static void hog_fds(void)
{
  struct rlimit rl;
  int fd, maxfd = 2;
  /* a low limit, but above any fd the harness may have left open */
  for (fd = 0; fd < 1024; fd++)
    if (fcntl(fd, F_GETFD) >= 0) maxfd = fd;
  getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = maxfd + 16 > 64 ? maxfd + 16 : 64;
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur) rl.rlim_cur = rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  nhog = 0;
  while (nhog < 4096) {
    fd = open("/dev/null", O_RDONLY);
    if (fd < 0) break;
    hog[nhog++] = fd;
  }
}

static void release_fds(void)
{
  while (nhog > 0) close(hog[--nhog]);
}

/* a callback that remedies the situation, as the manual requires */
static void remedy_cb(const char *msg)
{
  syserr_calls++;
  snprintf(syserr_msg, sizeof syserr_msg, "%s", msg ? msg : "(null)");
  release_fds();
}

static void never_cb(const char *msg)
{
  (void)msg;
  syserr_calls++;
}

static int nasync;
static void async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
  (void)w;
  CHECK_EQ_INT(revents, EV_ASYNC);
  nasync++;
  ev_break(loop, EVBREAK_ALL);
}

static int nt;
static void t_cb(struct ev_loop *loop, ev_timer *w, int revents) { (void)loop; (void)w; (void)revents; nt++; }

/* child bodies for the abort checks */
static void no_cb_out_of_fds(void)
{
  struct ev_loop *loop = ev_loop_new(0);
  ev_async a;
  hog_fds();
  ev_async_init(&a, async_cb);
  ev_async_start(loop, &a);
}

static void reset_cb_out_of_fds(void)
{
  struct ev_loop *loop = ev_loop_new(0);
  ev_async a;
  ev_set_syserr_cb(never_cb);
  ev_set_syserr_cb(0);
  hog_fds();
  ev_async_init(&a, async_cb);
  ev_async_start(loop, &a);
}

int main(void)
{
  struct ev_loop *loop;
  ev_timer t;
  ev_async a;

  ALARM_GUARD(5);

  /* 1. set, normal run, unset: callback never called */
  ev_set_syserr_cb(never_cb);
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();
  ev_timer_init(&t, t_cb, 0.002, 0.);
  ev_timer_start(loop, &t);
  CHECK_EQ_INT(ev_run(loop, 0), 0);
  CHECK_EQ_INT(nt, 1);
  ev_set_syserr_cb(0);
  ev_timer_start(loop, &t);
  CHECK_EQ_INT(ev_run(loop, 0), 0);
  CHECK_EQ_INT(nt, 2);
  CHECK_EQ_INT(syserr_calls, 0);
  ev_loop_destroy(loop);

  /* 2. in a child (we change the fd limit): out of fds when the async
   *    watcher needs its wakeup fd -> callback is called, it frees fds, libev
   *    retries and the watcher works */
  {
    pid_t pid;
    int status = 0;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
      alarm(5);
      loop = ev_loop_new(0);
      if (!loop) _exit(10);
      ev_set_syserr_cb(remedy_cb);
      hog_fds();
      if (nhog < 1) _exit(11);
      ev_async_init(&a, async_cb);
      ev_async_start(loop, &a);
      if (syserr_calls != 1) { fprintf(stderr, "syserr_calls=%d\n", syserr_calls); _exit(12); }
      if (!strstr(syserr_msg, "libev")) { fprintf(stderr, "msg=%s\n", syserr_msg); _exit(13); }
      if (nhog != 0) _exit(14);
      if (!ev_is_active(&a)) _exit(15);
      ev_async_send(loop, &a);
      ev_run(loop, 0);
      if (nasync != 1) _exit(16);
      ev_async_stop(loop, &a);
      ev_loop_destroy(loop);
      _exit(0);
    }
    CHECK(pid > 0);
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK_EQ_INT(WEXITSTATUS(status), 0);
  }

  /* 3. no callback: perror-style message and abort */
  expect_abort(no_cb_out_of_fds, "(libev) error creating signal/async pipe");
  /* 4. setting a callback and resetting it to 0 restores that behaviour */
  expect_abort(reset_cb_out_of_fds, "(libev) error creating signal/async pipe");

  TEST_DONE();
}
