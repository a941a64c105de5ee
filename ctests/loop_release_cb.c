/* ev_set_loop_release_cb: release is called just before blocking, acquire
 * right after; order relative to prepare/check/timer callbacks; reset with
 * NULL; recursion into ev_run from release aborts. */
#include <ev.h>
#include <pthread.h>
#include "testutil.h"

static char log_[512];
static int llen;
static void note(char c) { if (llen < (int)sizeof(log_) - 1) log_[llen++] = c; log_[llen] = 0; }
static void reset_log(void) { llen = 0; log_[0] = 0; }

static int nrel, nacq, held;
static struct ev_loop *cb_loop;
static void *cb_userdata;

static void release_cb(struct ev_loop *loop)
{
  note('R');
  nrel++;
  CHECK(held); /* must alternate with acquire */
  held = 0;
  cb_loop = loop;
  cb_userdata = ev_userdata(loop);
}

static void acquire_cb(struct ev_loop *loop)
{
  (void)loop;
  note('A');
  nacq++;
  CHECK(!held);
  held = 1;
}

static void prep_cb(struct ev_loop *loop, ev_prepare *w, int revents) { (void)loop; (void)w; (void)revents; note('P'); }
static void check_cb(struct ev_loop *loop, ev_check *w, int revents) { (void)loop; (void)w; (void)revents; note('C'); }
static int nt;
static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop; (void)w; (void)revents;
  note('T');
  nt++;
  CHECK(held); /* callbacks run with the loop "acquired" */
}

/* the release/acquire pair with a real mutex, another thread wakes us */
static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static void mrelease(struct ev_loop *loop) { (void)loop; nrel++; pthread_mutex_unlock(&mtx); }
static void macquire(struct ev_loop *loop) { (void)loop; nacq++; pthread_mutex_lock(&mtx); }
static ev_async as;
static int nasync, thread_ok;
static void async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
  (void)w; (void)revents;
  nasync++;
  ev_break(loop, EVBREAK_ALL);
}
static void *thread_fn(void *arg)
{
  struct ev_loop *loop = (struct ev_loop *)arg;
  ev_sleep(0.01);
  /* the loop thread is blocked inside the backend: mutex is free */
  pthread_mutex_lock(&mtx);
  thread_ok = 1;
  ev_async_send(loop, &as);
  pthread_mutex_unlock(&mtx);
  return 0;
}

static void rec_release(struct ev_loop *loop) { ev_run(loop, EVRUN_NOWAIT); }
static void noop_acquire(struct ev_loop *loop) { (void)loop; }
static void tnoop(struct ev_loop *loop, ev_timer *w, int revents) { (void)loop; (void)w; (void)revents; }
static void recursion_in_release(void)
{
  struct ev_loop *loop = ev_loop_new(0);
  ev_timer t;
  ev_set_loop_release_cb(loop, rec_release, noop_acquire);
  ev_timer_init(&t, tnoop, 0.001, 0.);
  ev_timer_start(loop, &t);
  ev_run(loop, 0);
}

int main(void)
{
  struct ev_loop *loop;
  ev_prepare p;
  ev_check c;
  ev_timer t;
  int i;

  ALARM_GUARD(5);
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();

  held = 1; /* the thread calling ev_run "holds" the loop */
  ev_set_userdata(loop, &held);
  ev_set_loop_release_cb(loop, release_cb, acquire_cb);

  ev_prepare_init(&p, prep_cb);
  ev_prepare_start(loop, &p);
  ev_unref(loop);
  ev_check_init(&c, check_cb);
  ev_check_start(loop, &c);
  ev_unref(loop);

  /* 1. one NOWAIT iteration: prepare, release, (poll), acquire, check */
  reset_log();
  ev_run(loop, EVRUN_NOWAIT);
  CHECK(strcmp(log_, "PRAC") == 0);
  if (strcmp(log_, "PRAC")) fprintf(stderr, "  log: %s\n", log_);
  CHECK_EQ_INT(nrel, 1);
  CHECK_EQ_INT(nacq, 1);
  CHECK(cb_loop == loop);
  CHECK(cb_userdata == (void *)&held);

  /* 2. run with a 15ms timer: every block is bracketed by R..A, the timer
   *    callback comes after an acquire; counts balanced */
  reset_log(); nrel = nacq = 0;
  ev_timer_init(&t, timer_cb, 0.015, 0.);
  ev_timer_start(loop, &t);
  ev_run(loop, 0);
  CHECK_EQ_INT(nt, 1);
  CHECK(nrel >= 1);
  CHECK_EQ_INT(nrel, nacq);
  CHECK(held);
  /* pattern: (P R A C)+ with a single T somewhere after the last A */
  {
    char *tp = strchr(log_, 'T');
    char *la = strrchr(log_, 'A');
    CHECK(tp != NULL && la != NULL && tp > la);
    if (tp) memmove(tp, tp + 1, strlen(tp)); /* drop the T */
    llen = (int)strlen(log_);
    CHECK(llen >= 4 && llen % 4 == 0);
    for (i = 0; i + 4 <= llen; i += 4)
      CHECK(memcmp(log_ + i, "PRAC", 4) == 0);
    if (llen % 4) fprintf(stderr, "  log: %s\n", log_);
  }

  /* 3. resetting to NULL callbacks: no more calls, loop still works */
  ev_set_loop_release_cb(loop, 0, 0);
  reset_log(); nrel = nacq = 0; nt = 0;
  ev_timer_set(&t, 0.003, 0.);
  ev_timer_start(loop, &t);
  ev_run(loop, 0);
  CHECK_EQ_INT(nt, 1);
  CHECK_EQ_INT(nrel, 0);
  CHECK_EQ_INT(nacq, 0);
  CHECK(strchr(log_, 'R') == NULL);
  ev_ref(loop); ev_prepare_stop(loop, &p);
  ev_ref(loop); ev_check_stop(loop, &c);

  /* 4. the documented locking pattern: ev_run holds a mutex except while
   *    blocked; another thread takes it and wakes the loop via ev_async */
  {
    pthread_t th;
    nrel = nacq = 0;
    ev_async_init(&as, async_cb);
    ev_async_start(loop, &as);
    ev_set_loop_release_cb(loop, mrelease, macquire);
    pthread_mutex_lock(&mtx);
    CHECK_EQ_INT(pthread_create(&th, 0, thread_fn, loop), 0);
    ev_run(loop, 0);
    pthread_mutex_unlock(&mtx);
    pthread_join(th, 0);
    CHECK_EQ_INT(thread_ok, 1);
    CHECK_EQ_INT(nasync, 1);
    CHECK(nrel >= 1);
    CHECK_EQ_INT(nrel, nacq);
    ev_set_loop_release_cb(loop, 0, 0);
    ev_async_stop(loop, &as);
  }

  ev_loop_destroy(loop);

  /* 5. calling ev_run from the release callback is detected */
  expect_abort(recursion_in_release, "libev: ev_loop recursion during release detected");

  TEST_DONE();
}
