/* ev_run with flags 0 / EVRUN_NOWAIT / EVRUN_ONCE and its return value. */
#include <ev.h>
#include "testutil.h"

static char order[64];
static int olen;
static void note(char c) { if (olen < (int)sizeof(order) - 1) order[olen++] = c; order[olen] = 0; }

static int fired[8];
static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)loop;
  CHECK_EQ_INT(revents, EV_TIMER);
  fired[(int)(long)w->data]++;
  note('0' + (int)(long)w->data);
}

static void check_cb(struct ev_loop *loop, ev_check *w, int revents)
{
  (void)loop; (void)w;
  CHECK_EQ_INT(revents, EV_CHECK);
  note('C');
}

static void prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
  (void)loop; (void)w;
  CHECK_EQ_INT(revents, EV_PREPARE);
  note('P');
}

static void sig_cb(struct ev_loop *loop, ev_signal *w, int revents) { (void)loop; (void)w; (void)revents; }
static void async_cb(struct ev_loop *loop, ev_async *w, int revents) { (void)loop; (void)w; (void)revents; }

int main(void)
{
  struct ev_loop *loop;
  ev_timer t[4];
  double t0, el;
  int r, i;
  unsigned it;

  ALARM_GUARD(5);
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();

  /* 1. an empty loop: every mode returns 0 at once, without blocking */
  t0 = ev_time();
  it = ev_iteration(loop);
  CHECK_EQ_INT(ev_run(loop, 0), 0);
  CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 0);
  CHECK_EQ_INT(ev_run(loop, EVRUN_ONCE), 0);
  CHECK(ev_time() - t0 < 0.5); /* no blocking */
  /* each of these runs still did exactly one iteration */
  CHECK_EQ_INT(ev_iteration(loop) - it, 3);

  /* 2. EVRUN_NOWAIT with far timers: does not block, returns the number of
   *    active (referenced) watchers, callbacks are not invoked */
  for (i = 0; i < 3; i++) {
    ev_timer_init(&t[i], timer_cb, 10. + i, 0.);
    t[i].data = (void *)(long)i;
    ev_timer_start(loop, &t[i]);
  }
  t0 = ev_time();
  it = ev_iteration(loop);
  r = ev_run(loop, EVRUN_NOWAIT);
  el = ev_time() - t0;
  CHECK(r != 0);
  CHECK_EQ_INT(r, 3); /* libev returns the active watcher count */
  CHECK(el < 0.5); /* did not wait for the 10s timers */
  CHECK_EQ_INT(ev_iteration(loop) - it, 1);
  CHECK_EQ_INT(fired[0] + fired[1] + fired[2], 0);

  /* 3. EVRUN_ONCE blocks until the 20ms timer fires, runs it, returns the
   *    number of still active watchers (the 3 far timers) */
  ev_timer_init(&t[3], timer_cb, 0.02, 0.);
  t[3].data = (void *)3L;
  ev_timer_start(loop, &t[3]);
  CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 4);
  CHECK_EQ_INT(fired[3], 0);
  t0 = ev_time();
  /* ONCE may (rarely) wake up early for internal reasons; loop until fired */
  for (i = 0; i < 20 && !fired[3]; i++)
    r = ev_run(loop, EVRUN_ONCE);
  el = ev_time() - t0;
  CHECK_EQ_INT(fired[3], 1);
  CHECK_EQ_INT(r, 3);
  CHECK(el >= 0.015);
  CHECK(el < 0.5);
  CHECK(!ev_is_active(&t[3]));
  for (i = 0; i < 3; i++) ev_timer_stop(loop, &t[i]);
  CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 0);

  /* 4. flags 0 runs until no active watchers remain, timers in time order */
  olen = 0; order[0] = 0;
  memset(fired, 0, sizeof fired);
  ev_timer_init(&t[0], timer_cb, 0.012, 0.); t[0].data = (void *)0L;
  ev_timer_init(&t[1], timer_cb, 0.004, 0.); t[1].data = (void *)1L;
  ev_timer_init(&t[2], timer_cb, 0.008, 0.); t[2].data = (void *)2L;
  for (i = 0; i < 3; i++) ev_timer_start(loop, &t[i]);
  t0 = ev_time();
  r = ev_run(loop, 0);
  el = ev_time() - t0;
  CHECK_EQ_INT(r, 0);
  CHECK(strcmp(order, "120") == 0);
  CHECK(el >= 0.010);
  CHECK(el < 0.5);
  for (i = 0; i < 3; i++) CHECK(!ev_is_active(&t[i]));

  /* 5. a repeating timer keeps ev_run(0) alive; EVRUN_ONCE returns 1 */
  memset(fired, 0, sizeof fired);
  ev_timer_init(&t[0], timer_cb, 0.002, 0.002); t[0].data = (void *)0L;
  ev_timer_start(loop, &t[0]);
  for (i = 0; i < 50 && fired[0] < 3; i++)
    CHECK_EQ_INT(ev_run(loop, EVRUN_ONCE), 1);
  CHECK_EQ_INT(fired[0], 3);
  ev_timer_stop(loop, &t[0]);
  CHECK_EQ_INT(ev_run(loop, EVRUN_ONCE), 0);

  /* 6. order inside one iteration: prepare runs before blocking, check
   *    watchers are invoked before the timer that expired in that same
   *    iteration (libev invokes queued watchers in reverse queue order) */
  {
    ev_prepare p;
    ev_check c;
    olen = 0; order[0] = 0;
    memset(fired, 0, sizeof fired);
    ev_prepare_init(&p, prepare_cb);
    ev_prepare_start(loop, &p);
    ev_unref(loop);
    ev_check_init(&c, check_cb);
    ev_check_start(loop, &c);
    ev_unref(loop);
    ev_timer_init(&t[0], timer_cb, 0.005, 0.); t[0].data = (void *)0L;
    ev_timer_start(loop, &t[0]);
    for (i = 0; i < 20 && !fired[0]; i++)
      ev_run(loop, EVRUN_ONCE);
    CHECK_EQ_INT(fired[0], 1);
    /* last iteration: P (prepare) .. C (check) 0 (timer) */
    CHECK(olen >= 3);
    if (olen >= 3) CHECK(strcmp(order + olen - 3, "PC0") == 0);
    CHECK(order[0] == 'P');
    ev_ref(loop); ev_prepare_stop(loop, &p);
    ev_ref(loop); ev_check_stop(loop, &c);
    CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 0);
  }
  ev_loop_destroy(loop);

  /* 7. the default loop's internal watchers (SIGCHLD handling, signal
   *    pipe / eventfd) are not counted in the return value */
  loop = ev_default_loop(0);
  CHECK(loop != NULL);
  if (loop) {
    ev_signal s;
    ev_async a;
    CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 0);
    CHECK_EQ_INT(ev_run(loop, 0), 0);
    ev_signal_init(&s, sig_cb, SIGUSR2);
    ev_signal_start(loop, &s);
    CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 1);
    ev_async_init(&a, async_cb);
    ev_async_start(loop, &a);
    CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 2);
    ev_signal_stop(loop, &s);
    ev_async_stop(loop, &a);
    CHECK_EQ_INT(ev_run(loop, EVRUN_NOWAIT), 0);
    CHECK_EQ_INT(ev_run(loop, 0), 0);
  }

  TEST_DONE();
}
