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
 * uses it to prove that LD_LIBRARY_PATH really swapped the libraries.
 */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

  printf ("supported=%u usable=%u version=%d.%d lib=%s\n",
          supported, usable, ev_version_major (), ev_version_minor (), lib);
  return 0;
}
