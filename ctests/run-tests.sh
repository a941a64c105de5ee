#!/usr/bin/env bash
# ctests/run-tests.sh -- build and run the C tests (ctests/*.c) and the C++
# tests (ctests/*.cc, built with $CXX against ev++.h) three ways, under every
# backend each library supports.
#
#   ours         our ev.h (-I$OURS_INC) + our library (rpath + LD_LIBRARY_PATH)
#   refhdr+ours  binary drop-in: compiled against the REFERENCE ev.h and linked
#                against the reference libev.so, then run with our libev.so.4
#                swapped in through LD_LIBRARY_PATH (verified once at start)
#   ref          reference header + reference library (checks the test itself)
#
# Every way runs once per backend (LIBEV_FLAGS=<bit>) that the library loaded
# by that way reports in ev_supported_backends() (asked via ctests/backends.c).
#
# Environment (all optional):
#   OURS_LIB   our shared library            (default: build/lib/libev.so.4)
#   OURS_INC   directory with our ev.h        (default: include)
#   REF_LIB    reference libev.so.4           (default: /usr/lib/<multiarch>/libev.so.4)
#   REF_INC    directory with reference ev.h  (default: /usr/include)
#   TESTS      subset of tests, e.g. "io_basic timer_again" (names, .c/.cc or paths)
#   BACKENDS   restrict backends, numbers or names, e.g. "4 128" or "epoll io_uring"
#              The way "ours" runs io_uring twice on kernels where our io_uring
#              carries an epoll set (6.15+): as it is, and as "io_uring-poll" with
#              LIBEV_TEST_IOURING_POLL=1 (the POLL_ADD backend older kernels get).
#              IOURING_POLL=0 leaves the second run out.
#   WAYS       restrict ways, e.g. "ours refhdr+ours"       (default: all three)
#   JOBS       parallel jobs                   (default: nproc)
#   TIMEOUT    seconds per run                 (default: 20; 120 under valgrind)
#   CC, EXTRA_CFLAGS, EXTRA_LIBS               compiler and additions
#   CXX, EXTRA_CXXFLAGS                        the same for the *.cc tests
#   VALGRIND=1 memcheck mode: only way "ours", under valgrind --leak-check=full;
#              "definitely lost" and memory errors fail the run.
#              Backends from VALGRIND_BACKENDS (default: "4" = epoll).
#   CTEST_BUILD  build directory               (default: build/ctests)
#   KEEP=1     keep the scratch directories of passing runs too
#   CHECK_INSTALL=1  also run checks/check-install.sh (make install into a
#              scratch prefix, programs built against it) as the test
#              "check-install", way "installed" -- set by make check; with
#              TESTS it runs only when TESTS names "check-install"
#   CHECK_PROGRAMS=1  also run checks/check-programs.sh (real programs linked
#              against libev, run with ours swapped in) as the test
#              "check-programs", way "programs" -- set by make check; with
#              TESTS only when TESTS names "check-programs"
#
# Test conventions: exit 0 = pass, 77 = skip (the last stderr line is shown as
# the reason), anything else = fail; killed after $TIMEOUT seconds.  Each run
# gets a fresh scratch directory as cwd and TMPDIR, stdin /dev/null, and the
# environment LIBEV_FLAGS=<backend bit>, CTEST_WAY=<way>, CTEST_BACKEND=<name>.
# A line containing "OURS-ONLY: <reason>" keeps a test from running the "ref"
# way.  Helpers that are not tests: backends.c, files named _*.c/_*.cc and
# files containing the word CTESTS-HELPER.
# Tests may include <event.h> (libev's libevent emulation): the "ours" way
# gets include/event.h, the reference ways the same file next to the
# reference ev.h (Debian installs no libev event.h) unless $REF_INC has one.
# Shared test code goes into headers (ctests/*.h; -Ictests is passed).
#
# Output: one line per test/way/backend ("PASS  name  way  backend"), failure
# details indented below, and finally exactly one line
#   N passed, M failed, K skipped
# Exit status: 1 if anything failed, else 0.

set -u
export LC_ALL=C

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
CC="${CC:-gcc}"
CXX="${CXX:-g++}"
MULTIARCH="$($CC -print-multiarch 2>/dev/null)"
MULTIARCH="${MULTIARCH:-x86_64-linux-gnu}"

abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$(pwd)" "$1" ;; esac; }

