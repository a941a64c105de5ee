/*
 * A C++ exception thrown by a watcher callback propagates out of ev_run to
 * its caller (through the library's frames: ev_run, ev_invoke_pending,
 * ev_invoke, ev_loop_destroy are unwinding-safe in the replacement), local
 * objects of the unwound C++ frames are destroyed, and the loop stays
 * usable: running it again invokes the watchers that were still pending,
 * repeating timers keep repeating, new watchers fire, and ev_depth is back
 * to 0.  Covered paths:
 *   1. timer callback throwing in ev_run (dynamic loop, ev++ classes);
 *   2. io callback on the default loop;
 *   3. a throw from a nested ev_run inside a callback of the same loop;
 *   4. ev_invoke (direct invocation);
 *   5. a custom invoke_pending callback calling ev_invoke_pending;
 *   6. a cleanup watcher throwing inside ev_loop_destroy: the exception
 *      arrives, a second ev_loop_destroy then destroys the loop.
 *
 * libev 4.33 itself is C without unwind cleanups: there ev_depth stays
 * raised after an escaped exception.  The depth checks therefore apply to
 * the replacement only (ways "ours" and "refhdr+ours"); the ref way prints
 * the reference's depth instead.
 */
#include <ev++.h>
#include <stdexcept>
#include <string.h>
#include "testutil.h"

struct Boom
{
  int code;
};

static int strict_depth = 1;  /* 0 when running on the reference library */
static void after_fn (ev::idle &w, int);

#define CHECK_DEPTH(loop, expected)                                             \
  do {                                                                          \
    if (strict_depth)                                                           \
      CHECK_EQ_INT (ev_depth (loop), (expected));                               \
    else                                                                        \
      fprintf (stderr, "note: %s:%d: reference ev_depth after the exception: %u\n", \
               __FILE__, __LINE__, ev_depth (loop));                            \
  } while (0)

/* counts constructions and destructions of stack objects in callbacks */
static int alive, destroyed;
struct Sentinel
{
  Sentinel () { alive++; }
  ~Sentinel () { alive--; destroyed++; }
};

/* ---- 1: timers ---- */
static int thrower_calls, other_calls, repeat_calls, after_calls;

static void
thrower_fn (ev::timer &w, int revents)
{
  Sentinel s;
  CHECK_EQ_INT (revents, ev::TIMER);
  (void) w;
  if (++thrower_calls == 1)
    throw Boom { 1 };
}

static void
other_fn (ev::timer &w, int)
{
  (void) w;
  other_calls++;
}

static void
repeat_fn (ev::timer &w, int)
{
  if (++repeat_calls == 1)
    throw std::runtime_error ("first repetition");
  w.stop ();
}

static void
after_fn (ev::idle &w, int)
{
  after_calls++;
  if (strict_depth)
    CHECK_EQ_INT (w.loop.depth (), 1);
  w.stop ();
}

/* ---- 2: io on the default loop ---- */
static int io_calls;
static void
io_fn (ev::io &w, int revents)
{
  char buf[8];
  CHECK_EQ_INT (revents, ev::READ);
  CHECK (read (w.fd, buf, sizeof buf) == 1);
  if (++io_calls == 1)
    throw Boom { 2 };
  w.stop ();
}

/* ---- 3: nested ev_run ---- */
static int nested_inner_calls, nested_outer_calls, nested_depth;
static void
nested_inner_fn (ev::timer &w, int)
{
  nested_inner_calls++;
  nested_depth = w.loop.depth ();
  throw Boom { 3 };
}

static void
nested_outer_fn (ev::idle &w, int)
{
  Sentinel s;
  nested_outer_calls++;
  w.stop ();
  w.loop.run ();          /* the inner timer throws out of this run ... */
  CHECK (!"not reached: the exception passes the outer callback too");
}

/* ---- 4: ev_invoke ---- */
static void
invoke_cb (struct ev_loop *loop, ev_idle *w, int revents)
{
  (void) loop;
  (void) w;
  throw Boom { revents };
}

/* ---- 5: custom invoke_pending callback ---- */
static int custom_invokes;
static void
custom_invoke (struct ev_loop *loop)
{
  Sentinel s;
  custom_invokes++;
  ev_invoke_pending (loop);
}

/* ---- 6: cleanup watcher throwing in ev_loop_destroy ---- */
static int cleanup_calls;
static void
cleanup_cb (struct ev_loop *loop, ev_cleanup *w, int revents)
{
  (void) loop;
  (void) w;
  CHECK_EQ_INT (revents, EV_CLEANUP);
  if (++cleanup_calls == 1)
    throw Boom { 6 };
}

static int guard_fired;
static void
guard_fn (ev::timer &w, int)
{
  guard_fired++;
  w.loop.break_loop (ev::ALL);
}

