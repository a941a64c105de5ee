/*
 * ev.h -- public header of the Rust reimplementation of libev 4.33.
 *
 * Source and binary compatible with libev 4.33's ev.h (x86_64, default
 * configuration): same types, struct layouts, constants, macros, inline
 * functions and prototypes.
 *
 * GENERATED FILE -- do not edit. build.rs assembles it from header/ev.h.in
 * (everything written by hand) and cbindgen's output for src/abi.rs (the
 * watcher structs) and src/ffi/ (the prototypes of the exported functions).
 */
#ifndef EV_H_
#define EV_H_

#include <string.h>    /* memmove, used by ev_cb and ev_set_cb */
#include <sys/stat.h>  /* struct stat, for ev_stat */

/* ------------------------------------------------------------------------- */
/* C++ helpers                                                               */

#ifdef __cplusplus
# define EV_CPP(x) x
# if __cplusplus >= 201103L
#  define EV_NOEXCEPT noexcept
# else
#  define EV_NOEXCEPT
# endif
#else
# define EV_CPP(x)
# define EV_NOEXCEPT
#endif
#define EV_THROW EV_NOEXCEPT /* the pre-4.25 spelling */

/* ------------------------------------------------------------------------- */
/* configuration; every value may be set by the user before including ev.h   */

#ifndef EV_FEATURES
# ifdef __OPTIMIZE_SIZE__
#  define EV_FEATURES 0x7c
# else
#  define EV_FEATURES 0x7f
# endif
#endif

#define EV_FEATURE_CODE     ((EV_FEATURES) &  1)
#define EV_FEATURE_DATA     ((EV_FEATURES) &  2)
#define EV_FEATURE_CONFIG   ((EV_FEATURES) &  4)
#define EV_FEATURE_API      ((EV_FEATURES) &  8)
#define EV_FEATURE_WATCHERS ((EV_FEATURES) & 16)
#define EV_FEATURE_BACKENDS ((EV_FEATURES) & 32)
#define EV_FEATURE_OS       ((EV_FEATURES) & 64)

#ifndef EV_MINPRI
# define EV_MINPRI (EV_FEATURE_CONFIG ? -2 : 0)
#endif
#ifndef EV_MAXPRI
# define EV_MAXPRI (EV_FEATURE_CONFIG ? +2 : 0)
#endif

#ifndef EV_MULTIPLICITY
# define EV_MULTIPLICITY EV_FEATURE_CONFIG
#endif
#if !EV_MULTIPLICITY
# error "this libev is built with EV_MULTIPLICITY: every function takes a loop argument"
#endif

#ifndef EV_PERIODIC_ENABLE
# define EV_PERIODIC_ENABLE EV_FEATURE_WATCHERS
#endif
#ifndef EV_STAT_ENABLE
# define EV_STAT_ENABLE EV_FEATURE_WATCHERS
#endif
#ifndef EV_PREPARE_ENABLE
# define EV_PREPARE_ENABLE EV_FEATURE_WATCHERS
#endif
#ifndef EV_CHECK_ENABLE
# define EV_CHECK_ENABLE EV_FEATURE_WATCHERS
#endif
#ifndef EV_IDLE_ENABLE
# define EV_IDLE_ENABLE EV_FEATURE_WATCHERS
#endif
#ifndef EV_FORK_ENABLE
# define EV_FORK_ENABLE EV_FEATURE_WATCHERS
#endif
#ifndef EV_CLEANUP_ENABLE
# define EV_CLEANUP_ENABLE EV_FEATURE_WATCHERS
#endif
#ifndef EV_SIGNAL_ENABLE
# define EV_SIGNAL_ENABLE EV_FEATURE_WATCHERS
#endif
#ifndef EV_CHILD_ENABLE
# define EV_CHILD_ENABLE EV_FEATURE_WATCHERS
#endif
#ifndef EV_ASYNC_ENABLE
# define EV_ASYNC_ENABLE EV_FEATURE_WATCHERS
#endif
#ifndef EV_EMBED_ENABLE
# define EV_EMBED_ENABLE EV_FEATURE_WATCHERS
#endif
#ifndef EV_WALK_ENABLE
# define EV_WALK_ENABLE 0 /* 1: declare ev_walk */
#endif

