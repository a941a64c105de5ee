/*
 * ev++.h -- C++ interface of the Rust reimplementation of libev 4.33.
 *
 * Header-only: every class below is a thin inline wrapper around the C API
 * of ev.h, so nothing of it is exported by libev.so.4.  Source compatible
 * with libev 4.33's ev++.h: the same namespace (ev), classes, members,
 * templates, enumerators and (C++17) function types.  Written from the
 * interface description in shared/abi/macros.md, section 9.
 *
 * Differences from libev 4.33's ev++.h, all of them in code that did not
 * compile or misbehaved there:
 *   - base::operator()(int) invokes the callback with the watcher's loop
 *     (libev's version omits the loop argument and does not compile);
 *   - embed::start(struct ev_loop *) sets the loop to embed, then starts the
 *     watcher (libev's version rebinds the watcher's own loop instead);
 *   - bad_loop::what() is declared throw() before C++11, so the header also
 *     compiles as C++98.
 *
 * Configuration, as in libev: define EV_H to the ev.h to include (default
 * "ev.h", found next to this file), EV_USE_STDEXCEPT to 0 to keep
 * ev::bad_loop from deriving from std::exception.
 */
#ifndef EVPP_H__
#define EVPP_H__

#ifdef EV_H
# include EV_H
#else
# include "ev.h"
#endif

#if !EV_MULTIPLICITY
# error "ev++.h needs EV_MULTIPLICITY: every libev function takes a loop argument"
#endif

#ifndef EV_USE_STDEXCEPT
# define EV_USE_STDEXCEPT 1
#endif

#if EV_USE_STDEXCEPT
# include <stdexcept>
#endif

/* what()'s exception specification must match std::exception's */
#if __cplusplus >= 201103L
# define EVPP_WHAT_NOTHROW noexcept
#else
# define EVPP_WHAT_NOTHROW throw ()
#endif

/* throwing ev::bad_loop, or aborting when exceptions are switched off */
#if defined __cpp_exceptions || defined __EXCEPTIONS
# define EVPP_THROW_BAD_LOOP() throw bad_loop ()
#else
# include <stdlib.h>
# define EVPP_THROW_BAD_LOOP() abort ()
#endif

namespace ev {

  typedef ev_tstamp tstamp;

  /* event masks (the EV_* values) */
  enum {
    UNDEF    = EV_UNDEF,
    NONE     = EV_NONE,
    READ     = EV_READ,
    WRITE    = EV_WRITE,
#if EV_COMPAT3
    TIMEOUT  = EV_TIMEOUT,
#endif
    TIMER    = EV_TIMER,
    PERIODIC = EV_PERIODIC,
    SIGNAL   = EV_SIGNAL,
    CHILD    = EV_CHILD,
    STAT     = EV_STAT,
    IDLE     = EV_IDLE,
    CHECK    = EV_CHECK,
    PREPARE  = EV_PREPARE,
    FORK     = EV_FORK,
    ASYNC    = EV_ASYNC,
    EMBED    = EV_EMBED,
#undef ERROR /* some system headers define it */
    ERROR    = EV_ERROR
  };

  /* loop flags and backends (EVFLAG_*, EVBACKEND_*) */
  enum {
    AUTO      = EVFLAG_AUTO,
    NOENV     = EVFLAG_NOENV,
    FORKCHECK = EVFLAG_FORKCHECK,

    SELECT    = EVBACKEND_SELECT,
    POLL      = EVBACKEND_POLL,
    EPOLL     = EVBACKEND_EPOLL,
    KQUEUE    = EVBACKEND_KQUEUE,
    DEVPOLL   = EVBACKEND_DEVPOLL,
    PORT      = EVBACKEND_PORT
  };

  /* flags of run () */
  enum {
#if EV_COMPAT3
    NONBLOCK = EVLOOP_NONBLOCK,
    ONESHOT  = EVLOOP_ONESHOT,
#endif
    NOWAIT   = EVRUN_NOWAIT,
    ONCE     = EVRUN_ONCE
  };

  /* argument of break_loop () */
  enum how_t {
    ONE = EVBREAK_ONE,
    ALL = EVBREAK_ALL
  };

  /* thrown when a loop cannot be created */
  struct bad_loop
#if EV_USE_STDEXCEPT
    : std::exception
#endif
  {
    const char *what () const EVPP_WHAT_NOTHROW
    {
      return "libev: the event loop could not be created (unusable LIBEV_FLAGS or backend flags?)";
    }
  };