int
main ()
{
  ALARM_GUARD (10);
  const char *way = getenv ("CTEST_WAY");
  if (way && !strcmp (way, "ref"))
    strict_depth = 0;

  /* ---- 1 ---- */
  {
    ev::dynamic_loop l;
    ev::timer t1 (l), t2 (l), t3 (l), guard (l);
    guard.set<guard_fn> ();
    guard.start (5.);
    l.unref ();                   /* the guard does not keep run () going */

    t1.set<thrower_fn> ();
    t2.set<other_fn> ();
    t1.start (0.);
    t2.start (0.);
    ev::delay (0.002);

    int caught = 0;
    try
      {
        l.run ();
      }
    catch (const Boom &b)
      {
        caught = b.code;
      }
    CHECK_EQ_INT (caught, 1);
    CHECK_EQ_INT (thrower_calls, 1);
    CHECK_EQ_INT (alive, 0);
    CHECK_EQ_INT (destroyed, 1);  /* the callback's local object */
    CHECK_DEPTH (l, 0);
    CHECK (!t1.is_pending ());
    CHECK (!t1.is_active ());

    /* run again: t2 (if still pending) runs now, new watchers work */
    ev::idle id (l);
    id.set<after_fn> ();
    id.start ();
    l.run ();
    CHECK_EQ_INT (other_calls, 1);
    CHECK_EQ_INT (after_calls, 1);
    CHECK_EQ_INT (thrower_calls, 1);
    CHECK_DEPTH (l, 0);

    /* a repeating timer that throws keeps repeating */
    t3.set<repeat_fn> ();
    t3.start (0.001, 0.001);
    std::string what;
    try
      {
        l.run ();
      }
    catch (const std::exception &e)
      {
        what = e.what ();
      }
    CHECK (what == "first repetition");
    CHECK (t3.is_active ());
    CHECK_DEPTH (l, 0);
    l.run ();
    CHECK_EQ_INT (repeat_calls, 2);
    CHECK (!t3.is_active ());
    CHECK_DEPTH (l, 0);

    /* the loop is in a normal state: a timer fires at the right time */
    thrower_calls = 1;            /* no more throwing */
    ev::tstamp t0 = ev_time ();
    t1.start (0.02);
    l.run ();
    CHECK_EQ_INT (thrower_calls, 2);
    CHECK (ev_time () - t0 >= 0.019);
    CHECK_EQ_INT (guard_fired, 0);
    l.ref ();
    guard.stop ();
  }

  /* ---- 2 ---- */
  {
    ev::default_loop dl;
    int p[2];
    CHECK_EQ_INT (pipe (p), 0);
    ev::io w (dl);
    w.set<io_fn> ();
    w.start (p[0], ev::READ);
    CHECK_EQ_INT (write (p[1], "a", 1), 1);
    int caught = 0;
    try
      {
        dl.run ();
      }
    catch (const Boom &b)
      {
        caught = b.code;
      }
    CHECK_EQ_INT (caught, 2);
    CHECK_DEPTH (dl, 0);
    CHECK (w.is_active ());
    CHECK_EQ_INT (write (p[1], "b", 1), 1);
    dl.run ();                    /* second event: callback stops the watcher */
    CHECK_EQ_INT (io_calls, 2);
    CHECK_DEPTH (dl, 0);
    close (p[0]);
    close (p[1]);
  }

  /* ---- 3 ---- */
  {
    ev::dynamic_loop l;
    ev::idle outer (l);
    ev::timer inner (l);
    outer.set<nested_outer_fn> ();
    inner.set<nested_inner_fn> ();
    outer.start ();
    inner.start (0.001);
    destroyed = 0;
    int caught = 0;
    try
      {
        l.run ();
      }
    catch (const Boom &b)
      {
        caught = b.code;
      }
    CHECK_EQ_INT (caught, 3);
    CHECK_EQ_INT (nested_outer_calls, 1);
    CHECK_EQ_INT (nested_inner_calls, 1);
    CHECK_EQ_INT (nested_depth, 2);
    CHECK_EQ_INT (destroyed, 1);  /* the outer callback's local object */
    CHECK_DEPTH (l, 0);
    /* usable again */
    ev::idle id (l);
    after_calls = 0;
    id.set<after_fn> ();
    id.start ();
    l.run ();
    CHECK_EQ_INT (after_calls, 1);
    CHECK_DEPTH (l, 0);
  }

  /* ---- 4 ---- */
  {
    ev::dynamic_loop l;
    ev_idle w;
    ev_idle_init (&w, invoke_cb);
    int caught = 0;
    try
      {
        ev_invoke (l, &w, EV_CUSTOM);
      }
    catch (const Boom &b)
      {
        caught = b.code;
      }
    CHECK_EQ_INT (caught, EV_CUSTOM);
    CHECK_EQ_INT (l.depth (), 0);
  }

  /* ---- 5 ---- */
  {
    ev::dynamic_loop l;
    ev_set_invoke_pending_cb (l, custom_invoke);
    ev::timer t (l);
    thrower_calls = 0;
    t.set<thrower_fn> ();
    t.start (0.);
    destroyed = 0;
    int caught = 0;
    try
      {
        l.run ();
      }
    catch (const Boom &b)
      {
        caught = b.code;
      }
    CHECK_EQ_INT (caught, 1);
    CHECK (custom_invokes >= 1);
    /* one local object per custom_invoke call (ev_run calls it on entry
       too) plus the callback's */
    CHECK_EQ_INT (destroyed, custom_invokes + 1);
    CHECK_DEPTH (l, 0);
    CHECK (!t.is_pending ());
    if (strict_depth)
      CHECK_EQ_INT (ev_pending_count (l), 0);
    t.start (0.);
    l.run ();                     /* the second call does not throw */
    CHECK_EQ_INT (thrower_calls, 2);
    CHECK_DEPTH (l, 0);
  }

  /* ---- 6 ---- */
  {
    struct ev_loop *l = ev_loop_new (0);
    CHECK (l != 0);
    ev_cleanup c;
    ev_cleanup_init (&c, cleanup_cb);
    ev_cleanup_start (l, &c);
    int caught = 0;
    try
      {
        ev_loop_destroy (l);
      }
    catch (const Boom &b)
      {
        caught = b.code;
      }
    CHECK_EQ_INT (caught, 6);
    CHECK_EQ_INT (cleanup_calls, 1);
    ev_loop_destroy (l);          /* this time the cleanup returns */
    CHECK_EQ_INT (cleanup_calls, 2);
  }

  CHECK_EQ_INT (alive, 0);
  ev_loop_destroy (EV_DEFAULT);
  TEST_DONE ();
}