/* child watchers are driven by SIGCHLD */
#if EV_CHILD_ENABLE && !EV_SIGNAL_ENABLE
# undef EV_SIGNAL_ENABLE
# define EV_SIGNAL_ENABLE 1
#endif

/* an embed watcher contains io and prepare watchers */
#if EV_EMBED_ENABLE
# undef EV_IO_ENABLE
# define EV_IO_ENABLE 1
# undef EV_PREPARE_ENABLE
# define EV_PREPARE_ENABLE 1
#endif

#ifndef EV_COMPAT3
# define EV_COMPAT3 1 /* libev 3 names: ev_loop (), ev_unloop (), EVLOOP_*, ... */
#endif

#ifndef EV_PROTOTYPES
# define EV_PROTOTYPES 1 /* 0: no function prototypes at all */
#endif

#ifndef EV_TSTAMP_T
# define EV_TSTAMP_T double
#endif

#ifndef EV_ATOMIC_T
# include <signal.h>
# define EV_ATOMIC_T sig_atomic_t volatile
#endif

#ifdef EV_API_STATIC
# define EV_API_DECL static
#else
# define EV_API_DECL extern
#endif

#if defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L)
# define EV_INLINE static inline
#elif defined(__GNUC__)
# define EV_INLINE static __inline__
#else
# define EV_INLINE static
#endif

/* ------------------------------------------------------------------------- */

#define EV_VERSION_MAJOR 4
#define EV_VERSION_MINOR 33

