/*
 * ev++.h loops: ev::dynamic_loop (own loops, independent of each other and
 * of the default loop, destroyed by the destructor - which runs the loop's
 * cleanup watchers), ev::default_loop, ev::get_default_loop, ev::bad_loop
 * thrown for a backend the system lacks, and the ev::loop_ref methods:
 * run/break_loop, loop/unloop (EV_COMPAT3), ref/unref, now, iteration,
 * depth, backend, is_default, comparisons and conversions, the five once()
 * forms, feed_fd_event, feed_signal_event, post_fork in a forked child, the
 * collect intervals; and the free functions (version, backends, delay, now).
 */
#include <ev++.h>
#include <exception>
#include <type_traits>
#include "testutil.h"

static_assert (!std::is_copy_constructible<ev::dynamic_loop>::value, "dynamic_loop is not copyable");
static_assert (sizeof (ev::loop_ref) == sizeof (struct ev_loop *), "loop_ref is one pointer");

static int cleanups;
static void
cleanup_cb (struct ev_loop *loop, ev_cleanup *w, int revents)
{
  (void) loop;
  (void) w;
  CHECK_EQ_INT (revents, EV_CLEANUP);
  cleanups++;
}

static int timer_a, timer_b;
static void a_fn (ev::timer &w, int) { timer_a++; (void) w; }
static void b_fn (ev::timer &w, int) { timer_b++; (void) w; }

static int depth_seen;
static unsigned int iter_seen;
static void
depth_fn (ev::idle &w, int)
{
  depth_seen = w.loop.depth ();
  iter_seen = w.loop.iteration ();
  w.loop.break_loop (ev::ONE);
}

static int compat_calls;
static void
compat_fn (ev::idle &w, int)
{
  compat_calls++;
  w.loop.unloop (ev::ALL);
}

/* the five ev_once forms */
static int once_c, once_c_rev, once_simple, once_simplest;
static void *once_c_arg;
static void c_once (int revents, void *arg) { once_c++; once_c_rev = revents; once_c_arg = arg; }
static void simple_once (int revents) { CHECK_EQ_INT (revents, ev::TIMER); once_simple++; }
static void simplest_once () { once_simplest++; }
struct OnceHandler
{
  int method_calls, noargs_calls, functor_calls, last_revents;
  void method (int revents) { method_calls++; last_revents = revents; }
  void noargs () { noargs_calls++; }
  void operator() (int revents) { functor_calls++; last_revents = revents; }
};

static int fed_io, fed_io_rev, fed_sig;
static void fed_io_fn (ev::io &w, int revents) { fed_io++; fed_io_rev = revents; w.stop (); }
static void fed_sig_fn (ev::sig &w, int revents) { CHECK_EQ_INT (revents, ev::SIGNAL); fed_sig++; w.stop (); }

static int child_io;
static void child_io_fn (ev::io &w, int) { child_io++; w.stop (); }