  /* a non-owning handle to a loop */
  struct loop_ref
  {
    loop_ref (struct ev_loop *loop_) EV_NOEXCEPT
      : raw_loop (loop_)
    {
    }

    bool operator== (const loop_ref &other) const EV_NOEXCEPT
    {
      return raw_loop == other.raw_loop;
    }

    bool operator!= (const loop_ref &other) const EV_NOEXCEPT
    {
      return !(*this == other);
    }

    bool operator== (const struct ev_loop *other) const EV_NOEXCEPT
    {
      return raw_loop == other;
    }

    bool operator!= (const struct ev_loop *other) const EV_NOEXCEPT
    {
      return !(*this == other);
    }

    operator struct ev_loop * () const EV_NOEXCEPT
    {
      return raw_loop;
    }

    operator const struct ev_loop * () const EV_NOEXCEPT
    {
      return raw_loop;
    }

    /* like libev: compares with ev_default_loop (0), which creates the
       default loop when there is none yet */
    bool is_default () const EV_NOEXCEPT
    {
      return raw_loop == ev_default_loop (0);
    }

#if EV_COMPAT3
    void loop (int flags = 0)
    {
      ev_run (raw_loop, flags);
    }

    void unloop (how_t how = ONE) EV_NOEXCEPT
    {
      ev_break (raw_loop, how);
    }
#endif

    /* not noexcept: exceptions thrown by callbacks pass through */
    void run (int flags = 0)
    {
      ev_run (raw_loop, flags);
    }

    void break_loop (how_t how = ONE) EV_NOEXCEPT
    {
      ev_break (raw_loop, how);
    }

    void post_fork () EV_NOEXCEPT
    {
      ev_loop_fork (raw_loop);
    }

    unsigned int backend () const EV_NOEXCEPT
    {
      return ev_backend (raw_loop);
    }

    tstamp now () const EV_NOEXCEPT
    {
      return ev_now (raw_loop);
    }

    void ref () EV_NOEXCEPT
    {
      ev_ref (raw_loop);
    }

    void unref () EV_NOEXCEPT
    {
      ev_unref (raw_loop);
    }

    unsigned int iteration () const EV_NOEXCEPT
    {
      return ev_iteration (raw_loop);
    }

    unsigned int depth () const EV_NOEXCEPT
    {
      return ev_depth (raw_loop);
    }

    void set_io_collect_interval (tstamp interval) EV_NOEXCEPT
    {
      ev_set_io_collect_interval (raw_loop, interval);
    }

    void set_timeout_collect_interval (tstamp interval) EV_NOEXCEPT
    {
      ev_set_timeout_collect_interval (raw_loop, interval);
    }

    /* ev_once with a C callback */
    void once (int fd, int events, tstamp timeout, void (*cb)(int, void *), void *arg = 0) EV_NOEXCEPT
    {
      ev_once (raw_loop, fd, events, timeout, cb, arg);
    }

    /* ev_once calling object->method (revents) */
    template<class K, void (K::*method)(int)>
    void once (int fd, int events, tstamp timeout, K *object) EV_NOEXCEPT
    {
      once (fd, events, timeout, method_thunk<K, method>, object);
    }

    /* ev_once calling (*object) (revents) */
    template<class K>
    void once (int fd, int events, tstamp timeout, K *object) EV_NOEXCEPT
    {
      once (fd, events, timeout, method_thunk<K, &K::operator ()>, object);
    }

    template<class K, void (K::*method)(int)>
    static void method_thunk (int revents, void *arg)
    {
      (static_cast<K *> (arg)->*method) (revents);
    }

    /* ev_once calling object->method () */
    template<class K, void (K::*method)()>
    void once (int fd, int events, tstamp timeout, K *object) EV_NOEXCEPT
    {
      once (fd, events, timeout, method_noargs_thunk<K, method>, object);
    }

    template<class K, void (K::*method)()>
    static void method_noargs_thunk (int revents, void *arg)
    {
      (void) revents;
      (static_cast<K *> (arg)->*method) ();
    }

    /* ev_once calling cb (revents) */
    template<void (*cb)(int)>
    void once (int fd, int events, tstamp timeout) EV_NOEXCEPT
    {
      once (fd, events, timeout, simpler_func_thunk<cb>);
    }

    template<void (*cb)(int)>
    static void simpler_func_thunk (int revents, void *arg)
    {
      (void) arg;
      cb (revents);
    }

    /* ev_once calling cb () */
    template<void (*cb)()>
    void once (int fd, int events, tstamp timeout) EV_NOEXCEPT
    {
      once (fd, events, timeout, simplest_func_thunk<cb>);
    }