EV_CPP(extern "C" {)

typedef EV_TSTAMP_T ev_tstamp;

typedef struct stat ev_statdata;

/* the event loop; its contents are private to the library */
struct ev_loop;

#define EV_P  struct ev_loop *loop /* a loop parameter */
#define EV_P_ EV_P,
#define EV_A  loop                 /* the matching argument */
#define EV_A_ EV_A,
#define EV_DEFAULT_UC  ev_default_loop_uc_ ()
#define EV_DEFAULT_UC_ EV_DEFAULT_UC,
#define EV_DEFAULT     ev_default_loop (0)
#define EV_DEFAULT_    EV_DEFAULT,

/* revents / events bits */
enum {
  EV_UNDEF    = -1,            /* guaranteed to be invalid */
  EV_NONE     = 0x00,
  EV_READ     = 0x01,
  EV_WRITE    = 0x02,
  EV__IOFDSET = 0x80,          /* internal: fd or events changed */
  EV_IO       = EV_READ,
  EV_TIMER    = 0x00000100,
#if EV_COMPAT3
  EV_TIMEOUT  = EV_TIMER,
#endif
  EV_PERIODIC = 0x00000200,
  EV_SIGNAL   = 0x00000400,
  EV_CHILD    = 0x00000800,
  EV_STAT     = 0x00001000,
  EV_IDLE     = 0x00002000,
  EV_PREPARE  = 0x00004000,
  EV_CHECK    = 0x00008000,
  EV_EMBED    = 0x00010000,
  EV_FORK     = 0x00020000,
  EV_CLEANUP  = 0x00040000,
  EV_ASYNC    = 0x00080000,
  EV_CUSTOM   = 0x01000000,    /* for use by user code */
  EV_ERROR    = -0x7fffffff - 1 /* sign bit: an error occurred */
};

/* flags for ev_default_loop / ev_loop_new */
enum {
  EVFLAG_AUTO      = 0x00000000,
  EVFLAG_NOENV     = 0x01000000, /* ignore LIBEV_FLAGS */
  EVFLAG_FORKCHECK = 0x02000000, /* check for a fork in each iteration */
  EVFLAG_NOINOTIFY = 0x00100000, /* do not use inotify */
#if EV_COMPAT3
  EVFLAG_NOSIGFD   = 0,
#endif
  EVFLAG_SIGNALFD  = 0x00200000, /* use signalfd */
  EVFLAG_NOSIGMASK = 0x00400000, /* leave the signal mask alone */
  EVFLAG_NOTIMERFD = 0x00800000  /* do not use timerfd */
};

/* backends */
enum {
  EVBACKEND_SELECT   = 0x00000001,
  EVBACKEND_POLL     = 0x00000002,
  EVBACKEND_EPOLL    = 0x00000004,
  EVBACKEND_KQUEUE   = 0x00000008,
  EVBACKEND_DEVPOLL  = 0x00000010,
  EVBACKEND_PORT     = 0x00000020,
  EVBACKEND_LINUXAIO = 0x00000040,
  EVBACKEND_IOURING  = 0x00000080,
  EVBACKEND_ALL      = 0x000000ff,
  EVBACKEND_MASK     = 0x0000ffff
};

/* ev_run flags */
enum {
  EVRUN_NOWAIT = 1, /* poll once, do not block */
  EVRUN_ONCE   = 2  /* block until at least one event, then return */
};

/* ev_break kinds */
enum {
  EVBREAK_CANCEL = 0, /* undo an earlier ev_break */
  EVBREAK_ONE    = 1, /* leave the innermost ev_run */
  EVBREAK_ALL    = 2  /* leave every ev_run */
};

#if EV_COMPAT3
# define EVLOOP_NONBLOCK EVRUN_NOWAIT
# define EVLOOP_ONESHOT  EVRUN_ONCE
# define EVUNLOOP_CANCEL EVBREAK_CANCEL
# define EVUNLOOP_ONE    EVBREAK_ONE
# define EVUNLOOP_ALL    EVBREAK_ALL
#else
typedef struct ev_loop ev_loop;
#endif

/* ------------------------------------------------------------------------- */
/* building blocks of the watcher structs (also for user-defined watchers)   */

#ifndef EV_DECL_PRIORITY
# if EV_MINPRI == EV_MAXPRI
#  define EV_DECL_PRIORITY
# else
#  define EV_DECL_PRIORITY int priority;
# endif
#endif

#ifndef EV_COMMON
# define EV_COMMON void *data;
#endif

#ifndef EV_CB_DECLARE
# define EV_CB_DECLARE(type) void (*cb)(EV_P_ struct type *w, int revents);
#endif

#ifndef EV_CB_INVOKE
# define EV_CB_INVOKE(watcher, revents) (watcher)->cb (EV_A_ (watcher), (revents))
#endif

/* the head every watcher starts with; type is the struct tag */
#define EV_WATCHER(type) \
  int active;            \
  int pending;           \
  EV_DECL_PRIORITY       \
  EV_COMMON              \
  EV_CB_DECLARE (type)

/* watchers kept in per-fd / per-signal lists */
#define EV_WATCHER_LIST(type) \
  EV_WATCHER (type)           \
  struct ev_watcher_list *next;

/* watchers kept in a heap by time */
#define EV_WATCHER_TIME(type) \
  EV_WATCHER (type)           \
  ev_tstamp at;

/* declares or defines a watcher callback (not an official API) */
#define EV_CB(type, name) void name (EV_P_ struct ev_##type *w, int revents)

/*
 * Callback types that are noexcept in C++17, where noexcept is part of a
 * function type (a typedef may only carry it from C++17 on).
 */
#if defined(__cplusplus) && __cplusplus >= 201703L
# define EV__FN_NOEXCEPT noexcept
#else
# define EV__FN_NOEXCEPT
#endif
struct ev_periodic;
typedef void *(*ev__allocator_cb) (void *, long) EV__FN_NOEXCEPT;
typedef void (*ev__syserr_cb) (const char *) EV__FN_NOEXCEPT;
typedef void (*ev__loop_hook) (struct ev_loop *) EV__FN_NOEXCEPT;
typedef ev_tstamp (*ev__periodic_reschedule_cb) (struct ev_periodic *, ev_tstamp) EV__FN_NOEXCEPT;
typedef void (*ev__once_cb) (int, void *);
typedef void (*ev__walk_cb) (struct ev_loop *, int, void *);
#undef EV__FN_NOEXCEPT

/* ------------------------------------------------------------------------- */
/* the watcher types (generated from src/abi.rs)                             */

typedef void (*ev_loop_callback)(struct ev_loop*);

typedef struct ev_watcher {
  EV_WATCHER(ev_watcher)
} ev_watcher;

typedef struct ev_watcher_list {
  EV_WATCHER_LIST(ev_watcher_list)
} ev_watcher_list;

typedef struct ev_watcher_time {
  EV_WATCHER_TIME(ev_watcher_time)
} ev_watcher_time;

typedef struct ev_io {
  EV_WATCHER_LIST(ev_io)
  int fd;
  int events;
} ev_io;

typedef struct ev_timer {
  EV_WATCHER_TIME(ev_timer)
  ev_tstamp repeat;
} ev_timer;

typedef struct ev_periodic {
  EV_WATCHER_TIME(ev_periodic)
  ev_tstamp offset;
  ev_tstamp interval;
  ev__periodic_reschedule_cb reschedule_cb;
} ev_periodic;

typedef struct ev_signal {
  EV_WATCHER_LIST(ev_signal)
  int signum;
} ev_signal;

typedef struct ev_child {
  EV_WATCHER_LIST(ev_child)
  int flags;
  int pid;
  int rpid;
  int rstatus;
} ev_child;

typedef struct ev_stat {
  EV_WATCHER_LIST(ev_stat)
  struct ev_timer timer;
  ev_tstamp interval;
  const char *path;
  ev_statdata prev;
  ev_statdata attr;
  int wd;
} ev_stat;

typedef struct ev_idle {
  EV_WATCHER(ev_idle)
} ev_idle;

typedef struct ev_prepare {
  EV_WATCHER(ev_prepare)
} ev_prepare;

typedef struct ev_check {
  EV_WATCHER(ev_check)
} ev_check;

typedef struct ev_fork {
  EV_WATCHER(ev_fork)
} ev_fork;

typedef struct ev_cleanup {
  EV_WATCHER(ev_cleanup)
} ev_cleanup;

typedef struct ev_embed {
  EV_WATCHER(ev_embed)
  struct ev_loop *other;
  struct ev_io io;
  struct ev_prepare prepare;
  struct ev_check check;
  struct ev_timer timer;
  struct ev_periodic periodic;
  struct ev_idle idle;
  struct ev_fork fork;
  struct ev_cleanup cleanup;
} ev_embed;

typedef struct ev_async {
  EV_WATCHER(ev_async)
  EV_ATOMIC_T sent;
} ev_async;

union ev_any_watcher {
  struct ev_watcher w;
  struct ev_watcher_list wl;
  struct ev_io io;
  struct ev_timer timer;
  struct ev_periodic periodic;
  struct ev_signal signal;
  struct ev_child child;
  struct ev_stat stat;
  struct ev_idle idle;
  struct ev_prepare prepare;
  struct ev_check check;
  struct ev_fork fork;
  struct ev_cleanup cleanup;
  struct ev_embed embed;
  struct ev_async async;
};

/* ------------------------------------------------------------------------- */
/* watcher macros; the watcher argument may be evaluated more than once,     */
/* every other argument at most once                                         */

#define ev_init(ev, cb_) do {                         \
  ((ev_watcher *)(void *)(ev))->active  = 0;          \
  ((ev_watcher *)(void *)(ev))->pending = 0;          \
  ev_set_priority ((ev), 0);                          \
  ev_set_cb ((ev), cb_);                              \
} while (0)

