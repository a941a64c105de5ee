/*
 * ev-info -- what the installed libev can do on this system.
 *
 * Prints the libev version (library and header), which libev.so was
 * loaded, the supported / recommended / embeddable backends, for each Linux
 * backend (select, poll, epoll, linuxaio, io_uring) whether
 * ev_loop_new (backend | EVFLAG_NOENV) opens it and, if not, why (the
 * kernel interfaces are probed directly: epoll_create1, io_setup +
 * IOCB_CMD_POLL with fs.aio-nr / fs.aio-max-nr, io_uring_setup with
 * kernel.io_uring_disabled), the io_uring features the kernel offers, and
 * the backend ev_default_loop (0) picks (which honours LIBEV_FLAGS).
 *
 * Usage: ev-info [-h]            Exit status: 0, or 1 if no loop opens.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* <link.h> pulls in <elf.h>, whose EV_* version macros clash with ev.h */
#undef EV_NONE
#undef EV_CURRENT
#undef EV_NUM
#include <ev.h>

#ifndef SYS_io_uring_setup
# define SYS_io_uring_setup 425          /* same number on every architecture */
#endif

/* ------------------------------------------------------------ helpers */

static const char *
backend_name (unsigned int b)
{
  switch (b)
    {
    case EVBACKEND_SELECT:   return "select";
    case EVBACKEND_POLL:     return "poll";
    case EVBACKEND_EPOLL:    return "epoll";
    case EVBACKEND_KQUEUE:   return "kqueue";
    case EVBACKEND_DEVPOLL:  return "devpoll";
    case EVBACKEND_PORT:     return "port";
    case EVBACKEND_LINUXAIO: return "linuxaio";
    case EVBACKEND_IOURING:  return "io_uring";
    default:                 return "?";
    }
}

static void
print_set (const char *label, unsigned int set)
{
  unsigned int b;
  int first = 1;
  printf ("  %-12s", label);
  for (b = 1; b && b <= 0x80000000u; b <<= 1)
    if (set & b)
      {
        printf ("%s%s", first ? "" : " ", backend_name (b));
        first = 0;
      }
  printf ("%s (0x%x)\n", first ? "none" : "", set);
}

/* a /proc/sys value as a long; -1 if unreadable */
static long
read_sysctl (const char *path)
{
  char buf[64];
  long v = -1;
  FILE *f = fopen (path, "r");
  if (f)
    {
      if (fgets (buf, sizeof buf, f))
        v = strtol (buf, 0, 10);
      fclose (f);
    }
  return v;
}

/* the libev.so the dynamic linker loaded */
static int
find_libev (struct dl_phdr_info *info, size_t size, void *data)
{
  (void) size;
  if (info->dlpi_name && strstr (info->dlpi_name, "/libev.so"))
    {
      char *real = realpath (info->dlpi_name, 0);
      snprintf ((char *) data, PATH_MAX, "%s", real ? real : info->dlpi_name);
      free (real);
      return 1;
    }
  return 0;
}

/* ------------------------------------------------------- kernel probes */

static char why[1024];                  /* the reason a probe gives */

static int
probe_epoll (void)
{
  int fd = epoll_create1 (EPOLL_CLOEXEC);
  if (fd < 0)
    {
      snprintf (why, sizeof why, "epoll_create1: %s", strerror (errno));
      return 0;
    }
  close (fd);
  return 1;
}

/* Linux AIO, as libev's linuxaio backend uses it */
typedef unsigned long aio_ctx_t;
struct aio_iocb                         /* struct iocb of <linux/aio_abi.h> */
{
  uint64_t data;
  uint32_t key, rw_flags;
  uint16_t opcode;
  int16_t reqprio;
  uint32_t fildes;
  uint64_t buf, nbytes;
  int64_t offset;
  uint64_t reserved2;
  uint32_t flags, resfd;
};
struct aio_event { uint64_t data, obj; int64_t res, res2; };
#define AIO_CMD_POLL 5                  /* IOCB_CMD_POLL, Linux 4.18 */
#define AIO_SLOTS 1024                  /* the first context size the library asks for (src/backend/linuxaio.rs) */

