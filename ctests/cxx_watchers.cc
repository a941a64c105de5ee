/*
 * ev++.h watcher classes with every kind of callback binding:
 *  - set<function> (function (watcher &, revents), optional data pointer),
 *  - set<K, &K::method> (object->method (watcher &, revents)),
 *  - set<K> (object) (K::operator () (watcher &, revents): a functor),
 *  - set<K, &K::method> with a method without arguments;
 * on io (pipe readiness; set (fd, events), set (events) on an active watcher
 * re-arms it through the freeze guard), timer (start/again/remaining),
 * periodic, sig, child, stat, idle, prepare, check, fork, async, embed.
 * Also: is_active/is_pending, feed_event, the destructor stopping an
 * active watcher, the watcher's loop binding (constructor argument and
 * set (struct ev_loop *)), and base::operator() invoking the callback.
 */
#include <ev++.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include "testutil.h"

static int fn_calls, fn_revents;
static void *fn_data;

static void
io_function (ev::io &w, int revents)
{
  char buf[16];
  fn_calls++;
  fn_revents = revents;
  fn_data = w.data;
  if (revents & ev::READ)
    CHECK (read (w.fd, buf, sizeof buf) > 0);
  w.stop ();
}

struct Counter
{
  int timer_calls, timer_revents;
  int idle_calls;
  int noargs_calls;
  int check_calls, prepare_calls;
  int async_calls;
  int sig_calls, sig_signum;
  int child_calls, child_status, child_pid;

  void on_timer (ev::timer &w, int revents)
  {
    timer_calls++;
    timer_revents = revents;
    (void) w;
  }

  void noargs ()
  {
    noargs_calls++;
  }

  void on_check (ev::check &w, int revents)
  {
    CHECK_EQ_INT (revents, ev::CHECK);
    check_calls++;
    (void) w;
  }

  void on_prepare (ev::prepare &w, int revents)
  {
    CHECK_EQ_INT (revents, ev::PREPARE);
    prepare_calls++;
    (void) w;
  }

  void on_async (ev::async &w, int revents)
  {
    CHECK_EQ_INT (revents, ev::ASYNC);
    async_calls++;
    w.loop.break_loop ();
  }

  void on_sig (ev::sig &w, int revents)
  {
    CHECK_EQ_INT (revents, ev::SIGNAL);
    sig_calls++;
    sig_signum = w.signum;
    w.stop ();
  }

  void on_child (ev::child &w, int revents)
  {
    CHECK_EQ_INT (revents, ev::CHILD);
    child_calls++;
    child_pid = w.rpid;
    child_status = w.rstatus;
    w.stop ();
  }
};

struct IdleFunctor
{
  int calls;
  void operator() (ev::idle &w, int revents)
  {
    CHECK_EQ_INT (revents, ev::IDLE);
    if (++calls == 3)
      w.stop ();
  }
};

struct StatFunctor
{
  int calls;
  void operator() (ev::stat &w, int revents)
  {
    CHECK_EQ_INT (revents, ev::STAT);
    calls++;
    w.loop.break_loop ();
  }
};

static int periodic_calls;
static void
periodic_fn (ev::periodic &w, int revents)
{
  CHECK_EQ_INT (revents, ev::PERIODIC);
  periodic_calls++;
  w.stop ();
}

static int guard_fired;
static void
guard_fn (ev::timer &w, int revents)
{
  (void) revents;
  guard_fired++;
  w.loop.break_loop (ev::ALL);
}

static int direct_calls, direct_revents;
static void
direct_fn (ev::idle &w, int revents)
{
  (void) w;
  direct_calls++;
  direct_revents = revents;
}

/* runs the loop until nothing but the guard timer is active (the guard is
   not counted: unref); the guard breaks out of a hung run */
static void
run_guarded (ev::loop_ref l, ev::timer &guard, double seconds)
{
  guard.start (seconds);
  l.unref ();
  l.run ();
  l.ref ();
  guard.stop ();
}

static int embed_inner_calls, embed_io_calls;
static struct ev_loop *outer_loop;
static void
embed_inner_fn (ev::timer &w, int revents)
{
  (void) revents;
  embed_inner_calls++;
  (void) w;
}

static void
embed_io_fn (ev::io &w, int revents)
{
  char buf[8];
  CHECK_EQ_INT (revents, ev::READ);
  CHECK (read (w.fd, buf, sizeof buf) > 0);
  embed_io_calls++;
  ev_break (outer_loop, EVBREAK_ONE);            /* the embedding loop */
}

