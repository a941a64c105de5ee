/* ev_default_loop: same loop every time, ev_default_loop_ptr /
 * EV_DEFAULT_UC / ev_is_default_loop, destroying it resets the pointer and
 * a later ev_default_loop creates a working new one; child watchers only
 * on the default loop. */
#include <ev.h>
#include "testutil.h"

/* the header declares it only inside an inline function; users may
 * declare it themselves */
extern struct ev_loop *ev_default_loop_ptr;

static int nt;
static void tcb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w;
  CHECK_EQ_INT(revents, EV_TIMER);
  CHECK(ev_is_default_loop(loop));
  nt++;
}

static int nchild, child_status, child_rpid;
static void child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
  (void)loop;
  CHECK_EQ_INT(revents, EV_CHILD);
  nchild++;
  child_rpid = w->rpid;
  child_status = w->rstatus;
  ev_child_stop(loop, w);
}

static void ccb_noop(struct ev_loop *loop, ev_child *w, int revents) { (void)loop; (void)w; (void)revents; }
static void child_on_dynamic_loop(void)
{
  struct ev_loop *l = ev_loop_new(0);
  ev_child c;
  ev_child_init(&c, ccb_noop, 0, 0);
  ev_child_start(l, &c);
}

int main(void)
{
  struct ev_loop *d, *d2, *n;
  ev_timer t;

  ALARM_GUARD(5);

  /* nothing created yet */
  CHECK(ev_default_loop_ptr == NULL);

  /* a dynamic loop is not the default loop and does not set the pointer */
  n = ev_loop_new(0);
  CHECK(n != NULL);
  CHECK(ev_default_loop_ptr == NULL);
  CHECK(!ev_is_default_loop(n));

  d = ev_default_loop(0);
  CHECK(d != NULL);
  if (!d) TEST_DONE();
  CHECK(d != n);
  CHECK(ev_default_loop_ptr == d);
  CHECK(EV_DEFAULT_UC == d);
  CHECK(ev_default_loop_uc_() == d);
  CHECK(ev_is_default_loop(d));
  CHECK(!ev_is_default_loop(n));
  /* same loop on every call, whatever the flags */
  CHECK(ev_default_loop(0) == d);
  CHECK(EV_DEFAULT == d);
  CHECK(ev_default_loop(EVBACKEND_SELECT | EVFLAG_NOENV) == d);

  /* it works as a loop */
  ev_timer_init(&t, tcb, 0.001, 0.);
  ev_timer_start(EV_DEFAULT_UC, &t);
  CHECK_EQ_INT(ev_run(EV_DEFAULT_UC, 0), 0);
  CHECK_EQ_INT(nt, 1);

  /* the default loop reaps children */
  {
    pid_t pid;
    ev_child c;
    fflush(NULL);
    pid = fork();
    if (pid == 0) _exit(7);
    CHECK(pid > 0);
    ev_child_init(&c, child_cb, pid, 0);
    ev_child_start(d, &c);
    CHECK_EQ_INT(ev_run(d, 0), 0);
    CHECK_EQ_INT(nchild, 1);
    CHECK_EQ_INT(child_rpid, pid);
    CHECK(WIFEXITED(child_status));
    CHECK_EQ_INT(WEXITSTATUS(child_status), 7);
  }

  /* destroying the default loop resets the pointer */
  ev_loop_destroy(d);
  CHECK(ev_default_loop_ptr == NULL);
  /* the dynamic loop is unaffected */
  CHECK(!ev_is_default_loop(n));
  ev_timer_init(&t, tcb, 0.001, 0.);
  nt = 0;

  /* a later ev_default_loop creates a fresh one (honouring its flags) */
  d2 = ev_default_loop(EVBACKEND_POLL | EVFLAG_NOENV);
  CHECK(d2 != NULL);
  if (d2) {
    CHECK(ev_default_loop_ptr == d2);
    CHECK(EV_DEFAULT_UC == d2);
    CHECK(ev_is_default_loop(d2));
    CHECK_EQ_INT(ev_backend(d2), EVBACKEND_POLL);
    CHECK_EQ_INT(ev_pending_count(d2), 0);
    CHECK_EQ_INT(ev_depth(d2), 0);
    /* (libev 4.33 re-uses the static default loop struct: ev_iteration and
     * ev_userdata survive the destroy; not checked here) */
    ev_timer_start(d2, &t);
    CHECK_EQ_INT(ev_run(d2, 0), 0);
    CHECK_EQ_INT(nt, 1);

    /* child watchers still work on the re-created default loop */
    {
      pid_t pid;
      ev_child c;
      nchild = 0;
      fflush(NULL);
      pid = fork();
      if (pid == 0) _exit(3);
      ev_child_init(&c, child_cb, pid, 0);
      ev_child_start(d2, &c);
      CHECK_EQ_INT(ev_run(d2, 0), 0);
      CHECK_EQ_INT(nchild, 1);
      CHECK_EQ_INT(child_rpid, pid);
      CHECK_EQ_INT(WEXITSTATUS(child_status), 3);
    }
  }

  /* the compat wrapper ev_default_destroy() destroys it too */
  ev_default_destroy();
  CHECK(ev_default_loop_ptr == NULL);

  /* child watchers are only allowed on the default loop */
  expect_abort(child_on_dynamic_loop, "libev: child watchers are only supported in the default loop");

  ev_loop_destroy(n);
  TEST_DONE();
}