static int
probe_linuxaio (void)
{
  aio_ctx_t ctx = 0;
  long max = read_sysctl ("/proc/sys/fs/aio-max-nr"), used = read_sysctl ("/proc/sys/fs/aio-nr");
  int ok = 0, p[2];

  if (syscall (SYS_io_setup, (long) AIO_SLOTS, &ctx) < 0)
    {
      int e = errno;
      if (e == ENOSYS)
        snprintf (why, sizeof why, "io_setup: ENOSYS: kernel without AIO (CONFIG_AIO=n) or the syscall is filtered (seccomp)");
      else if (e == EAGAIN)
        snprintf (why, sizeof why, "io_setup (%d events): EAGAIN: the system-wide AIO limit is used up: fs.aio-nr = %ld of fs.aio-max-nr = %ld (raise it: sysctl fs.aio-max-nr=...)",
                  AIO_SLOTS, used, max);
      else if (e == EPERM)
        snprintf (why, sizeof why, "io_setup: EPERM: blocked by a seccomp filter or security module");
      else
        snprintf (why, sizeof why, "io_setup: %s", strerror (e));
      return 0;
    }
  if (pipe2 (p, O_CLOEXEC) == 0)
    {
      struct aio_iocb cb;
      struct aio_iocb *list[1] = { &cb };
      struct aio_event ev;
      struct timespec ts = { 1, 0 };
      memset (&cb, 0, sizeof cb);
      cb.opcode = AIO_CMD_POLL;
      cb.fildes = (uint32_t) p[1];
      cb.buf = POLLOUT;
      if (syscall (SYS_io_submit, ctx, 1L, list) != 1)
        snprintf (why, sizeof why, "io_submit (IOCB_CMD_POLL): %s%s", strerror (errno),
                  errno == EINVAL ? ": the kernel cannot poll through AIO (needs Linux 4.18+)" : "");
      else if (syscall (SYS_io_getevents, ctx, 1L, 1L, &ev, &ts) != 1 || ev.res <= 0)
        snprintf (why, sizeof why, "io_getevents: the IOCB_CMD_POLL did not complete");
      else
        ok = 1;
      close (p[0]);
      close (p[1]);
    }
  else
    snprintf (why, sizeof why, "pipe2: %s", strerror (errno));
  syscall (SYS_io_destroy, ctx);
  return ok;
}

/* io_uring_setup's parameter block (struct io_uring_params, 120 bytes) */
struct uring_params
{
  uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd, resv[3];
  uint32_t sq_off[8];
  uint64_t sq_user_addr;
  uint32_t cq_off[8];
  uint64_t cq_user_addr;
};

static const char *const uring_feature_names[] = {
  "SINGLE_MMAP", "NODROP", "SUBMIT_STABLE", "RW_CUR_POS", "CUR_PERSONALITY",
  "FAST_POLL", "POLL_32BITS", "SQPOLL_NONFIXED", "EXT_ARG", "NATIVE_WORKERS",
  "RSRC_TAGS", "CQE_SKIP", "LINKED_FILE", "REG_REG_RING", "RECVSEND_BUNDLE",
  "MIN_TIMEOUT", "RW_ATTR", "NO_IOWAIT",
};
#define URING_NODROP  (1u << 1)
#define URING_EXT_ARG (1u << 8)

static unsigned int uring_features;
static int uring_probed;

static int
probe_iouring (void)
{
  struct uring_params p;
  long disabled = read_sysctl ("/proc/sys/kernel/io_uring_disabled");
  int fd;

  memset (&p, 0, sizeof p);
  fd = (int) syscall (SYS_io_uring_setup, 4L, &p);
  if (fd < 0)
    {
      int e = errno;
      if (e == ENOSYS)
        snprintf (why, sizeof why, "io_uring_setup: ENOSYS: kernel without io_uring (before 5.1, or CONFIG_IO_URING=n) or the syscall is filtered (seccomp)");
      else if (e == EPERM && disabled > 0)
        snprintf (why, sizeof why, "io_uring_setup: EPERM: kernel.io_uring_disabled = %ld (%s)", disabled,
                  disabled == 1 ? "only for members of kernel.io_uring_group and CAP_SYS_ADMIN" : "disabled for everyone");
      else if (e == EPERM)
        snprintf (why, sizeof why, "io_uring_setup: EPERM: blocked by a seccomp filter or security module (kernel.io_uring_disabled = %ld)", disabled);
      else if (e == ENOMEM)
        {
          struct rlimit rl;
          getrlimit (RLIMIT_MEMLOCK, &rl);
          snprintf (why, sizeof why, "io_uring_setup: ENOMEM: locked-memory limit too small (RLIMIT_MEMLOCK = %llu bytes)",
                    (unsigned long long) rl.rlim_cur);
        }
      else
        snprintf (why, sizeof why, "io_uring_setup: %s", strerror (e));
      return 0;
    }
  close (fd);
  uring_probed = 1;
  uring_features = p.features;
  if ((p.features & (URING_NODROP | URING_EXT_ARG)) != (URING_NODROP | URING_EXT_ARG))
    {
      snprintf (why, sizeof why, "io_uring lacks IORING_FEAT_NODROP and/or IORING_FEAT_EXT_ARG (Linux 5.11+), which the backend needs");
      return 0;
    }
  return 1;
}

static int
probe_backend (unsigned int b)
{
  why[0] = 0;
  switch (b)
    {
    case EVBACKEND_EPOLL:    return probe_epoll ();
    case EVBACKEND_LINUXAIO: return probe_linuxaio ();
    case EVBACKEND_IOURING:  return probe_iouring ();
    default:                 return 1;
    }
}