int
main ()
{
  ALARM_GUARD (10);
  ev::default_loop dl;
  struct ev_loop *raw = dl;
  Counter c = Counter ();

  /* a watchdog for every run below */
  ev::timer guard (dl);
  guard.set<guard_fn> ();

  /* ---- io + set<function> with data; set (events) while active ---- */
  {
    int p[2];
    CHECK_EQ_INT (pipe (p), 0);
    ev::io w;                                    /* default loop */
    CHECK (w.loop == dl);
    int tag;
    w.set<io_function> (&tag);
    CHECK (w.data == &tag);
    w.set (p[0], ev::WRITE);
    w.start ();
    CHECK (w.is_active ());
    w.set (ev::READ);                            /* re-armed via freeze_guard */
    CHECK (w.is_active ());
    CHECK_EQ_INT (w.events & (ev::READ | ev::WRITE), ev::READ);
    CHECK_EQ_INT (w.fd, p[0]);
    CHECK_EQ_INT (write (p[1], "x", 1), 1);
    run_guarded (dl, guard, 2.);
    CHECK_EQ_INT (fn_calls, 1);
    CHECK_EQ_INT (fn_revents, ev::READ);
    CHECK (fn_data == &tag);
    CHECK (!w.is_active ());

    /* start (fd, events) and the destructor stopping an active watcher */
    {
      ev::io w2 (dl);
      w2.set<io_function> ();
      w2.start (p[0], ev::READ);
      CHECK (w2.is_active ());
    }
    /* nothing may be left active: a NOWAIT run returns immediately and the
       destroyed watcher is never called */
    CHECK_EQ_INT (write (p[1], "y", 1), 1);
    dl.run (ev::NOWAIT);
    CHECK_EQ_INT (fn_calls, 1);
    close (p[0]);
    close (p[1]);
  }

  /* ---- timer + set<K, &K::method>; again; remaining ---- */
  {
    ev::timer t (dl);
    t.set<Counter, &Counter::on_timer> (&c);
    CHECK (t.data == &c);
    t.start (0.01);
    CHECK (t.is_active ());
    CHECK (t.remaining () > 0. && t.remaining () <= 0.01 + 1e-6);
    run_guarded (dl, guard, 2.);
    CHECK_EQ_INT (c.timer_calls, 1);
    CHECK_EQ_INT (c.timer_revents, ev::TIMER);
    CHECK (!t.is_active ());
    t.set (0., 0.02);
    t.again ();                                  /* repeat only */
    CHECK (t.is_active ());
    CHECK_NEAR (t.repeat, 0.02, 1e-9);
    t.stop ();
    CHECK (!t.is_active ());

    /* a method without arguments */
    ev::timer t2 (dl);
    t2.set<Counter, &Counter::noargs> (&c);
    t2.start (0.001);
    run_guarded (dl, guard, 2.);
    CHECK_EQ_INT (c.noargs_calls, 1);
  }

  /* ---- idle + functor; prepare/check + methods ---- */
  {
    IdleFunctor f = IdleFunctor ();
    ev::idle id (dl);
    id.set ();                                   /* no-op */
    id.set (&f);                                 /* K::operator () */
    ev::prepare pr (dl);
    pr.set<Counter, &Counter::on_prepare> (&c);
    ev::check ck (dl);
    ck.set<Counter, &Counter::on_check> (&c);
    pr.start ();
    ck.start ();
    id.start ();
    guard.start (2.);
    /* runs while the idle watcher is active; then only prepare/check/guard
       are left, which keep the loop alive: break by hand */
    while (id.is_active ())
      dl.run (ev::ONCE);
    guard.stop ();
    CHECK_EQ_INT (f.calls, 3);
    CHECK (c.prepare_calls >= 3);
    CHECK (c.check_calls >= 3);
    pr.stop ();
    ck.stop ();
  }

  /* ---- feed_event, is_pending ---- */
  {
    ev::idle w (dl);
    w.set<direct_fn> ();
    CHECK (!w.is_pending ());
    w.feed_event (ev::IDLE);
    CHECK (w.is_pending ());
    CHECK (!w.is_active ());
    dl.run (ev::NOWAIT);
    CHECK (!w.is_pending ());
    CHECK_EQ_INT (direct_calls, 1);
    CHECK_EQ_INT (direct_revents, ev::IDLE);
  }

  /* ---- periodic + set<function>; again ---- */
  {
    ev::periodic p (dl);
    p.set<periodic_fn> ();
    p.start (dl.now () + 0.01);
    CHECK (p.is_active ());
    run_guarded (dl, guard, 2.);
    CHECK_EQ_INT (periodic_calls, 1);
    CHECK (!p.is_active ());
    p.set (0., 3600.);                           /* every hour on the hour */
    p.again ();
    CHECK (p.is_active ());
    CHECK (ev_periodic_at (static_cast<ev_periodic *> (&p)) > dl.now ());
    p.stop ();
  }

  /* ---- sig ---- */
  {
    ev::sig s (dl);
    s.set<Counter, &Counter::on_sig> (&c);
    s.start (SIGUSR1);
    CHECK (s.is_active ());
    CHECK_EQ_INT (raise (SIGUSR1), 0);
    run_guarded (dl, guard, 2.);
    CHECK_EQ_INT (c.sig_calls, 1);
    CHECK_EQ_INT (c.sig_signum, SIGUSR1);
  }

  /* ---- child (default loop) ---- */
  {
    ev::child ch (dl);
    ch.set<Counter, &Counter::on_child> (&c);
    fflush (NULL);
    pid_t pid = fork ();
    if (pid == 0)
      _exit (7);
    CHECK (pid > 0);
    ch.start (pid);
    run_guarded (dl, guard, 5.);
    CHECK_EQ_INT (c.child_calls, 1);
    CHECK_EQ_INT (c.child_pid, pid);
    CHECK (WIFEXITED (c.child_status) && WEXITSTATUS (c.child_status) == 7);
  }

  /* ---- stat + functor; update ---- */
  {
    const char *path = "cxx_watchers.stat";      /* cwd is the scratch dir */
    int fd = open (path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    CHECK (fd >= 0);
    StatFunctor sf = StatFunctor ();
    ev::stat st (dl);
    st.set (&sf);
    st.start (path, 0.01);
    CHECK (st.is_active ());
    CHECK_EQ_INT (st.attr.st_nlink, 1);
    CHECK_EQ_INT (st.attr.st_size, 0);
    CHECK_EQ_INT (write (fd, "hello", 5), 5);
    close (fd);
    run_guarded (dl, guard, 3.);
    CHECK (sf.calls >= 1);
    st.update ();
    CHECK_EQ_INT (st.attr.st_size, 5);
    st.stop ();
    unlink (path);
  }

  /* ---- fork watcher ---- */
  {
    ev::fork fk (dl);
    fk.set ();
    fk.set<Counter, &Counter::noargs> (&c);
    int before = c.noargs_calls;
    fk.start ();
    dl.post_fork ();
    dl.run (ev::NOWAIT);
    CHECK_EQ_INT (c.noargs_calls, before + 1);
    fk.stop ();
  }

  /* ---- async ---- */
  {
    ev::async a (dl);
    a.set<Counter, &Counter::on_async> (&c);
    a.start ();
    CHECK (!a.async_pending ());
    a.send ();
    CHECK (a.async_pending ());
    run_guarded (dl, guard, 2.);
    CHECK_EQ_INT (c.async_calls, 1);
    CHECK (!a.async_pending ());
  }

  /* ---- binding a watcher to another loop with set (struct ev_loop *) ---- */
  {
    ev::dynamic_loop other;
    ev::idle w;
    CHECK (w.loop == dl);
    w.set (other);
    CHECK (w.loop == other);
    CHECK (w.loop != dl);
    w.set<direct_fn> ();
    w.start ();
    dl.run (ev::NOWAIT);
    CHECK_EQ_INT (direct_calls, 1);              /* not on the default loop */
    other.run (ev::NOWAIT);
    CHECK_EQ_INT (direct_calls, 2);
    w.stop ();
  }

  /* ---- embed: an epoll loop embedded into the default loop ---- */
  if ((ev::embeddable_backends () & ev::supported_backends () & ev::EPOLL))
    {
      ev::dynamic_loop inner (ev::EPOLL | ev::NOENV);
      ev::embed e (dl);
      e.set_embed (inner);
      CHECK (e.other == (struct ev_loop *) inner);
      e.start ();                                /* no callback: automatic sweep */
      CHECK (e.is_active ());
      /* inner io: its readiness makes the inner epoll fd readable, the
         embed watcher sweeps the inner loop automatically */
      int p[2];
      CHECK_EQ_INT (pipe (p), 0);
      outer_loop = dl;
      ev::io iio (inner);
      iio.set<embed_io_fn> ();
      iio.start (p[0], ev::READ);
      CHECK_EQ_INT (write (p[1], "e", 1), 1);
      run_guarded (dl, guard, 2.);
      CHECK_EQ_INT (embed_io_calls, 1);
      iio.stop ();
      close (p[0]);
      close (p[1]);
      /* inner timers only run when the inner loop is swept */
      ev::timer it (inner);
      it.set<embed_inner_fn> ();
      it.start (0.001);
      ev::delay (0.01);
      e.sweep ();
      CHECK_EQ_INT (embed_inner_calls, 1);
      e.stop ();
      it.stop ();
    }

  CHECK_EQ_INT (guard_fired, 0);
  CHECK_EQ_INT (ev_depth (raw), 0);
  TEST_DONE ();
}
