#!/usr/bin/env bash
# checks/check-install.sh -- the installed tree works (make check-install;
# make check runs it through ctests/run-tests.sh as the test "check-install").
#
# `make install PREFIX=<scratch>` of the staged build, then:
#   files       the library files and symlinks, libev.a, ev.h/ev++.h/event.h,
#               ev.pc/libev.pc, bin/ev-info exist; SONAME libev.so.4
#   pkg-config  a C program built with `pkg-config --cflags --libs ev`
#               (PKG_CONFIG_PATH=<scratch>/lib/pkgconfig), version 4.33
#   plain       the same built with `gcc prog.c -I<scratch>/include
#               -L<scratch>/lib -lev`
#   rpath       ... with -Wl,-rpath,<scratch>/lib, run without LD_LIBRARY_PATH
#   static      linked with libev.a and `pkg-config --static --libs ev`
#   c++         ev++.h + event.h from C++ with g++ and pkg-config
#   ev-info     the installed ev-info runs and reports the installed library
#   uninstall   `make uninstall PREFIX=<scratch>` removes every file again
# Each program runs a timer and an event.h (libevent emulation) timeout and
# then proves from /proc/self/maps that it loaded <scratch>/lib/libev.so.4
# (resolved), not any other libev (the static one: no libev.so at all).
#
# Environment: CC, CXX, MAKE, KEEP=1 (keep the scratch tree).
# Output: one line per check, finally "N passed, M failed, K skipped";
# exit status 1 if anything failed.

set -u
export LC_ALL=C
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
CC="${CC:-gcc}"
CXX="${CXX:-g++}"
MAKE="${MAKE:-make}"

