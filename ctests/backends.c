/*
 * backends.c - helper for ctests/run-tests.sh (not a test itself).
 *
 * Without arguments: prints ev_supported_backends() of the libev that is
 * actually loaded, as a decimal number.
 *
 * With "-a": prints one line
 *   supported=N usable=N version=MAJOR.MINOR lib=PATH
 * where "usable" is the subset of the supported backends for which
 * ev_loop_new(bit | EVFLAG_NOENV) succeeds and selects exactly that backend
 * (a kernel or sandbox may refuse e.g. io_uring), and PATH is the resolved
 * file name of the loaded libev.so.4 (looked up by SONAME) - the harness
 * uses it to prove that LD_LIBRARY_PATH really swapped the libraries - and
 * iouring_fd=eventpoll|io_uring|none says whether an io_uring loop opens an
 * epoll set (ours carries one on kernels that can) or only a ring.
 */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* <link.h> pulls in <elf.h>, whose EV_* version macros clash with ev.h */
#undef EV_NONE
#undef EV_CURRENT
#undef EV_NUM
#include <ev.h>

int
main (int argc, char **argv)
{
  unsigned int supported = ev_supported_backends ();
  unsigned int usable = 0, bit;
  char resolved[PATH_MAX];
  const char *lib = "?";
  struct link_map *map = 0;
  void *handle;

  if (argc < 2 || strcmp (argv[1], "-a"))
    {
      printf ("%u\n", supported);
      return 0;
    }

  for (bit = 1; bit <= 0x8000u; bit <<= 1) /* EVBACKEND_MASK */
    if (supported & bit)
      {
        struct ev_loop *loop = ev_loop_new (bit | EVFLAG_NOENV);

        if (loop)
          {
            if (ev_backend (loop) == bit)
              usable |= bit;
            ev_loop_destroy (loop);
          }
      }

  handle = dlopen ("libev.so.4", RTLD_LAZY | RTLD_NOLOAD);
  if (handle && !dlinfo (handle, RTLD_DI_LINKMAP, &map) && map && map->l_name)
    lib = realpath (map->l_name, resolved) ? resolved : map->l_name;

  {
    /* ev_backend_fd is not in the API: look for the kinds of fd an io_uring
       loop opens */
    const char *kind = "none";
    struct ev_loop *loop = (usable & EVBACKEND_IOURING) ? ev_loop_new (EVBACKEND_IOURING | EVFLAG_NOENV) : 0;
    if (loop)
      {
        int fd, epolls = 0, rings = 0;
        for (fd = 0; fd < 1024; fd++)
          {
            char path[64], target[256];
            ssize_t len;
            snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
            len = readlink (path, target, sizeof target - 1);
            if (len <= 0)
              continue;
            target[len] = 0;
            epolls += strstr (target, "eventpoll") != 0;
            rings += strstr (target, "io_uring") != 0;
          }
        kind = epolls ? "eventpoll" : rings ? "io_uring" : "other";
        ev_loop_destroy (loop);
      }
    printf ("supported=%u usable=%u version=%d.%d lib=%s iouring_fd=%s\n",
            supported, usable, ev_version_major (), ev_version_minor (), lib, kind);
  }
  return 0;
}