OURS_LIB="$(abspath "${OURS_LIB:-$ROOT/build/lib/libev.so.4}")"
OURS_INC="$(abspath "${OURS_INC:-$ROOT/include}")"
REF_LIB="$(abspath "${REF_LIB:-/usr/lib/$MULTIARCH/libev.so.4}")"
REF_INC="$(abspath "${REF_INC:-/usr/include}")"
VALGRIND="${VALGRIND:-0}"
if [ "$VALGRIND" = 1 ]; then
  TIMEOUT="${TIMEOUT:-120}"
  BACKENDS="${VALGRIND_BACKENDS:-4}"
  WAYS="ours"
else
  TIMEOUT="${TIMEOUT:-20}"
  BACKENDS="${BACKENDS:-}"
  WAYS="${WAYS:-ours refhdr+ours ref}"
fi
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"
[[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || JOBS=1
BUILD="$(abspath "${CTEST_BUILD:-$ROOT/build/ctests}")"
KEEP="${KEEP:-0}"
CFLAGS=(-Wall -Werror -O1 -g ${EXTRA_CFLAGS:-})
# -Wno-noexcept-type: libev's own ev++.h triggers it below C++17
CXXFLAGS=(-Wall -Werror -Wno-noexcept-type -O1 -g ${EXTRA_CXXFLAGS:-})
LIBS=(-lpthread -lm -ldl ${EXTRA_LIBS:-})
REF_MISSING_MSG="reference libev not installed: apt-get install libev-dev"

T0=$EPOCHREALTIME
BIN="$BUILD/bin"
mkdir -p "$BIN" || exit 1
find "$BUILD" -maxdepth 1 -name 'run.*' -type d -mmin +60 -exec rm -rf {} + 2> /dev/null  # old failures
SCRATCH="$(mktemp -d "$BUILD/run.XXXXXX")" || exit 1
RUN="$SCRATCH/run"
RESULTS="$SCRATCH/results"
mkdir -p "$RUN" "$SCRATCH/lib-ours" "$SCRATCH/lib-ref" "$SCRATCH/inc-ref"
: > "$RESULTS"

# ---------------------------------------------------------------- utilities
# a result: record it (append, atomic) and print it (one write)
# usage: result STATUS NAME WAY BACKEND [NOTE] [DETAIL...]
NAMEW=20
result() {
  local st="$1" name="$2" way="$3" be="$4" note="${5:-}" line
  shift 5 2>/dev/null || shift $#
  printf '%s\t%s\t%s\t%s\n' "$st" "$name" "$way" "$be" >> "$RESULTS"
  printf -v line '%-4s  %-*s  %-11s  %-8s  %s' "$st" "$NAMEW" "$name" "$way" "$be" "$note"
  line="${line%"${line##*[! ]}"}"      # trim trailing blanks
  if [ $# -gt 0 ]; then
    printf '%s\n%s\n' "$line" "$*"
  else
    printf '%s\n' "$line"
  fi
}
indent() { sed -e 's/^/      /'; }
banner() { printf '%s\n' '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!' "$@" \
                        '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'; }

bname() {
  case "$1" in
    1) echo select ;; 2) echo poll ;; 4) echo epoll ;; 8) echo kqueue ;;
    16) echo devpoll ;; 32) echo port ;; 64) echo linuxaio ;; 128) echo io_uring ;;
    *) echo "backend$1" ;;
  esac
}
bbit() {
  case "$1" in
    select) echo 1 ;; poll) echo 2 ;; epoll) echo 4 ;; kqueue) echo 8 ;;
    devpoll) echo 16 ;; port) echo 32 ;; linuxaio) echo 64 ;; io_uring|iouring) echo 128 ;;
    *[!0-9]*|'') echo 0 ;; *) echo "$1" ;;
  esac
}
bits_of() { local m="$1" b; for b in 1 2 4 8 16 32 64 128 256 512 1024 2048 4096 8192 16384 32768; do (( m & b )) && printf '%s ' "$b"; done; }
names_of() { local b out=""; for b in $(bits_of "$1"); do out="$out${out:+,}$(bname "$b")"; done; echo "${out:-none}"; }

