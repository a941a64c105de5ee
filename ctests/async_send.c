/* ev_async: ev_async_start sets sent = 0 (even over garbage);
 * ev_async_send from the loop's own thread makes ev_async_pending()
 * non-zero until the callback runs (sent is 0 again inside the callback);
 * several sends coalesce into one callback; sends from 4 threads at once
 * give at least one callback and never hang; a send from a signal handler
 * wakes a blocked loop; a send to a stopped watcher is not delivered. */
#include <ev.h>
#include <pthread.h>
#include <sys/time.h>
#include "testutil.h"

static struct ev_loop *loop;
static ev_async as;
static int ncb, bad_revents, pending_in_cb = -1;
static volatile int threads_done;

static void async_cb(struct ev_loop *l, ev_async *w, int revents)
{
  if (revents != EV_ASYNC) bad_revents++;
  pending_in_cb = ev_async_pending(w);
  ncb++;
  ev_break(l, EVBREAK_ALL);
}

static int timed_out;
static void guard_cb(struct ev_loop *l, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  timed_out++;
  ev_break(l, EVBREAK_ALL);
}

static void run_guarded(double secs)
{
  ev_timer guard;
  ev_timer_init(&guard, guard_cb, secs, 0.);
  ev_timer_start(loop, &guard);
  ev_run(loop, 0);
  ev_timer_stop(loop, &guard);
}

static pthread_mutex_t mx = PTHREAD_MUTEX_INITIALIZER;
static void *sender(void *arg)
{
  int i;
  (void)arg;
  usleep(20000);
  for (i = 0; i < 1000; i++) ev_async_send(loop, &as);
  pthread_mutex_lock(&mx);
  threads_done++;
  pthread_mutex_unlock(&mx);
  return NULL;
}

static void on_alarm(int signum)
{
  (void)signum;
  ev_async_send(loop, &as);
}

static void drain(void)
{
  int i;
  for (i = 0; i < 3; i++) ev_run(loop, EVRUN_NOWAIT);
}

int main(void)
{
  pthread_t th[4];
  int i;
  struct sigaction sa;
  struct itimerval it;
  ev_tstamp t0;

  ALARM_GUARD(5);
  loop = ev_loop_new(0);
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();

  /* start resets sent (init does not touch it) */
  memset(&as, 0x5a, sizeof as);
  ev_async_init(&as, async_cb);
  CHECK(ev_async_pending(&as) != 0); /* garbage left by memset */
  ev_async_start(loop, &as);
  CHECK_EQ_INT(ev_async_pending(&as), 0);
  CHECK(ev_is_active(&as));

  /* 1. same thread */
  ev_async_send(loop, &as);
  CHECK(ev_async_pending(&as) != 0);
  ev_async_send(loop, &as);
  ev_async_send(loop, &as);
  CHECK(ev_async_pending(&as) != 0);
  CHECK_EQ_INT(ncb, 0);
  run_guarded(1.0);
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(ncb, 1);  /* three sends, one callback */
  CHECK_EQ_INT(pending_in_cb, 0);
  CHECK_EQ_INT(ev_async_pending(&as), 0);
  drain();
  CHECK_EQ_INT(ncb, 1);

  /* 2. four threads at once */
  ncb = 0;
  for (i = 0; i < 4; i++) CHECK_EQ_INT(pthread_create(&th[i], NULL, sender, NULL), 0);
  run_guarded(2.0);
  for (i = 0; i < 4; i++) pthread_join(th[i], NULL);
  CHECK_EQ_INT(threads_done, 4);
  CHECK_EQ_INT(timed_out, 0);
  CHECK(ncb >= 1);
  drain(); /* sends after the first callback: at most one more batch */
  CHECK(ncb >= 1 && ncb <= 4000);
  CHECK_EQ_INT(ev_async_pending(&as), 0);

  /* 3. from a signal handler (SIGALRM by setitimer, 50 ms), waking the
   *    blocked loop */
  ncb = 0;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, NULL);
  alarm(0);
  memset(&it, 0, sizeof it);
  it.it_value.tv_usec = 50000;
  ev_now_update(loop);
  t0 = ev_now(loop);
  setitimer(ITIMER_REAL, &it, NULL);
  run_guarded(2.0);
  ev_now_update(loop);
  CHECK_EQ_INT(timed_out, 0);
  CHECK_EQ_INT(ncb, 1);
  CHECK(ev_now(loop) - t0 < 1.0);
  CHECK(ev_now(loop) - t0 >= 0.03);
  signal(SIGALRM, SIG_DFL);
  ALARM_GUARD(5);

  /* 4. stopped watcher: a send is not delivered (and start clears it) */
  ncb = 0;
  ev_async_stop(loop, &as);
  CHECK(!ev_is_active(&as));
  ev_async_send(loop, &as);
  drain();
  CHECK_EQ_INT(ncb, 0);
  ev_async_start(loop, &as);
  CHECK_EQ_INT(ev_async_pending(&as), 0);
  drain();
  CHECK_EQ_INT(ncb, 0);
  ev_async_stop(loop, &as);

  CHECK_EQ_INT(bad_revents, 0);
  ev_loop_destroy(loop);
  TEST_DONE();
}