#define ev_io_set(ev, fd_, events_) do {              \
  (ev)->fd = (fd_);                                   \
  (ev)->events = (events_) | EV__IOFDSET;             \
} while (0)
#define ev_io_modify(ev, events_) do {                \
  (ev)->events = ((ev)->events & EV__IOFDSET) | (events_); \
} while (0)
#define ev_timer_set(ev, after_, repeat_) do {        \
  ((ev_watcher_time *)(ev))->at = (after_);           \
  (ev)->repeat = (repeat_);                           \
} while (0)
#define ev_periodic_set(ev, ofs_, ival_, rcb_) do {   \
  (ev)->offset = (ofs_);                              \
  (ev)->interval = (ival_);                           \
  (ev)->reschedule_cb = (rcb_);                       \
} while (0)
#define ev_signal_set(ev, signum_) do {               \
  (ev)->signum = (signum_);                           \
} while (0)
#define ev_child_set(ev, pid_, trace_) do {           \
  (ev)->pid = (pid_);                                 \
  (ev)->flags = !!(trace_);                           \
} while (0)
#define ev_stat_set(ev, path_, interval_) do {        \
  (ev)->path = (path_);                               \
  (ev)->interval = (interval_);                       \
  (ev)->wd = -2;                                      \
} while (0)
#define ev_idle_set(ev)    /* no parameters */
#define ev_prepare_set(ev) /* no parameters */
#define ev_check_set(ev)   /* no parameters */
#define ev_embed_set(ev, other_) do {                 \
  (ev)->other = (other_);                             \
} while (0)
#define ev_fork_set(ev)    /* no parameters */
#define ev_cleanup_set(ev) /* no parameters */
#define ev_async_set(ev)   /* no parameters */