P=0 F=0 S=0
pass() { P=$((P + 1)); printf 'PASS  %s\n' "$*"; }
fail() { F=$((F + 1)); printf 'FAIL  %s\n' "$1"; shift; [ $# -gt 0 ] && printf '%s\n' "$@" | sed -e 's/^/      /'; }
skip() { S=$((S + 1)); printf 'SKIP  %s\n' "$*"; }

T="$(mktemp -d "${TMPDIR:-/tmp}/check-install.XXXXXX")" || exit 1
PREFIX="$T/prefix"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$T"' EXIT

# a sub-make must not talk to the jobserver of a calling make
submake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$MAKE" -C "$ROOT" --no-print-directory "$@"; }

# LDCONFIG=: -- a scratch prefix is no business of the system's ld.so.cache
if ! submake install PREFIX="$PREFIX" NO_BUILD=1 LDCONFIG=: > "$T/install.log" 2>&1; then
  fail "make install PREFIX=$PREFIX" "$(tail -n 15 "$T/install.log")"
  echo "$P passed, $F failed, $S skipped"
  exit 1
fi
LIB="$PREFIX/lib"
INC="$PREFIX/include"
EXPECT="$(readlink -f "$LIB/libev.so.4")"

# ------------------------------------------------------------------ files
missing=()
for f in lib/libev.so.4.33.0 lib/libev.so.4 lib/libev.so lib/libev.a include/ev.h include/ev++.h \
         include/event.h lib/pkgconfig/ev.pc lib/pkgconfig/libev.pc bin/ev-info; do
  [ -e "$PREFIX/$f" ] || missing+=("$f")
done
[ "$(readlink "$LIB/libev.so.4")" = libev.so.4.33.0 ] || missing+=("lib/libev.so.4 -> libev.so.4.33.0")
[ "$(readlink "$LIB/libev.so")" = libev.so.4 ] || missing+=("lib/libev.so -> libev.so.4")
readelf -d "$LIB/libev.so.4.33.0" 2> /dev/null | grep -q 'SONAME.*\[libev\.so\.4\]' || missing+=("SONAME libev.so.4")
if [ ${#missing[@]} -eq 0 ]; then pass "files      library, symlinks, libev.a, headers, pkg-config files, bin/ev-info"
else fail "files      missing or wrong in $PREFIX:" "${missing[@]}"; fi

# ---------------------------------------------------------------- programs
cat > "$T/prog.c" <<'EOF'
/* uses the installed headers, checks which libev it runs on */
#include <ev.h>
#include <event.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fired, timeouts;
static void timer_cb (struct ev_loop *loop, ev_timer *w, int revents)
{
  (void) loop; (void) w;
  fired += revents == EV_TIMER;
}
static void timeout_cb (int fd, short events, void *arg)
{
  (void) arg;
  timeouts += fd == -1 && events == EV_TIMEOUT;
}

int main (int argc, char **argv)
{
  /* argv[1]: the resolved libev.so.4 that must be mapped, or "static" */
  const char *expect = argc > 1 ? argv[1] : "";
  char line[PATH_MAX + 256], path[PATH_MAX], last[PATH_MAX] = "";
  int found = 0, other = 0;
  struct event e;
  struct timeval tv = { 0, 1000 };
  ev_timer t;
  FILE *maps;

  ev_timer_init (&t, timer_cb, 0.001, 0.);
  ev_timer_start (EV_DEFAULT, &t);
  ev_run (EV_DEFAULT, 0);
  event_init ();
  evtimer_set (&e, timeout_cb, 0);
  evtimer_add (&e, &tv);
  event_dispatch ();
  if (fired != 1 || timeouts != 1 || ev_version_major () != 4 || ev_version_minor () != 33)
    {
      printf ("libev does not work: fired=%d timeouts=%d version=%d.%d\n",
              fired, timeouts, ev_version_major (), ev_version_minor ());
      return 1;
    }
  maps = fopen ("/proc/self/maps", "r");
  if (!maps)
    return 2;
  while (fgets (line, sizeof line, maps))
    {
      char *p = strchr (line, '/'), *real;
      if (!p || !strstr (p, "/libev.so"))
        continue;
      p[strcspn (p, "\n")] = 0;
      real = realpath (p, 0);
      snprintf (path, sizeof path, "%s", real ? real : p);
      free (real);
      if (!strcmp (path, expect))
        found = 1;
      else
        {
          other = 1;
          if (strcmp (path, last))       /* one line per file, not per mapping */
            printf ("also mapped: %s\n", path);
          snprintf (last, sizeof last, "%s", path);
        }
    }
  fclose (maps);
  if (!strcmp (expect, "static"))
    found = 1;
  printf ("%s: %s\n", found && !other ? "ok" : "WRONG LIBRARY", !strcmp (expect, "static") ? "no libev.so mapped" : expect);
  return found && !other ? 0 : 3;
}
EOF
cat > "$T/prog.cc" <<'EOF'
// ev++.h and event.h (both installed) from C++
#include <ev++.h>
#include <event.h>
#include <stdio.h>
static int n;
static void cb (ev::timer &w, int) { n++; w.loop.break_loop (); }
int main ()
{
  ev::dynamic_loop loop;
  ev::timer t (loop);
  t.set<cb> ();
  t.start (0.001);
  loop.run ();
  struct event e;
  evtimer_set (&e, 0, 0);
  printf ("%s\n", n == 1 && event_initialized (&e) ? "ok" : "FAILED");
  return n == 1 ? 0 : 1;
}
EOF

export PKG_CONFIG_PATH="$LIB/pkgconfig"
# build_run LABEL ENV-FOR-RUN EXPECT -- build command...
build_run() {
  local label="$1" runenv="$2" expect="$3" out
  shift 4
  if ! "$@" > "$T/build.log" 2>&1; then
    fail "$label" "build: $*" "$(tail -n 10 "$T/build.log")"; return
  fi
  if out="$(env -u LD_LIBRARY_PATH -u LD_PRELOAD $runenv timeout 20 "$T/prog" "$expect" 2>&1)"; then
    pass "$label  ($out)"
  else
    fail "$label" "run: $runenv $T/prog $expect" "$out"
  fi
}

if ! command -v pkg-config > /dev/null; then
  skip "pkg-config  pkg-config is not installed (apt-get install pkg-config)"
else
  v="$(pkg-config --modversion ev 2>&1)"
  mapfile -t pc < <(pkg-config --cflags --libs ev | tr ' ' '\n' | grep -v '^$')
  if [ "$v" != 4.33 ] || [ "$(pkg-config --modversion libev 2>&1)" != 4.33 ]; then
    fail "pkg-config  --modversion ev / libev: $v (expected 4.33)"
  elif ! printf '%s\n' "${pc[@]}" | grep -qx -- "-I$INC"; then
    fail "pkg-config  --cflags --libs ev lacks -I$INC: ${pc[*]}"
  else
    build_run "pkg-config gcc prog.c \$(pkg-config --cflags --libs ev)" "LD_LIBRARY_PATH=$LIB" "$EXPECT" -- \
      "$CC" -Wall -Werror "$T/prog.c" -o "$T/prog" "${pc[@]}"
  fi
fi

build_run "plain      gcc prog.c -I\$prefix/include -L\$prefix/lib -lev" "LD_LIBRARY_PATH=$LIB" "$EXPECT" -- \
  "$CC" -Wall -Werror "$T/prog.c" -I"$INC" -L"$LIB" -lev -o "$T/prog"

build_run "rpath      gcc ... -Wl,-rpath,\$prefix/lib, run without LD_LIBRARY_PATH" "" "$EXPECT" -- \
  "$CC" -Wall -Werror "$T/prog.c" -I"$INC" -L"$LIB" -Wl,-rpath,"$LIB" -lev -o "$T/prog"

if command -v pkg-config > /dev/null; then
  mapfile -t st < <(pkg-config --static --libs ev | tr ' ' '\n' | grep -v '^$' | sed -e 's/^-lev$/-l:libev.a/')
  build_run "static     gcc prog.c -I\$prefix/include \$(pkg-config --static --libs ev) with libev.a" "" static -- \
    "$CC" -Wall -Werror "$T/prog.c" -I"$INC" -o "$T/prog" "${st[@]}"
else
  skip "static     needs pkg-config"
fi

if command -v "$CXX" > /dev/null; then
  if "$CXX" -Wall -Werror "$T/prog.cc" -I"$INC" -L"$LIB" -Wl,-rpath,"$LIB" -lev -o "$T/progxx" > "$T/build.log" 2>&1; then
    if out="$(env -u LD_LIBRARY_PATH timeout 20 "$T/progxx" 2>&1)" && [ "$out" = ok ]; then
      pass "c++        g++ with the installed ev++.h and event.h"
    else
      fail "c++        the ev++.h program failed" "$out"
    fi
  else
    fail "c++        g++ with the installed ev++.h and event.h" "$(tail -n 10 "$T/build.log")"
  fi
else
  skip "c++        $CXX not installed"
fi

if [ -x "$PREFIX/bin/ev-info" ]; then
  if out="$(env -u LD_LIBRARY_PATH -u LIBEV_FLAGS timeout 20 "$PREFIX/bin/ev-info" 2>&1)" \
     && grep -qx "library      $EXPECT" <<< "$out"; then
    pass "ev-info    \$prefix/bin/ev-info runs on \$prefix/lib ($(grep '^default loop' <<< "$out"))"
  else
    fail "ev-info    \$prefix/bin/ev-info did not run on $EXPECT" "$out"
  fi
else
  fail "ev-info    $PREFIX/bin/ev-info is not installed"
fi

# ---------------------------------------------------------------- uninstall
if submake uninstall PREFIX="$PREFIX" LDCONFIG=: > "$T/uninstall.log" 2>&1; then
  left="$(cd "$PREFIX" && find . \( -type f -o -type l \) | sort)"
  if [ -z "$left" ]; then pass "uninstall  make uninstall removes every installed file"
  else fail "uninstall  files left behind in $PREFIX:" "$left"; fi
else
  fail "uninstall  make uninstall PREFIX=$PREFIX" "$(tail -n 10 "$T/uninstall.log")"
fi

echo "$P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