# job pool: spawn "$@" in the background, at most $JOBS at a time
RUNNING=0
spawn() {
  if (( RUNNING >= JOBS )); then wait -n; RUNNING=$((RUNNING - 1)); fi
  "$@" &
  RUNNING=$((RUNNING + 1))
}
drain() { wait; RUNNING=0; }
trap 'trap - INT TERM; kill $(jobs -p) 2>/dev/null; echo "interrupted"; exit 130' INT TERM

in_ways() { case " $WAYS " in *" $1 "*) return 0 ;; esac; return 1; }

# ------------------------------------------------------------ libraries
FATAL=""
OURS_REAL="$(readlink -f "$OURS_LIB")"
ln -sf "$OURS_REAL" "$SCRATCH/lib-ours/libev.so.4"
ln -sf "$OURS_REAL" "$SCRATCH/lib-ours/libev.so"

OURS_HDR=1
[ -f "$OURS_INC/ev.h" ] || OURS_HDR=0

REF_OK=1 REF_WHY=""
if [ ! -f "$REF_INC/ev.h" ] || [ ! -f "$REF_LIB" ]; then
  REF_OK=0; REF_WHY="$REF_MISSING_MSG"
elif ! grep -q 'define EV_VERSION_MINOR 33' "$REF_INC/ev.h"; then
  REF_OK=0; REF_WHY="$REF_INC/ev.h is not libev 4.33's header; set REF_INC"
fi
REF_REAL=""
if [ "$REF_OK" = 1 ]; then
  REF_REAL="$(readlink -f "$REF_LIB")"
  ln -sf "$REF_REAL" "$SCRATCH/lib-ref/libev.so.4"
  ln -sf "$REF_REAL" "$SCRATCH/lib-ref/libev.so"
  # a private include dir holding only the reference headers, used with
  # -isystem: immune to an ev.h installed in /usr/local/include, and the
  # headers stay system headers (as for any user of the packaged libev)
  for h in ev.h ev++.h; do
    [ -f "$REF_INC/$h" ] && ln -sf "$REF_INC/$h" "$SCRATCH/inc-ref/$h"
  done
  # event.h: the reference's only if it is libev's emulation header (not
  # libevent's); else a copy of ours, whose #include "ev.h" then finds the
  # reference ev.h next to it
  if [ -f "$REF_INC/event.h" ] && grep -q iosig "$REF_INC/event.h"; then
    ln -sf "$REF_INC/event.h" "$SCRATCH/inc-ref/event.h"
  elif [ -f "$OURS_INC/event.h" ]; then
    cp -f "$OURS_INC/event.h" "$SCRATCH/inc-ref/event.h"
  fi
fi

# how to compile: variant "ours" (our header) or "ref" (reference header)
cc_flags() {
  if [ "$1" = ours ]; then
    printf '%s\n' -I "$OURS_INC" -I "$HERE"
  else
    printf '%s\n' -I "$HERE" -isystem "$SCRATCH/inc-ref"
  fi
}
# link: ours with rpath to our lib; ref-header binaries like any user binary
# (no rpath, linked against the reference libev.so), the loader is steered
# by LD_LIBRARY_PATH at run time
ld_flags() {
  if [ "$1" = ours ]; then
    printf '%s\n' -L "$SCRATCH/lib-ours" "-Wl,-rpath,$SCRATCH/lib-ours" -lev
  else
    printf '%s\n' -L "$SCRATCH/lib-ref" -lev
  fi
}
# compile SRC for VARIANT into OUT (atomically); log in OUT.log
compile() {
  local src="$1" variant="$2" out="$3" cf lf
  if [ "$variant" = ours ] && [ "$OURS_HDR" = 0 ]; then   # never fall back to a system ev.h
    echo "our header $OURS_INC/ev.h does not exist (set OURS_INC)" > "$out.log"; rm -f "$out"; return 1
  fi
  mapfile -t cf < <(cc_flags "$variant")
  mapfile -t lf < <(ld_flags "$variant")
  local comp=("$CC" "${CFLAGS[@]}")
  case "$src" in *.cc) comp=("$CXX" "${CXXFLAGS[@]}") ;; esac
  if "${comp[@]}" "${cf[@]}" "$src" -o "$out.tmp$$" "${lf[@]}" "${LIBS[@]}" > "$out.log" 2>&1; then
    mv -f "$out.tmp$$" "$out"
  else
    rm -f "$out.tmp$$" "$out"; return 1
  fi
}