/* ---------------------------------------------------------------- main */

int
main (int argc, char **argv)
{
  static const unsigned int backends[] = {
    EVBACKEND_SELECT, EVBACKEND_POLL, EVBACKEND_EPOLL, EVBACKEND_LINUXAIO, EVBACKEND_IOURING,
  };
  char lib[PATH_MAX] = "(not found)";
  struct utsname un;
  unsigned int sup, rec, emb, i, opened = 0;
  const char *env;
  struct ev_loop *def;

  if (argc > 1)
    {
      fprintf (argc == 2 && !strcmp (argv[1], "-h") ? stdout : stderr,
               "usage: %s\n"
               "prints the libev version, the backends that open on this system (and why\n"
               "others do not), the io_uring features and the default loop's backend\n",
               argv[0]);
      return argc == 2 && !strcmp (argv[1], "-h") ? 0 : 2;
    }

  dl_iterate_phdr (find_libev, lib);
  printf ("libev %d.%d (header %d.%d)\n", ev_version_major (), ev_version_minor (),
          EV_VERSION_MAJOR, EV_VERSION_MINOR);
  printf ("library      %s\n", lib);
  if (uname (&un) == 0)
    printf ("kernel       %s %s %s\n", un.sysname, un.release, un.machine);

  sup = ev_supported_backends ();
  rec = ev_recommended_backends ();
  emb = ev_embeddable_backends ();
  printf ("backends\n");
  print_set ("supported", sup);
  print_set ("recommended", rec);
  print_set ("embeddable", emb);

  printf ("ev_loop_new (backend | EVFLAG_NOENV)\n");
  for (i = 0; i < sizeof backends / sizeof backends[0]; i++)
    {
      unsigned int b = backends[i];
      struct ev_loop *loop;
      int err, kernel_ok;

      if (!(sup & b))
        {
          /* not built in, or the library judged the kernel unfit */
          if (probe_backend (b))
            printf ("  %-10s no   not in ev_supported_backends (), although the kernel interface works\n",
                    backend_name (b));
          else
            printf ("  %-10s no   not in ev_supported_backends (); %s\n", backend_name (b), why);
          continue;
        }
      errno = 0;
      loop = ev_loop_new (b | EVFLAG_NOENV);
      err = errno;
      if (loop && ev_backend (loop) == b)
        {
          printf ("  %-10s yes%s%s\n", backend_name (b),
                  rec & b ? "  (recommended)" : "", emb & b ? "  (embeddable)" : "");
          opened++;
          ev_loop_destroy (loop);
          if (b == EVBACKEND_IOURING)
            probe_iouring ();           /* for the feature list below */
          continue;
        }
      if (loop)
        {
          printf ("  %-10s no   ev_loop_new gave %s instead\n", backend_name (b), backend_name (ev_backend (loop)));
          ev_loop_destroy (loop);
          continue;
        }
      kernel_ok = probe_backend (b);
      if (!kernel_ok)
        printf ("  %-10s no   %s\n", backend_name (b), why);
      else
        printf ("  %-10s no   ev_loop_new failed (%s), although the kernel interface works\n",
                backend_name (b), err ? strerror (err) : "no errno");
    }

  /* kernel facts that decide linuxaio and io_uring */
  {
    long max = read_sysctl ("/proc/sys/fs/aio-max-nr"), used = read_sysctl ("/proc/sys/fs/aio-nr");
    long dis = read_sysctl ("/proc/sys/kernel/io_uring_disabled");
    if (max >= 0)
      printf ("fs.aio-nr    %ld of fs.aio-max-nr %ld (each linuxaio loop takes %d)\n", used, max, AIO_SLOTS);
    if (dis >= 0)
      printf ("kernel.io_uring_disabled  %ld\n", dis);
  }
  if (!uring_probed && (sup & EVBACKEND_IOURING))
    probe_iouring ();
  if (uring_probed)
    {
      unsigned int f;
      printf ("io_uring features (0x%x):", uring_features);
      for (f = 0; f < 32; f++)
        if (uring_features & (1u << f))
          {
            if (f < sizeof uring_feature_names / sizeof uring_feature_names[0])
              printf (" %s", uring_feature_names[f]);
            else
              printf (" bit%u", f);
          }
      printf ("\n");
    }
  else if (sup & EVBACKEND_IOURING)
    printf ("io_uring features: none (io_uring_setup failed)\n");

  env = getenv ("LIBEV_FLAGS");
  def = ev_default_loop (0);
  if (def)
    printf ("default loop %s (ev_default_loop (0)%s%s%s)\n", backend_name (ev_backend (def)),
            env ? ", LIBEV_FLAGS=" : "", env ? env : "", env ? " in the environment" : "");
  else
    printf ("default loop none: ev_default_loop (0) failed%s%s\n",
            env ? "; LIBEV_FLAGS=" : "", env ? env : "");

  return opened && def ? 0 : 1;
}