    template<void (*cb)()>
    static void simplest_func_thunk (int revents, void *arg)
    {
      (void) revents;
      (void) arg;
      cb ();
    }

    void feed_fd_event (int fd, int revents) EV_NOEXCEPT
    {
      ev_feed_fd_event (raw_loop, fd, revents);
    }

    void feed_signal_event (int signum) EV_NOEXCEPT
    {
      ev_feed_signal_event (raw_loop, signum);
    }

    struct ev_loop *raw_loop;
  };

  /* a loop of its own, destroyed with the object */
  struct dynamic_loop : loop_ref
  {
    dynamic_loop (unsigned int flags = AUTO)
      : loop_ref (ev_loop_new (flags))
    {
      if (!raw_loop)
        EVPP_THROW_BAD_LOOP ();
    }

    ~dynamic_loop () EV_NOEXCEPT
    {
      ev_loop_destroy (raw_loop);
      raw_loop = 0;
    }

  private:
    dynamic_loop (const dynamic_loop &);            /* not copyable */
    dynamic_loop &operator= (const dynamic_loop &);
  };

  /* the default loop; never destroyed by this object */
  struct default_loop : loop_ref
  {
    default_loop (unsigned int flags = AUTO)
      : loop_ref (ev_default_loop (flags))
    {
      if (!raw_loop)
        EVPP_THROW_BAD_LOOP ();
    }

  private:
    default_loop (const default_loop &);            /* not copyable */
    default_loop &operator= (const default_loop &);
  };

  inline loop_ref
  get_default_loop () EV_NOEXCEPT
  {
    return ev_default_loop (0);
  }

  /* common part of every watcher class: the C watcher struct, followed by
     the loop the watcher belongs to */
  template<class c_watcher, class cxx_watcher>
  struct base : c_watcher
  {
    /* stops the watcher while in scope, restarts it if it was active */
    struct freeze_guard
    {
      cxx_watcher &w;
      bool active;

      freeze_guard (cxx_watcher *self) EV_NOEXCEPT
        : w (*self), active (ev_is_active (static_cast<c_watcher *> (self)))
      {
        if (active)
          w.stop ();
      }

      ~freeze_guard ()
      {
        if (active)
          w.start ();
      }
    };

    loop_ref loop;

    /* rebinds the watcher to another loop (stop it first) */
    void set (struct ev_loop *loop_) EV_NOEXCEPT
    {
      loop = loop_;
    }

    base (loop_ref loop_) EV_NOEXCEPT
      : loop (loop_)
    {
      ev_init (this, 0);
    }

    void set_ (const void *data_, void (*cb_)(struct ev_loop *loop, c_watcher *w, int revents)) EV_NOEXCEPT
    {
      this->data = (void *) data_;
      ev_set_cb (static_cast<c_watcher *> (this), cb_);
    }

    /* callback: function (watcher &, revents); data is stored in ->data */
    template<void (*function)(cxx_watcher &w, int)>
    void set (void *data_ = 0) EV_NOEXCEPT
    {
      set_ (data_, function_thunk<function>);
    }

    template<void (*function)(cxx_watcher &w, int)>
    static void function_thunk (struct ev_loop *loop_, c_watcher *w, int revents)
    {
      (void) loop_;
      function (*static_cast<cxx_watcher *> (w), revents);
    }

    /* callback: object->method (watcher &, revents) */
    template<class K, void (K::*method)(cxx_watcher &w, int)>
    void set (K *object) EV_NOEXCEPT
    {
      set_ (object, method_thunk<K, method>);
    }

    /* callback: (*object) (watcher &, revents) */
    template<class K>
    void set (K *object) EV_NOEXCEPT
    {
      set_ (object, method_thunk<K, &K::operator ()>);
    }

    template<class K, void (K::*method)(cxx_watcher &w, int)>
    static void method_thunk (struct ev_loop *loop_, c_watcher *w, int revents)
    {
      (void) loop_;
      (static_cast<K *> (w->data)->*method) (*static_cast<cxx_watcher *> (w), revents);
    }

    /* callback: object->method () */
    template<class K, void (K::*method)()>
    void set (K *object) EV_NOEXCEPT
    {
      set_ (object, method_noargs_thunk<K, method>);
    }

    template<class K, void (K::*method)()>
    static void method_noargs_thunk (struct ev_loop *loop_, c_watcher *w, int revents)
    {
      (void) loop_;
      (void) revents;
      (static_cast<K *> (w->data)->*method) ();
    }

