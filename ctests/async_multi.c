/* Several ev_async watchers: a send only triggers the watcher it was sent
 * to (others in the same loop stay quiet); two loops each driven by its
 * own thread get their own sends (a thread-per-loop setup, sends from the
 * main thread); higher priority async watchers are invoked first when
 * both are pending in the same iteration. */
#include <ev.h>
#include <pthread.h>
#include "testutil.h"

static int hits[4], order[4], norder, bad_revents;

static void acb(struct ev_loop *loop, ev_async *w, int revents)
{
  int i = (int)(long)w->data;
  (void)loop;
  if (revents != EV_ASYNC) bad_revents++;
  hits[i]++;
  if (norder < 4) order[norder++] = i;
}

/* thread-driven loops: the async callback stops the watcher, ev_run
 * returns when nothing is left */
struct tl {
  struct ev_loop *loop;
  ev_async a;
  ev_timer guard;
  int got;
  pthread_t th;
};
static void tl_cb(struct ev_loop *loop, ev_async *w, int revents)
{
  struct tl *t = (struct tl *)w->data;
  (void)revents;
  t->got++;
  ev_async_stop(loop, w);
  ev_timer_stop(loop, &t->guard);
}
static void tl_guard(struct ev_loop *loop, ev_timer *w, int revents)
{
  (void)w; (void)revents;
  ev_break(loop, EVBREAK_ALL);
}
static void *tl_run(void *arg)
{
  struct tl *t = (struct tl *)arg;
  ev_run(t->loop, 0);
  return NULL;
}

static unsigned env_backend(void)
{
  const char *e = getenv("LIBEV_FLAGS");
  return e ? (unsigned)atoi(e) & EVBACKEND_MASK : 0;
}

int main(void)
{
  struct ev_loop *loop;
  ev_async a[3];
  struct tl t[2];
  int i;

  ALARM_GUARD(5);
  loop = ev_loop_new(EVFLAG_NOENV | env_backend());
  CHECK(loop != NULL);
  if (!loop) TEST_DONE();

  for (i = 0; i < 3; i++) {
    ev_async_init(&a[i], acb);
    a[i].data = (void *)(long)i;
  }
  ev_set_priority(&a[0], -1);
  ev_set_priority(&a[2], 2);
  for (i = 0; i < 3; i++) ev_async_start(loop, &a[i]);

  /* only the one sent to */
  ev_async_send(loop, &a[1]);
  CHECK(!ev_async_pending(&a[0]) && ev_async_pending(&a[1]) && !ev_async_pending(&a[2]));
  for (i = 0; i < 3; i++) ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(hits[0], 0);
  CHECK_EQ_INT(hits[1], 1);
  CHECK_EQ_INT(hits[2], 0);

  /* priorities: 2 before -1 */
  memset(hits, 0, sizeof hits);
  norder = 0;
  ev_async_send(loop, &a[0]);
  ev_async_send(loop, &a[2]);
  for (i = 0; i < 3; i++) ev_run(loop, EVRUN_NOWAIT);
  CHECK_EQ_INT(hits[0], 1);
  CHECK_EQ_INT(hits[1], 0);
  CHECK_EQ_INT(hits[2], 1);
  CHECK_EQ_INT(norder, 2);
  CHECK_EQ_INT(order[0], 2);
  CHECK_EQ_INT(order[1], 0);
  for (i = 0; i < 3; i++) ev_async_stop(loop, &a[i]);
  ev_loop_destroy(loop);

  /* one loop per thread, woken from the main thread */
  for (i = 0; i < 2; i++) {
    t[i].loop = ev_loop_new(EVFLAG_NOENV | env_backend());
    CHECK(t[i].loop != NULL);
    if (!t[i].loop) TEST_DONE();
    t[i].got = 0;
    ev_async_init(&t[i].a, tl_cb);
    t[i].a.data = &t[i];
    ev_async_start(t[i].loop, &t[i].a);
    ev_timer_init(&t[i].guard, tl_guard, 2.0, 0.);
    ev_timer_start(t[i].loop, &t[i].guard);
  }
  for (i = 0; i < 2; i++) CHECK_EQ_INT(pthread_create(&t[i].th, NULL, tl_run, &t[i]), 0);
  usleep(30000); /* let both block */
  ev_async_send(t[1].loop, &t[1].a);
  usleep(10000);
  ev_async_send(t[0].loop, &t[0].a);
  for (i = 0; i < 2; i++) pthread_join(t[i].th, NULL);
  for (i = 0; i < 2; i++) {
    CHECK_EQ_INT(t[i].got, 1);
    CHECK(!ev_is_active(&t[i].guard)); /* stopped by the async cb, not expired */
    ev_loop_destroy(t[i].loop);
  }

  CHECK_EQ_INT(bad_revents, 0);
  TEST_DONE();
}