int
main ()
{
  ALARM_GUARD (10);

  CHECK_EQ_INT (ev::version_major (), 4);
  CHECK (ev::version_minor () >= 33);
  CHECK ((ev::recommended_backends () & ~ev::supported_backends ()) == 0);
  CHECK (ev::supported_backends () & ev::SELECT);

  /* bad_loop: kqueue does not exist on Linux; also for the default loop,
     which stays uncreated and can be created afterwards */
  int thrown = 0;
  try
    {
      ev::dynamic_loop bad (ev::KQUEUE | ev::NOENV);
    }
  catch (const ev::bad_loop &e)
    {
      thrown++;
      CHECK (e.what () && *e.what ());
    }
  CHECK_EQ_INT (thrown, 1);
  try
    {
      ev::default_loop bad (ev::KQUEUE | ev::NOENV);
    }
  catch (const std::exception &e)        /* bad_loop is a std::exception */
    {
      thrown++;
    }
  CHECK_EQ_INT (thrown, 2);
  CHECK (ev_default_loop_uc_ () == 0);

  ev::default_loop dl;
  CHECK (dl.is_default ());
  CHECK (dl == ev::get_default_loop ());
  CHECK (dl == (const struct ev_loop *) ev_default_loop (0));
  CHECK (dl.raw_loop == ev_default_loop_uc_ ());
  CHECK (dl.backend () != 0);

  /* ---- two dynamic loops ---- */
  {
    ev::dynamic_loop a, b;
    CHECK (a != b);
    CHECK (a != dl);
    CHECK (!a.is_default ());
    CHECK (a != (const struct ev_loop *) b);
    CHECK (a == (const struct ev_loop *) a.raw_loop);
    struct ev_loop *ra = a;
    const struct ev_loop *cra = a;
    CHECK (ra == cra && ra == a.raw_loop);
    CHECK (a.backend () == dl.backend ());       /* both from LIBEV_FLAGS */
    CHECK (ev::now (a) == a.now ());

    ev_cleanup cl;
    ev_cleanup_init (&cl, cleanup_cb);
    ev_cleanup_start (a, &cl);

    ev::timer ta (a), tb (b);
    ta.set<a_fn> ();
    tb.set<b_fn> ();
    ta.start (0.001);
    tb.start (0.001);
    ev::delay (0.005);
    a.run ();                                   /* only a's timer */
    CHECK_EQ_INT (timer_a, 1);
    CHECK_EQ_INT (timer_b, 0);
    b.run ();
    CHECK_EQ_INT (timer_b, 1);

    /* depth and iteration inside a callback, break_loop */
    ev::idle id (a);
    id.set<depth_fn> ();
    id.start ();
    unsigned int it0 = a.iteration ();
    a.run ();
    CHECK_EQ_INT (depth_seen, 1);
    CHECK (iter_seen >= it0);
    CHECK (a.iteration () > it0);
    CHECK_EQ_INT (a.depth (), 0);
    id.stop ();

    /* libev 3 names */
    id.set<compat_fn> ();
    id.start ();
    a.loop ();
    CHECK_EQ_INT (compat_calls, 1);
    id.stop ();

    /* unref: an unreferenced timer does not keep run () going */
    ev::timer far (a);
    far.set<a_fn> ();
    far.start (100.);
    a.unref ();
    ev::tstamp t0 = ev_time ();
    a.run ();
    CHECK (ev_time () - t0 < 1.);
    a.ref ();
    far.stop ();

    a.set_io_collect_interval (0.);
    a.set_timeout_collect_interval (0.);

    /* once: every form, on loop b */
    OnceHandler h = OnceHandler ();
    int tag;
    b.once (-1, 0, 0.001, c_once, &tag);
    b.once<OnceHandler, &OnceHandler::method> (-1, 0, 0.001, &h);
    b.once<OnceHandler, &OnceHandler::noargs> (-1, 0, 0.001, &h);
    b.once<OnceHandler> (-1, 0, 0.001, &h);
    b.once<simple_once> (-1, 0, 0.001);
    b.once<simplest_once> (-1, 0, 0.001);
    b.run ();
    CHECK_EQ_INT (once_c, 1);
    CHECK_EQ_INT (once_c_rev, ev::TIMER);
    CHECK (once_c_arg == &tag);
    CHECK_EQ_INT (h.method_calls, 1);
    CHECK_EQ_INT (h.noargs_calls, 1);
    CHECK_EQ_INT (h.functor_calls, 1);
    CHECK_EQ_INT (h.last_revents, ev::TIMER);
    CHECK_EQ_INT (once_simple, 1);
    CHECK_EQ_INT (once_simplest, 1);

    /* once on an fd */
    int p[2];
    CHECK_EQ_INT (pipe (p), 0);
    CHECK_EQ_INT (write (p[1], "x", 1), 1);
    b.once (p[0], ev::READ, 5., c_once, 0);
    b.run ();
    CHECK_EQ_INT (once_c, 2);
    CHECK_EQ_INT (once_c_rev, ev::READ);

    /* feed_fd_event: no real readiness needed (p[1] is a write end) */
    ev::io fio (b);
    fio.set<fed_io_fn> ();
    fio.start (p[1], ev::READ);
    b.feed_fd_event (p[1], ev::READ);
    b.run ();
    CHECK_EQ_INT (fed_io, 1);
    CHECK_EQ_INT (fed_io_rev, ev::READ);

    /* feed_signal_event */
    ev::sig fs (b);
    fs.set<fed_sig_fn> ();
    fs.start (SIGUSR2);
    b.feed_signal_event (SIGUSR2);
    b.run ();
    CHECK_EQ_INT (fed_sig, 1);

    /* post_fork: the child re-creates the kernel state and keeps working */
    ev::io cio (b);
    cio.set<child_io_fn> ();
    cio.start (p[0], ev::READ);
    fflush (NULL);
    pid_t pid = fork ();
    if (pid == 0)
      {
        alarm (2);
        b.post_fork ();
        b.run ();
        _exit (child_io == 1 ? 0 : 3);
      }
    CHECK (pid > 0);
    int st = 0;
    CHECK_EQ_INT (waitpid (pid, &st, 0), pid);
    /* libev 4.33's own io_uring backend loses the io watcher in the forked
       child (it hangs until the alarm): not held against the test there */
    const char *way = getenv ("CTEST_WAY"), *be = getenv ("CTEST_BACKEND");
    if (way && be && !strcmp (way, "ref") && !strcmp (be, "io_uring"))
      fprintf (stderr, "note: reference io_uring after post_fork: child status %#x\n", st);
    else
      CHECK (WIFEXITED (st) && WEXITSTATUS (st) == 0);
    cio.stop ();
    close (p[0]);
    close (p[1]);

    CHECK_EQ_INT (cleanups, 0);
  }
  /* a's destructor ran ev_loop_destroy: its cleanup watcher ran once */
  CHECK_EQ_INT (cleanups, 1);

  /* many loops at once */
  {
    ev::dynamic_loop *loops[16];
    for (int i = 0; i < 16; i++)
      loops[i] = new ev::dynamic_loop;
    for (int i = 0; i < 16; i++)
      {
        loops[i]->once<simplest_once> (-1, 0, 0.);
        loops[i]->run ();
      }
    CHECK_EQ_INT (once_simplest, 17);
    for (int i = 0; i < 16; i++)
      delete loops[i];
  }

  CHECK_EQ_INT (dl.depth (), 0);
  TEST_DONE ();
}
