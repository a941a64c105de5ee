/* ev_child on the default loop: a watcher for the child's pid and one for
 * pid 0 (any child) both get rpid and rstatus (WEXITSTATUS 3), revents
 * EV_CHILD; the watchers stay active after the callback; libev sets the
 * priority of a reporting child watcher to EV_MAXPRI; a watcher for some
 * other pid is not invoked; death by a signal is reported with
 * WIFSIGNALED/WTERMSIG. */
#include <ev.h>
#include "testutil.h"

static int nspec, nany, nother, bad_revents, prio_in_cb;
static int want;

static void spec_cb(struct ev_loop *loop, ev_child *w, int revents)
{
  if (revents != EV_CHILD) bad_revents++;
  prio_in_cb = ev_priority(w);
  nspec++;
  if (nspec + nany >= want) ev_break(loop, EVBREAK_ALL);
}

static void any_cb(struct ev_loop *loop, ev_child *w, int revents)
{
  (void)w;
  if (revents != EV_CHILD) bad_revents++;
  nany++;
  if (nspec + nany >= want) ev_break(loop, EVBREAK_ALL);
}

static void other_cb(struct ev_loop *loop, ev_child *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  nother++;
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

int main(void)
{
  struct ev_loop *loop;
  ev_child cs, ca, co;
  pid_t pid;

  ALARM_GUARD(5);
  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();

  /* 1. exit status 3, watched by pid and by pid 0 */
  fflush(NULL);
  pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) {
    usleep(20000);
    _exit(3);
  }
  ev_child_init(&cs, spec_cb, pid, 0);
  ev_set_priority(&cs, -1);
  ev_child_init(&ca, any_cb, 0, 0);
  ev_child_init(&co, other_cb, pid + 100000, 0); /* nobody's pid */
  cs.rpid = -7; cs.rstatus = -7; ca.rpid = -7; ca.rstatus = -7;
  ev_child_start(loop, &cs);
  ev_child_start(loop, &ca);
  ev_child_start(loop, &co);
  CHECK(ev_is_active(&cs) && ev_is_active(&ca) && ev_is_active(&co));
  CHECK_EQ_INT(cs.pid, pid);
  CHECK_EQ_INT(ca.pid, 0);
  CHECK_EQ_INT(cs.flags, 0);
  want = 2;
  run_guarded(loop, 1.5);
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(nspec, 1);
  CHECK_EQ_INT(nany, 1);
  CHECK_EQ_INT(nother, 0);
  CHECK_EQ_INT(cs.rpid, pid);
  CHECK_EQ_INT(ca.rpid, pid);
  CHECK(WIFEXITED(cs.rstatus));
  CHECK_EQ_INT(WEXITSTATUS(cs.rstatus), 3);
  CHECK(WIFEXITED(ca.rstatus));
  CHECK_EQ_INT(WEXITSTATUS(ca.rstatus), 3);
  /* libev raises the priority of a triggered child watcher to EV_MAXPRI */
  CHECK_EQ_INT(prio_in_cb, EV_MAXPRI);
  CHECK_EQ_INT(ev_priority(&cs), EV_MAXPRI);
  CHECK_EQ_INT(ev_priority(&ca), EV_MAXPRI);
  CHECK_EQ_INT(ev_priority(&co), 0);
  /* child watchers are not stopped automatically */
  CHECK(ev_is_active(&cs));
  CHECK(ev_is_active(&ca));
  CHECK(!ev_is_pending(&cs));
  /* the child has been reaped by libev */
  errno = 0;
  CHECK_EQ_INT(waitpid(pid, NULL, WNOHANG), -1);
  CHECK_EQ_INT(errno, ECHILD);
  ev_child_stop(loop, &cs);
  ev_child_stop(loop, &co);
  CHECK(!ev_is_active(&cs));

  /* 2. killed by a signal, only the pid-0 watcher active */
  nspec = nany = 0;
  fflush(NULL);
  pid = fork();
  if (pid < 0) { perror("fork"); return 1; }
  if (pid == 0) {
    signal(SIGTERM, SIG_DFL);
    raise(SIGTERM);
    _exit(9);
  }
  want = 1;
  run_guarded(loop, 1.5);
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(nany, 1);
  CHECK_EQ_INT(nspec, 0);
  CHECK_EQ_INT(ca.rpid, pid);
  CHECK(WIFSIGNALED(ca.rstatus));
  CHECK_EQ_INT(WTERMSIG(ca.rstatus), SIGTERM);
  ev_child_stop(loop, &ca);

  CHECK_EQ_INT(bad_revents, 0);
  TEST_DONE();
}