echo "ctests: ours = $OURS_LIB -> $OURS_REAL"
echo "ctests: ours header = $OURS_INC/ev.h$([ "$OURS_HDR" = 1 ] || echo ' (MISSING)')"
if [ "$REF_OK" = 1 ] && { in_ways ref || in_ways refhdr+ours; }; then
  echo "ctests: reference = $REF_LIB -> $REF_REAL, header $REF_INC/ev.h"
  [ "$OURS_REAL" = "$REF_REAL" ] && echo "ctests: NOTE: OURS_LIB is the reference library itself (stand-in mode)"
fi

FAILN_PRE=0
prefail() { # name note [detail-text]
  if [ -n "${3:-}" ]; then result FAIL "$1" - - "$2" "$(printf '%s\n' "$3" | indent)"
  else result FAIL "$1" - - "$2"; fi
  FAILN_PRE=$((FAILN_PRE + 1))
}

# ------------------------------------------- backends + binary swap check
# parse "supported=N usable=N version=X lib=PATH"
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<< "$2"; }
probe() { # bin libdir -> stdout line
  LD_LIBRARY_PATH="$2" timeout 10 "$1" -a 2>&1
}

OURS_SUP=0 OURS_USE=0 REF_SUP=0 REF_USE=0 SWAP_OK=0 IOURING_TWICE=0
OURS_LIBOK=1
[ -f "$OURS_LIB" ] || OURS_LIBOK=0
if [ "$OURS_HDR" = 1 ] && [ "$OURS_LIBOK" = 1 ] && in_ways ours; then
  if compile "$HERE/backends.c" ours "$BIN/backends.ours"; then
    out="$(probe "$BIN/backends.ours" "$SCRATCH/lib-ours")"
    if [ "$(field lib "$out")" != "$OURS_REAL" ]; then
      prefail backends.c "our header + our library: did not run on our library" "$out"
    else
      OURS_SUP="$(field supported "$out")" OURS_USE="$(field usable "$out")"
      [ "$(field iouring_fd "$out")" = eventpoll ] && [ "${IOURING_POLL:-1}" != 0 ] && IOURING_TWICE=1
      echo "ctests: ours:        $out"
    fi
  else
    prefail backends.c "(compile against our header)" "$(tail -n 20 "$BIN/backends.ours.log")"
  fi
fi
if [ "$REF_OK" = 1 ] && { in_ways ref || in_ways refhdr+ours; }; then
  if compile "$HERE/backends.c" ref "$BIN/backends.ref"; then
    if [ "$OURS_LIBOK" = 1 ]; then
      out="$(probe "$BIN/backends.ref" "$SCRATCH/lib-ours")"
      if [ "$(field lib "$out")" = "$OURS_REAL" ]; then
        SWAP_OK=1
        echo "ctests: refhdr+ours: $out"
        if [ "$OURS_SUP" = 0 ]; then OURS_SUP="$(field supported "$out")" OURS_USE="$(field usable "$out")"; fi
      elif in_ways refhdr+ours; then
        banner "!! BINARY SWAP FAILED: a binary linked against the reference libev, run with" \
               "!! LD_LIBRARY_PATH=$SCRATCH/lib-ours, did not load our library:" \
               "!!   $out" \
               "!! way refhdr+ours is NOT run"
        prefail binary-swap "LD_LIBRARY_PATH did not swap in our libev.so.4" "$out"
      fi
    fi
    out="$(probe "$BIN/backends.ref" "$SCRATCH/lib-ref")"
    if [ "$(field lib "$out")" = "$REF_REAL" ]; then
      REF_SUP="$(field supported "$out")" REF_USE="$(field usable "$out")"
      echo "ctests: ref:         $out"
    else
      REF_OK=0; REF_WHY="the reference binary did not load $REF_REAL ($out)"
      prefail backends.c "reference header + library: did not run on the reference library" "$out"
    fi
  else
    prefail backends.c "(compile against the reference header)" "$(tail -n 20 "$BIN/backends.ref.log")"
    REF_OK=0; REF_WHY="backends.c does not build against the reference header"
  fi
fi
if in_ways ours || in_ways refhdr+ours; then
  if [ "$OURS_LIBOK" = 0 ]; then
    FATAL="our library $OURS_LIB does not exist (run 'make' first, or set OURS_LIB)"
  elif [ "$OURS_SUP" = 0 ]; then
    FATAL="cannot ask our library which backends it supports (see the failures above)"
  fi
