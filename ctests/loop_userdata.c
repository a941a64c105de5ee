/* ev_set_userdata / ev_userdata */
#include <ev.h>
#include "testutil.h"

struct ctx { int magic; int hits; };

static void cb(struct ev_loop *loop, ev_idle *w, int revents)
{
  struct ctx *c = (struct ctx *)ev_userdata(loop);
  (void)revents;
  CHECK(c != NULL);
  if (c) {
    CHECK_EQ_INT(c->magic, 0x5eed);
    c->hits++;
  }
  ev_idle_stop(loop, w);
}

static void inv(struct ev_loop *loop)
{
  struct ctx *c = (struct ctx *)ev_userdata(loop);
  if (c) c->hits += 100;
  ev_invoke_pending(loop);
}

int main(void)
{
  struct ev_loop *a, *b, *d;
  struct ctx ca = { 0x5eed, 0 }, cb_ = { 0x5eed, 0 };
  int x;

  ALARM_GUARD(5);
  a = ev_loop_new(0);
  b = ev_loop_new(0);
  CHECK(a != NULL && b != NULL);
  if (!a || !b) TEST_DONE();

  /* never set: NULL */
  CHECK(ev_userdata(a) == NULL);
  CHECK(ev_userdata(b) == NULL);

  /* set / get round trip, per loop */
  ev_set_userdata(a, &x);
  CHECK(ev_userdata(a) == (void *)&x);
  CHECK(ev_userdata(b) == NULL);
  ev_set_userdata(b, &ca);
  CHECK(ev_userdata(b) == (void *)&ca);
  CHECK(ev_userdata(a) == (void *)&x);

  /* overwrite and reset to NULL */
  ev_set_userdata(a, &cb_);
  CHECK(ev_userdata(a) == (void *)&cb_);
  ev_set_userdata(a, NULL);
  CHECK(ev_userdata(a) == NULL);

  /* the library never interprets it: arbitrary values survive runs */
  ev_set_userdata(a, (void *)(long)-1);
  ev_run(a, EVRUN_NOWAIT);
  CHECK(ev_userdata(a) == (void *)(long)-1);

  /* reachable from callbacks (watcher and invoke_pending callbacks) */
  {
    ev_idle i;
    ev_idle_init(&i, cb);
    ev_idle_start(b, &i);
    ev_set_invoke_pending_cb(b, inv);
    ev_run(b, 0);
    CHECK(ca.hits >= 101);
    CHECK_EQ_INT(ca.hits % 100, 1);
    CHECK(ev_userdata(b) == (void *)&ca);
  }

  /* the default loop has its own userdata, initially NULL */
  d = ev_default_loop(0);
  CHECK(d != NULL);
  if (d) {
    CHECK(ev_userdata(d) == NULL);
    ev_set_userdata(d, &cb_);
    CHECK(ev_userdata(d) == (void *)&cb_);
    CHECK(ev_userdata(b) == (void *)&ca);
    ev_set_userdata(d, NULL);
  }

  /* a new loop after destroying one starts with NULL again */
  ev_loop_destroy(a);
  a = ev_loop_new(0);
  CHECK(a != NULL);
  if (a) {
    CHECK(ev_userdata(a) == NULL);
    ev_loop_destroy(a);
  }
  ev_loop_destroy(b);
  TEST_DONE();
}