    /* invokes the callback directly */
    void operator() (int revents = EV_UNDEF)
    {
      c_watcher *self = static_cast<c_watcher *> (this);
      self->cb (loop, self, revents);
    }

    bool is_active () const EV_NOEXCEPT
    {
      return ev_is_active (static_cast<const c_watcher *> (this));
    }

    bool is_pending () const EV_NOEXCEPT
    {
      return ev_is_pending (static_cast<const c_watcher *> (this));
    }

    void feed_event (int revents) EV_NOEXCEPT
    {
      ev_feed_event (loop, static_cast<c_watcher *> (this), revents);
    }
  };

  inline tstamp
  now (struct ev_loop *loop) EV_NOEXCEPT
  {
    return ev_now (loop);
  }

  inline void
  delay (tstamp interval) EV_NOEXCEPT
  {
    ev_sleep (interval);
  }

  inline int
  version_major () EV_NOEXCEPT
  {
    return ev_version_major ();
  }

  inline int
  version_minor () EV_NOEXCEPT
  {
    return ev_version_minor ();
  }

  inline unsigned int
  supported_backends () EV_NOEXCEPT
  {
    return ev_supported_backends ();
  }

  inline unsigned int
  recommended_backends () EV_NOEXCEPT
  {
    return ev_recommended_backends ();
  }

  inline unsigned int
  embeddable_backends () EV_NOEXCEPT
  {
    return ev_embeddable_backends ();
  }

  inline void
  set_allocator (void *(*cb)(void *ptr, long size) EV_NOEXCEPT) EV_NOEXCEPT
  {
    ev_set_allocator (cb);
  }

  inline void
  set_syserr_cb (void (*cb)(const char *msg) EV_NOEXCEPT) EV_NOEXCEPT
  {
    ev_set_syserr_cb (cb);
  }

/*
 * The parts every watcher class has: start/stop on the watcher's loop, a
 * constructor taking the loop (default: the default loop), a destructor
 * that stops the watcher, base's set overloads, no copying.
 */
#define EVPP_WATCHER_BEGIN(cxxname, cname)                                    \
  struct cxxname : base<ev_ ## cname, cxxname>                                \
  {                                                                           \
    void start () EV_NOEXCEPT                                                 \
    {                                                                         \
      ev_ ## cname ## _start (loop, static_cast<ev_ ## cname *> (this));      \
    }                                                                         \
                                                                              \
    void stop () EV_NOEXCEPT                                                  \
    {                                                                         \
      ev_ ## cname ## _stop (loop, static_cast<ev_ ## cname *> (this));       \
    }                                                                         \
                                                                              \
    cxxname (loop_ref loop_ = get_default_loop ()) EV_NOEXCEPT                \
      : base<ev_ ## cname, cxxname> (loop_)                                   \
    {                                                                         \
    }                                                                         \
                                                                              \
    ~cxxname () EV_NOEXCEPT                                                   \
    {                                                                         \
      stop ();                                                                \
    }                                                                         \
                                                                              \
    using base<ev_ ## cname, cxxname>::set;                                   \
                                                                              \
  private:                                                                    \
    cxxname (const cxxname &);                                                \
    cxxname &operator= (const cxxname &);                                     \
                                                                              \
  public:

#define EVPP_WATCHER_END };

  EVPP_WATCHER_BEGIN (io, io)
    void set (int fd_, int events_) EV_NOEXCEPT
    {
      freeze_guard guard (this);
      ev_io_set (static_cast<ev_io *> (this), fd_, events_);
    }

    void set (int events_) EV_NOEXCEPT
    {
      /* what ev_io_modify does, parenthesised: libev's own ev_io_modify
         trips -Wparentheses when its ev.h is not a system header */
      freeze_guard guard (this);
      events = (events & EV__IOFDSET) | events_;
    }

    void start (int fd_, int events_) EV_NOEXCEPT
    {
      set (fd_, events_);
      start ();
    }
  EVPP_WATCHER_END

  EVPP_WATCHER_BEGIN (timer, timer)
    void set (ev_tstamp after_, ev_tstamp repeat_ = 0.) EV_NOEXCEPT
    {
      freeze_guard guard (this);
      ev_timer_set (static_cast<ev_timer *> (this), after_, repeat_);
    }

    void start (ev_tstamp after_, ev_tstamp repeat_ = 0.) EV_NOEXCEPT
    {
      set (after_, repeat_);
      start ();
    }

    void again () EV_NOEXCEPT
    {
      ev_timer_again (loop, static_cast<ev_timer *> (this));
    }