fi

if [ "$REF_OK" = 0 ] && { in_ways ref || in_ways refhdr+ours; }; then
  banner "!! SKIP ($REF_WHY)" \
         "!! the ways refhdr+ours and ref are NOT run; their results are NOT passes"
fi

# backend filter
FILTER=0
if [ -n "$BACKENDS" ]; then
  for b in $BACKENDS; do
    bit="$(bbit "$b")"
    if [ "$bit" = 0 ]; then echo "ctests: unknown backend '$b' in BACKENDS" >&2; FATAL="bad BACKENDS"; fi
    FILTER=$((FILTER | bit))
  done
else
  FILTER=65535
fi

# ------------------------------------------------------------------ tests
# a test is NAME.c (C) or NAME.cc (C++); src_of NAME -> its source file
src_of() { if [ -f "$HERE/$1.cc" ]; then echo "$HERE/$1.cc"; else echo "$HERE/$1.c"; fi; }
ALL=()
for f in "$HERE"/*.c "$HERE"/*.cc; do
  [ -e "$f" ] || continue
  n="$(basename "$f")"; n="${n%.c}"; n="${n%.cc}"
  case "$n" in backends|_*) continue ;; esac
  grep -q 'CTESTS-HELPER' "$f" && continue
  if [ -f "$HERE/$n.c" ] && [ -f "$HERE/$n.cc" ]; then
    case "$f" in *.cc) prefail "$n" "both ctests/$n.c and ctests/$n.cc exist: rename one" "" ;; esac
    continue
  fi
  ALL+=("$n")
done
SEL=()
RUN_INSTALL=0 RUN_PROGRAMS=0
[ "${CHECK_INSTALL:-0}" = 1 ] && [ "$VALGRIND" != 1 ] && RUN_INSTALL=1
[ "${CHECK_PROGRAMS:-0}" = 1 ] && [ "$VALGRIND" != 1 ] && RUN_PROGRAMS=1
if [ -n "${TESTS:-}" ]; then
  want_install=0 want_programs=0
  for t in $TESTS; do
    t="$(basename "$t")"; t="${t%.c}"; t="${t%.cc}"
    if [ "$t" = check-install ]; then want_install=1
    elif [ "$t" = check-programs ]; then want_programs=1
    elif [ -f "$HERE/$t.c" ] || [ -f "$HERE/$t.cc" ]; then SEL+=("$t"); else prefail "$t" "no such test: ctests/$t.c or ctests/$t.cc" ""; fi
  done
  RUN_INSTALL=$want_install RUN_PROGRAMS=$want_programs
else
  SEL=("${ALL[@]}")
fi
for t in "${SEL[@]}"; do (( ${#t} > NAMEW )) && NAMEW=${#t}; done

if [ -n "$FATAL" ]; then
  banner "!! $FATAL"
  n=$((FAILN_PRE + 1))
  echo "0 passed, $n failed, 0 skipped"
  exit 1
fi
[ ${#SEL[@]} -eq 0 ] && [ "$RUN_INSTALL$RUN_PROGRAMS" = 00 ] && echo "ctests: WARNING: no tests found in $HERE"

[ "$VALGRIND" = 1 ] && echo "ctests: valgrind mode (memcheck, leak-check=full, definite leaks fail), backends: $(names_of "$FILTER"), timeout ${TIMEOUT}s"

# ---------------------------------------------------------- compile phase
compile_job() { # name variant
  local name="$1" variant="$2" what
  if ! compile "$(src_of "$name")" "$variant" "$BIN/$name.$variant"; then
    [ "$variant" = ours ] && what="(compile against our header)" || what="(compile against the reference header)"
    result FAIL "$name" "$variant" - "$what" "$(tail -n 25 "$BIN/$name.$variant.log" | indent)"
  fi
}
for t in "${SEL[@]}"; do
  if in_ways ours; then spawn compile_job "$t" ours; fi
  if [ "$REF_OK" = 1 ] && { in_ways ref || in_ways refhdr+ours; }; then spawn compile_job "$t" ref; fi
done
drain

# -------------------------------------------------------------- run phase
VGCMD=()
if [ "$VALGRIND" = 1 ]; then
  VGCMD=(valgrind -q --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
         --error-exitcode=99 --child-silent-after-fork=yes --num-callers=30)
fi

signame() { local s; s="$(kill -l "$1" 2>/dev/null)"; echo "SIG${s:-$1}"; }

run_job() { # name way backend-bit binary libdir [poll: io_uring's POLL_ADD backend]
  local name="$1" way="$2" bit="$3" bin="$4" lib="$5" be d rc t1 el note detail
  local -a extra=()
  be="$(bname "$bit")"
  if [ "${6:-}" = poll ]; then be="$be-poll"; extra=(LIBEV_TEST_IOURING_POLL=1); fi
  d="$RUN/$name.$way.$be"
  mkdir -p "$d" && cd "$d" || exit 1
  t1=${EPOCHREALTIME/./}
  # in the background so that an interrupted harness can stop it (trap);
  # 2>/dev/null only swallows bash's own "Segmentation fault" notices
  env "${extra[@]}" LIBEV_FLAGS="$bit" LD_LIBRARY_PATH="$lib" TMPDIR="$d" CTEST_WAY="$way" CTEST_BACKEND="$be" \
    timeout -k 5 "$TIMEOUT" "${VGCMD[@]}" "$bin" < /dev/null > out 2> err &
  local tpid=$!
  trap 'kill -TERM $tpid 2> /dev/null; exit 143' TERM
  { wait "$tpid"; } 2> /dev/null
  rc=$?
  el=$(( (${EPOCHREALTIME/./} - t1) / 10000 ))
  printf -v el '%d.%02ds' $((el / 100)) $((el % 100))
  case "$rc" in
    0)
      result PASS "$name" "$way" "$be" "($el)"
      [ "$KEEP" = 1 ] || rm -rf "$d"
      ;;
    77)
      note="$(tail -n 1 err)"; [ -n "$note" ] || note="$(tail -n 1 out)"
      note="${note#SKIP: }"; [[ "$note" =~ ^[^\ ]*\.c:\ (.*)$ ]] && note="${BASH_REMATCH[1]}"
      result SKIP "$name" "$way" "$be" "(${note:-exit 77})"
      [ "$KEEP" = 1 ] || rm -rf "$d"
      ;;
    *)
      if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then note="timed out after ${TIMEOUT}s"
      elif [ "$rc" = 99 ] && [ "$VALGRIND" = 1 ]; then note="valgrind reported errors/leaks"
      elif [ "$rc" -gt 128 ]; then note="killed by $(signame $((rc - 128)))"
      else note="exit status $rc"; fi
      if [ -s err ]; then detail="$(tail -n "$([ "$VALGRIND" = 1 ] && echo 40 || echo 12)" err)"
      else detail="$(tail -n 12 out)"; fi
      result FAIL "$name" "$way" "$be" "($note, $el)" \
        "$( { [ -n "$detail" ] && printf '%s\n' "$detail"
              printf 'repro: (cd /tmp && %sLIBEV_FLAGS=%s LD_LIBRARY_PATH=%s %s%s)  [output: %s]\n' \
                "${extra[*]}${extra[*]:+ }" "$bit" "$lib" "${VGCMD[*]}${VGCMD[*]:+ }" "$bin" "$d"; } | indent)"
      ;;
  esac
}

# a checks/ script (the installed tree, the real programs): each of its PASS,
# FAIL and SKIP lines becomes a result of test NAME, way WAY
script_job() { # name way script
  local name=$1 way=$2 script=$3 rc=0 log="$SCRATCH/$1.log" st label detail n=0
  "$ROOT/checks/$script" < /dev/null > "$log" 2>&1 || rc=$?
  while IFS= read -r line; do
    if [[ "$line" =~ ^(PASS|FAIL|SKIP)\ \ (.*)$ ]]; then
      st=${BASH_REMATCH[1]} label=${BASH_REMATCH[2]} n=$((n + 1))
      if [ "$st" = FAIL ]; then
        detail="$(awk -v l="$line" '$0 == l {on = 1; next} on && /^      / {print; next} on {exit}' "$log")"
        result FAIL "$name" "$way" - "$label" "$detail"$'\n'"      repro: make $name  [log: $log]"
      else
        result "$st" "$name" "$way" - "$label"
      fi
    fi
  done < "$log"
  if [ "$rc" != 0 ] && [ "$n" = 0 ]; then
    result FAIL "$name" "$way" - "(exit status $rc)" \
      "$( { tail -n 15 "$log"; echo "repro: make $name  [log: $log]"; } | indent)"
  fi
}
[ "$RUN_INSTALL" = 1 ] && spawn script_job check-install installed check-install.sh
[ "$RUN_PROGRAMS" = 1 ] && spawn script_job check-programs programs check-programs.sh

for t in "${SEL[@]}"; do
  src="$(src_of "$t")"
  if in_ways ours && [ -f "$BIN/$t.ours" ]; then
    for bit in $(bits_of $((OURS_SUP & FILTER))); do
      if (( OURS_USE & bit )); then
        spawn run_job "$t" ours "$bit" "$BIN/$t.ours" "$SCRATCH/lib-ours"
        if [ "$bit" = 128 ] && [ "$IOURING_TWICE" = 1 ]; then
          spawn run_job "$t" ours "$bit" "$BIN/$t.ours" "$SCRATCH/lib-ours" poll
        fi
      else
        result SKIP "$t" ours "$(bname "$bit")" "(ours supports it, but ev_loop_new fails for it here)"
      fi
    done
  fi
  if in_ways refhdr+ours; then
    if [ "$REF_OK" = 0 ]; then
      result SKIP "$t" refhdr+ours - "($REF_WHY)"
    elif [ "$SWAP_OK" = 1 ] && [ -f "$BIN/$t.ref" ]; then
      for bit in $(bits_of $((OURS_SUP & FILTER))); do
        if (( OURS_USE & bit )); then
          spawn run_job "$t" refhdr+ours "$bit" "$BIN/$t.ref" "$SCRATCH/lib-ours"
        else
          result SKIP "$t" refhdr+ours "$(bname "$bit")" "(ours supports it, but ev_loop_new fails for it here)"
        fi
      done
    fi
  fi
  if in_ways ref; then
    only="$(grep -m1 'OURS-ONLY:' "$src")"
    if [ "$REF_OK" = 0 ]; then
      result SKIP "$t" ref - "($REF_WHY)"
    elif [ -n "$only" ]; then
      only="$(sed -e 's/.*OURS-ONLY:[[:space:]]*//' -e 's/[[:space:]]*\*\/.*$//' <<< "$only")"
      result SKIP "$t" ref - "(OURS-ONLY: ${only:-no reason given})"
    elif [ -f "$BIN/$t.ref" ]; then
      for bit in $(bits_of $(((REF_SUP | OURS_SUP) & FILTER))); do
        if ! (( REF_SUP & bit )); then
          result SKIP "$t" ref "$(bname "$bit")" "(reference libev does not support $(bname "$bit"); ours does)"
        elif ! (( REF_USE & bit )); then
          result SKIP "$t" ref "$(bname "$bit")" "(reference supports it, but ev_loop_new fails for it here)"
        else
          spawn run_job "$t" ref "$bit" "$BIN/$t.ref" "$SCRATCH/lib-ref"
        fi
      done
    fi
  fi
  # a backend only the reference supports: ours cannot be run with it
  if (( REF_OK && (REF_SUP & FILTER & ~OURS_SUP) )); then
    for way in ours refhdr+ours; do
      in_ways "$way" || continue
      for bit in $(bits_of $((REF_SUP & FILTER & ~OURS_SUP))); do
        result SKIP "$t" "$way" "$(bname "$bit")" "(our library does not support $(bname "$bit"); the reference does)"
      done
    done
  fi
done
drain

# ---------------------------------------------------------------- summary
P=$(grep -c '^PASS' "$RESULTS")
F=$(grep -c '^FAIL' "$RESULTS")
S=$(grep -c '^SKIP' "$RESULTS")
if [ "$F" -gt 0 ]; then
  echo "failed:"
  grep '^FAIL' "$RESULTS" | sort | awk -F'\t' '{ printf "  %s %s %s\n", $2, $3, $4 }'
  echo "(scratch output of failed runs kept in $RUN)"
elif [ "$KEEP" != 1 ]; then
  rm -rf "$SCRATCH"
fi
[ "$REF_OK" = 0 ] && { in_ways ref || in_ways refhdr+ours; } && banner "!! SKIP ($REF_WHY): refhdr+ours and ref were NOT run"
echo "ctests: ${#SEL[@]} test(s), $(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')s"
echo "$P passed, $F failed, $S skipped"
[ "$F" -eq 0 ]