#define ev_io_init(ev, cb_, fd_, events_) \
  do { ev_init ((ev), (cb_)); ev_io_set ((ev), (fd_), (events_)); } while (0)
#define ev_timer_init(ev, cb_, after_, repeat_) \
  do { ev_init ((ev), (cb_)); ev_timer_set ((ev), (after_), (repeat_)); } while (0)
#define ev_periodic_init(ev, cb_, ofs_, ival_, rcb_) \
  do { ev_init ((ev), (cb_)); ev_periodic_set ((ev), (ofs_), (ival_), (rcb_)); } while (0)
#define ev_signal_init(ev, cb_, signum_) \
  do { ev_init ((ev), (cb_)); ev_signal_set ((ev), (signum_)); } while (0)
#define ev_child_init(ev, cb_, pid_, trace_) \
  do { ev_init ((ev), (cb_)); ev_child_set ((ev), (pid_), (trace_)); } while (0)
#define ev_stat_init(ev, cb_, path_, interval_) \
  do { ev_init ((ev), (cb_)); ev_stat_set ((ev), (path_), (interval_)); } while (0)
#define ev_idle_init(ev, cb_) \
  do { ev_init ((ev), (cb_)); ev_idle_set ((ev)); } while (0)
#define ev_prepare_init(ev, cb_) \
  do { ev_init ((ev), (cb_)); ev_prepare_set ((ev)); } while (0)
#define ev_check_init(ev, cb_) \
  do { ev_init ((ev), (cb_)); ev_check_set ((ev)); } while (0)
#define ev_embed_init(ev, cb_, other_) \
  do { ev_init ((ev), (cb_)); ev_embed_set ((ev), (other_)); } while (0)
#define ev_fork_init(ev, cb_) \
  do { ev_init ((ev), (cb_)); ev_fork_set ((ev)); } while (0)
#define ev_cleanup_init(ev, cb_) \
  do { ev_init ((ev), (cb_)); ev_cleanup_set ((ev)); } while (0)
#define ev_async_init(ev, cb_) \
  do { ev_init ((ev), (cb_)); ev_async_set ((ev)); } while (0)

#define ev_is_pending(ev) (0 + ((ev_watcher *)(void *)(ev))->pending) /* ro, true while pending */
#define ev_is_active(ev)  (0 + ((ev_watcher *)(void *)(ev))->active)  /* ro, true while started */