    ev_tstamp remaining ()
    {
      return ev_timer_remaining (loop, static_cast<ev_timer *> (this));
    }
  EVPP_WATCHER_END

#if EV_PERIODIC_ENABLE
  EVPP_WATCHER_BEGIN (periodic, periodic)
    void set (ev_tstamp at_, ev_tstamp interval_ = 0.) EV_NOEXCEPT
    {
      freeze_guard guard (this);
      ev_periodic_set (static_cast<ev_periodic *> (this), at_, interval_, 0);
    }

    void start (ev_tstamp at_, ev_tstamp interval_ = 0.) EV_NOEXCEPT
    {
      set (at_, interval_);
      start ();
    }

    void again () EV_NOEXCEPT
    {
      ev_periodic_again (loop, static_cast<ev_periodic *> (this));
    }
  EVPP_WATCHER_END
#endif

#if EV_SIGNAL_ENABLE
  EVPP_WATCHER_BEGIN (sig, signal)
    void set (int signum_) EV_NOEXCEPT
    {
      freeze_guard guard (this);
      ev_signal_set (static_cast<ev_signal *> (this), signum_);
    }

    void start (int signum_) EV_NOEXCEPT
    {
      set (signum_);
      start ();
    }
  EVPP_WATCHER_END
#endif

#if EV_CHILD_ENABLE
  EVPP_WATCHER_BEGIN (child, child)
    void set (int pid_, int trace_ = 0) EV_NOEXCEPT
    {
      freeze_guard guard (this);
      ev_child_set (static_cast<ev_child *> (this), pid_, trace_);
    }

    void start (int pid_, int trace_ = 0) EV_NOEXCEPT
    {
      set (pid_, trace_);
      start ();
    }
  EVPP_WATCHER_END
#endif

#if EV_STAT_ENABLE
  EVPP_WATCHER_BEGIN (stat, stat)
    void set (const char *path_, ev_tstamp interval_ = 0.) EV_NOEXCEPT
    {
      freeze_guard guard (this);
      ev_stat_set (static_cast<ev_stat *> (this), path_, interval_);
    }

    void start (const char *path_, ev_tstamp interval_ = 0.) EV_NOEXCEPT
    {
      stop ();
      set (path_, interval_);
      start ();
    }

    void update () EV_NOEXCEPT
    {
      ev_stat_stat (loop, static_cast<ev_stat *> (this));
    }
  EVPP_WATCHER_END
#endif

#if EV_IDLE_ENABLE
  EVPP_WATCHER_BEGIN (idle, idle)
    void set () EV_NOEXCEPT { }
  EVPP_WATCHER_END
#endif

#if EV_PREPARE_ENABLE
  EVPP_WATCHER_BEGIN (prepare, prepare)
    void set () EV_NOEXCEPT { }
  EVPP_WATCHER_END
#endif

#if EV_CHECK_ENABLE
  EVPP_WATCHER_BEGIN (check, check)
    void set () EV_NOEXCEPT { }
  EVPP_WATCHER_END
#endif

#if EV_EMBED_ENABLE
  EVPP_WATCHER_BEGIN (embed, embed)
    void set_embed (struct ev_loop *embedded_loop) EV_NOEXCEPT
    {
      freeze_guard guard (this);
      ev_embed_set (static_cast<ev_embed *> (this), embedded_loop);
    }

    void start (struct ev_loop *embedded_loop) EV_NOEXCEPT
    {
      set_embed (embedded_loop);
      start ();
    }

    void sweep ()
    {
      ev_embed_sweep (loop, static_cast<ev_embed *> (this));
    }
  EVPP_WATCHER_END
#endif

#if EV_FORK_ENABLE
  EVPP_WATCHER_BEGIN (fork, fork)
    void set () EV_NOEXCEPT { }
  EVPP_WATCHER_END
#endif

#if EV_ASYNC_ENABLE
  EVPP_WATCHER_BEGIN (async, async)
    void send () EV_NOEXCEPT
    {
      ev_async_send (loop, static_cast<ev_async *> (this));
    }

    bool async_pending () EV_NOEXCEPT
    {
      return ev_async_pending (static_cast<ev_async *> (this));
    }
  EVPP_WATCHER_END
#endif

#undef EVPP_WATCHER_BEGIN
#undef EVPP_WATCHER_END

} /* namespace ev */

#undef EVPP_WHAT_NOTHROW
#undef EVPP_THROW_BAD_LOOP

#endif /* EVPP_H__ */