#define ev_cb_(ev) (ev)->cb /* the typed callback member */
#define ev_cb(ev) \
  (memmove (&ev_cb_ (ev), &((ev_watcher *)(ev))->cb, sizeof (ev_cb_ (ev))), (ev)->cb)

#if EV_MINPRI == EV_MAXPRI
# define ev_priority(ev)          ((void)(ev), EV_MINPRI)
# define ev_set_priority(ev, pri) ((void)(ev), (void)(pri))
#else
# define ev_priority(ev)          (0 + ((ev_watcher *)(void *)(ev))->priority)
# define ev_set_priority(ev, pri) (((ev_watcher *)(void *)(ev))->priority = (pri))
#endif

#ifndef ev_set_cb
# define ev_set_cb(ev, cb_) \
  (ev_cb_ (ev) = (cb_), memmove (&((ev_watcher *)(ev))->cb, &ev_cb_ (ev), sizeof (ev_cb_ (ev))))
#endif

#define ev_periodic_at(ev)   (+((ev_watcher_time *)(ev))->at)
#define ev_async_pending(w)  (+(w)->sent)

/* ------------------------------------------------------------------------- */
/* functions (generated from src/ffi/)                                       */

#if EV_PROTOTYPES

EV_API_DECL int ev_version_major(void) EV_NOEXCEPT;
EV_API_DECL int ev_version_minor(void) EV_NOEXCEPT;
EV_API_DECL unsigned int ev_supported_backends(void) EV_NOEXCEPT;
EV_API_DECL unsigned int ev_recommended_backends(void) EV_NOEXCEPT;
EV_API_DECL unsigned int ev_embeddable_backends(void) EV_NOEXCEPT;
EV_API_DECL ev_tstamp ev_time(void) EV_NOEXCEPT;
EV_API_DECL void ev_sleep(ev_tstamp delay) EV_NOEXCEPT;
EV_API_DECL void ev_set_allocator(ev__allocator_cb cb) EV_NOEXCEPT;
EV_API_DECL void ev_set_syserr_cb(ev__syserr_cb cb) EV_NOEXCEPT;
EV_API_DECL struct ev_loop *ev_default_loop(unsigned int flags) EV_NOEXCEPT;
EV_API_DECL struct ev_loop *ev_loop_new(unsigned int flags) EV_NOEXCEPT;
EV_API_DECL void ev_loop_destroy(struct ev_loop *loop);
EV_API_DECL void ev_loop_fork(struct ev_loop *loop) EV_NOEXCEPT;
EV_API_DECL unsigned int ev_backend(struct ev_loop *loop) EV_NOEXCEPT;
EV_API_DECL ev_tstamp ev_now(struct ev_loop *loop) EV_NOEXCEPT;
EV_API_DECL void ev_now_update(struct ev_loop *loop) EV_NOEXCEPT;
EV_API_DECL void ev_suspend(struct ev_loop *loop) EV_NOEXCEPT;
EV_API_DECL void ev_resume(struct ev_loop *loop) EV_NOEXCEPT;
EV_API_DECL int ev_run(struct ev_loop *loop, int flags);
EV_API_DECL void ev_break(struct ev_loop *loop, int how) EV_NOEXCEPT;
EV_API_DECL void ev_ref(struct ev_loop *loop) EV_NOEXCEPT;
EV_API_DECL void ev_unref(struct ev_loop *loop) EV_NOEXCEPT;
EV_API_DECL unsigned int ev_iteration(struct ev_loop *loop) EV_NOEXCEPT;
EV_API_DECL unsigned int ev_depth(struct ev_loop *loop) EV_NOEXCEPT;
EV_API_DECL void ev_verify(struct ev_loop *loop) EV_NOEXCEPT;
EV_API_DECL void ev_set_io_collect_interval(struct ev_loop *loop, ev_tstamp interval) EV_NOEXCEPT;
EV_API_DECL void ev_set_timeout_collect_interval(struct ev_loop *loop, ev_tstamp interval) EV_NOEXCEPT;
EV_API_DECL void ev_set_userdata(struct ev_loop *loop, void *data) EV_NOEXCEPT;
EV_API_DECL void *ev_userdata(struct ev_loop *loop) EV_NOEXCEPT;
EV_API_DECL void ev_set_invoke_pending_cb(struct ev_loop *loop, ev_loop_callback cb) EV_NOEXCEPT;
EV_API_DECL void ev_set_loop_release_cb(struct ev_loop *loop, ev__loop_hook release, ev__loop_hook acquire) EV_NOEXCEPT;
EV_API_DECL unsigned int ev_pending_count(struct ev_loop *loop) EV_NOEXCEPT;
EV_API_DECL void ev_invoke_pending(struct ev_loop *loop);
EV_API_DECL void ev_feed_event(struct ev_loop *loop, void *w, int revents) EV_NOEXCEPT;
EV_API_DECL void ev_feed_fd_event(struct ev_loop *loop, int fd, int revents) EV_NOEXCEPT;
EV_API_DECL void ev_invoke(struct ev_loop *loop, void *w, int revents);
EV_API_DECL int ev_clear_pending(struct ev_loop *loop, void *w) EV_NOEXCEPT;
EV_API_DECL void ev_once(struct ev_loop *loop, int fd, int events, ev_tstamp timeout, ev__once_cb cb, void *arg) EV_NOEXCEPT;
EV_API_DECL void ev_io_start(struct ev_loop *loop, struct ev_io *w) EV_NOEXCEPT;
EV_API_DECL void ev_io_stop(struct ev_loop *loop, struct ev_io *w) EV_NOEXCEPT;
EV_API_DECL void ev_timer_start(struct ev_loop *loop, struct ev_timer *w) EV_NOEXCEPT;
EV_API_DECL void ev_timer_stop(struct ev_loop *loop, struct ev_timer *w) EV_NOEXCEPT;
EV_API_DECL void ev_idle_start(struct ev_loop *loop, struct ev_idle *w) EV_NOEXCEPT;
EV_API_DECL void ev_idle_stop(struct ev_loop *loop, struct ev_idle *w) EV_NOEXCEPT;
EV_API_DECL void ev_prepare_start(struct ev_loop *loop, struct ev_prepare *w) EV_NOEXCEPT;
EV_API_DECL void ev_prepare_stop(struct ev_loop *loop, struct ev_prepare *w) EV_NOEXCEPT;
EV_API_DECL void ev_check_start(struct ev_loop *loop, struct ev_check *w) EV_NOEXCEPT;
EV_API_DECL void ev_check_stop(struct ev_loop *loop, struct ev_check *w) EV_NOEXCEPT;
EV_API_DECL void ev_fork_start(struct ev_loop *loop, struct ev_fork *w) EV_NOEXCEPT;
EV_API_DECL void ev_fork_stop(struct ev_loop *loop, struct ev_fork *w) EV_NOEXCEPT;
EV_API_DECL void ev_cleanup_start(struct ev_loop *loop, struct ev_cleanup *w) EV_NOEXCEPT;
EV_API_DECL void ev_cleanup_stop(struct ev_loop *loop, struct ev_cleanup *w) EV_NOEXCEPT;
EV_API_DECL void ev_signal_start(struct ev_loop *loop, struct ev_signal *w) EV_NOEXCEPT;
EV_API_DECL void ev_signal_stop(struct ev_loop *loop, struct ev_signal *w) EV_NOEXCEPT;
EV_API_DECL void ev_child_start(struct ev_loop *loop, struct ev_child *w) EV_NOEXCEPT;
EV_API_DECL void ev_child_stop(struct ev_loop *loop, struct ev_child *w) EV_NOEXCEPT;
EV_API_DECL void ev_async_start(struct ev_loop *loop, struct ev_async *w) EV_NOEXCEPT;
EV_API_DECL void ev_async_stop(struct ev_loop *loop, struct ev_async *w) EV_NOEXCEPT;
EV_API_DECL void ev_periodic_start(struct ev_loop *loop, struct ev_periodic *w) EV_NOEXCEPT;
EV_API_DECL void ev_periodic_stop(struct ev_loop *loop, struct ev_periodic *w) EV_NOEXCEPT;
EV_API_DECL void ev_stat_start(struct ev_loop *loop, struct ev_stat *w) EV_NOEXCEPT;
EV_API_DECL void ev_stat_stop(struct ev_loop *loop, struct ev_stat *w) EV_NOEXCEPT;
EV_API_DECL void ev_embed_start(struct ev_loop *loop, struct ev_embed *w) EV_NOEXCEPT;
EV_API_DECL void ev_embed_stop(struct ev_loop *loop, struct ev_embed *w) EV_NOEXCEPT;
EV_API_DECL void ev_periodic_again(struct ev_loop *loop, struct ev_periodic *w) EV_NOEXCEPT;
EV_API_DECL void ev_stat_stat(struct ev_loop *loop, struct ev_stat *w) EV_NOEXCEPT;
EV_API_DECL void ev_async_send(struct ev_loop *loop, struct ev_async *w) EV_NOEXCEPT;
EV_API_DECL void ev_embed_sweep(struct ev_loop *loop, struct ev_embed *w) EV_NOEXCEPT;
#if EV_WALK_ENABLE
EV_API_DECL void ev_walk(struct ev_loop *loop, int types, ev__walk_cb cb) EV_NOEXCEPT;
#endif
EV_API_DECL void ev_feed_signal(int signum) EV_NOEXCEPT;
EV_API_DECL void ev_feed_signal_event(struct ev_loop *loop, int signum) EV_NOEXCEPT;
EV_API_DECL void ev_timer_again(struct ev_loop *loop, struct ev_timer *w) EV_NOEXCEPT;
EV_API_DECL ev_tstamp ev_timer_remaining(struct ev_loop *loop, struct ev_timer *w) EV_NOEXCEPT;

#ifdef __cplusplus
/* default arguments, as in libev (C++ allows adding them in a redeclaration) */
EV_API_DECL struct ev_loop *ev_default_loop (unsigned int flags = 0) EV_NOEXCEPT;
EV_API_DECL struct ev_loop *ev_loop_new (unsigned int flags = 0) EV_NOEXCEPT;
EV_API_DECL int ev_run (EV_P_ int flags = 0);
EV_API_DECL void ev_break (EV_P_ int how = EVBREAK_ONE) EV_NOEXCEPT;
#endif

/* the default loop, without initialising it: only valid once ev_default_loop ran */
EV_INLINE struct ev_loop *
ev_default_loop_uc_ (void) EV_NOEXCEPT
{
  extern struct ev_loop *ev_default_loop_ptr; /* exported by the library */
  return ev_default_loop_ptr;
}

EV_INLINE int
ev_is_default_loop (EV_P) EV_NOEXCEPT
{
  return EV_A == EV_DEFAULT_UC;
}

#if EV_COMPAT3
/* libev 3 names of libev 4 functions */
EV_INLINE void ev_loop (EV_P_ int flags) { (void) ev_run (EV_A_ flags); }
EV_INLINE void ev_unloop (EV_P_ int how) { ev_break (EV_A_ how); }
EV_INLINE void ev_default_destroy (void) { ev_loop_destroy (EV_DEFAULT); }
EV_INLINE void ev_default_fork (void) { ev_loop_fork (EV_DEFAULT); }
EV_INLINE unsigned int ev_loop_count (EV_P) { return ev_iteration (EV_A); }
EV_INLINE unsigned int ev_loop_depth (EV_P) { return ev_depth (EV_A); }
EV_INLINE void ev_loop_verify (EV_P) { ev_verify (EV_A); }
#endif

#endif /* EV_PROTOTYPES */

EV_CPP(})

#endif /* EV_H_ */
