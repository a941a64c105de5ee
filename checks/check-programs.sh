#!/usr/bin/env bash
# checks/check-programs.sh -- real libev programs from Debian, run on our
# libev.so.4 (make check-programs).
#
#   nghttp2  nghttpd (HTTP/2 server, cleartext) loaded with one library,
#            h2load (HTTP/2 load generator) with the other:
#              server ours / client reference, server reference / client
#              ours, both ours -- and both ours once per backend our library
#              can open here (LIBEV_FLAGS), with 2 server worker threads;
#   shadowsocks-libev  h2load -> ss-tunnel -> ss-server -> nghttpd, all four
#            processes on our library (an encrypted TCP relay: io, timers,
#            signals, many connections).
#
# Pass criteria: h2load reports "requests: N total, N started, N done,
# N succeeded" with no failures, errors or timeouts, and every process had
# the expected libev.so.4 mapped: /proc/PID/maps while a server runs; for
# the short-lived h2load the same file copied at exit by an LD_PRELOAD
# helper (checks/maps_at_exit.c).  Our library is swapped in through
# LD_LIBRARY_PATH (a directory holding only libev.so.4 -> our library).
# Everything listens on 127.0.0.1 only; request counts and run times are
# bounded (timeouts).
#
# Missing programs are installed when running as root with apt-get
# (nghttp2-server nghttp2-client shadowsocks-libev; service starts are
# suppressed through policy-rc.d); otherwise those checks are SKIPPED.
#
# Environment: OURS_LIB (default build/lib/libev.so.4), OURS_INC (include),
# REQUESTS (per h2load run, default 2000), CC.
# Output: one line per check, finally "N passed, M failed, K skipped";
# exit status 1 if anything failed.

set -u
export LC_ALL=C
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
CC="${CC:-gcc}"
OURS_LIB="${OURS_LIB:-$ROOT/build/lib/libev.so.4}"
OURS_INC="${OURS_INC:-$ROOT/include}"
case "$OURS_LIB" in /*) ;; *) OURS_LIB="$ROOT/$OURS_LIB" ;; esac
case "$OURS_INC" in /*) ;; *) OURS_INC="$ROOT/$OURS_INC" ;; esac
REQUESTS="${REQUESTS:-2000}"
[[ "$REQUESTS" =~ ^[1-9][0-9]*$ ]] || REQUESTS=2000

NGHTTPD=/usr/sbin/nghttpd
H2LOAD=/usr/bin/h2load
SS_SERVER=/usr/bin/ss-server
SS_TUNNEL=/usr/bin/ss-tunnel

P=0 F=0 S=0
pass() { P=$((P + 1)); printf 'PASS  %s\n' "$*"; }
fail() { F=$((F + 1)); printf 'FAIL  %s\n' "$1"; shift; [ $# -gt 0 ] && printf '%s\n' "$@" | sed -e 's/^/      /'; }
skip() { S=$((S + 1)); printf 'SKIP  %s\n' "$*"; }
summary() { echo "$P passed, $F failed, $S skipped"; [ "$F" -eq 0 ]; }

# ---------------------------------------------------------------- scratch
WORK="$(mktemp -d "${TMPDIR:-/tmp}/check-programs.XXXXXX")" || exit 1
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2> /dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2> /dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------ our library
if [ ! -f "$OURS_LIB" ]; then
  fail "our library $OURS_LIB does not exist (run make)"
  summary; exit 1
fi
OURS_REAL="$(readlink -f "$OURS_LIB")"
mkdir -p "$WORK/lib"
ln -s "$OURS_REAL" "$WORK/lib/libev.so.4"
OURS_DIR="$WORK/lib"
echo "check-programs: ours = $OURS_LIB -> $OURS_REAL"

# ------------------------------------------------------------- programs
have_all() { local f; for f in "$@"; do [ -x "$f" ] || return 1; done; }
install_pkgs() { # packages...
  if [ "$(id -u)" != 0 ] || ! command -v apt-get > /dev/null; then
    return 1
  fi
  local made_policy=0 rc=0
  # no daemon may be started by the packages' maintainer scripts
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  echo "check-programs: apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" > "$WORK/apt.log" 2>&1 \
    || { apt-get update > /dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" > "$WORK/apt.log" 2>&1; } \
    || rc=1
  [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ "$rc" = 0 ] || tail -n 5 "$WORK/apt.log" | sed -e 's/^/check-programs: /'
  return $rc
}
HAVE_NGHTTP2=1 HAVE_SS=1
if ! have_all "$NGHTTPD" "$H2LOAD"; then
  install_pkgs nghttp2-server nghttp2-client || true
  have_all "$NGHTTPD" "$H2LOAD" || HAVE_NGHTTP2=0
fi
if ! have_all "$SS_SERVER" "$SS_TUNNEL"; then
  install_pkgs shadowsocks-libev || true
  have_all "$SS_SERVER" "$SS_TUNNEL" || HAVE_SS=0
fi

# the reference libev.so.4 the programs load by themselves
REF_REAL=""
if [ "$HAVE_NGHTTP2" = 1 ]; then
  REF_REAL="$(env -u LD_LIBRARY_PATH -u LD_PRELOAD ldd "$H2LOAD" 2>/dev/null | awk '$1 == "libev.so.4" { print $3 }')"
  [ -n "$REF_REAL" ] && REF_REAL="$(readlink -f "$REF_REAL")"
  echo "check-programs: reference = ${REF_REAL:-(not found)}"
  if [ "$REF_REAL" = "$OURS_REAL" ]; then
    echo "check-programs: NOTE: the programs' own libev.so.4 is ours: the mixed pairs prove less"
  fi
fi

# ------------------------------------------------------------- helpers
if ! $CC -O2 -Wall -shared -fPIC "$HERE/maps_at_exit.c" -o "$WORK/maps_at_exit.so" > "$WORK/cc.log" 2>&1; then
  fail "build checks/maps_at_exit.c" "$(cat "$WORK/cc.log")"
  summary; exit 1
fi
# the backends our library opens here
cat > "$WORK/usable.c" <<'EOF'
#include <ev.h>
#include <stdio.h>
int main (void)
{
  unsigned int b, all = ev_supported_backends ();
  for (b = 1; b; b <<= 1)
    if (all & b)
      {
        struct ev_loop *l = ev_loop_new (b | EVFLAG_NOENV);
        if (l && ev_backend (l) == b)
          printf ("%u\n", b);
        if (l)
          ev_loop_destroy (l);
      }
  return 0;
}
EOF
USABLE=""
if $CC -I "$OURS_INC" "$WORK/usable.c" -o "$WORK/usable" -L "$OURS_DIR" -Wl,-rpath,"$OURS_DIR" "$OURS_DIR/libev.so.4" > "$WORK/cc.log" 2>&1; then
  USABLE="$("$WORK/usable")"
else
  fail "build the backend probe against $OURS_INC" "$(tail -n 10 "$WORK/cc.log")"
fi
bname() {
  case "$1" in 1) echo select ;; 2) echo poll ;; 4) echo epoll ;; 64) echo linuxaio ;; 128) echo io_uring ;; *) echo "backend$1" ;; esac
}

# a TCP port on 127.0.0.1 nobody listens on (re-checked by the caller)
port_busy() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }
pick_port() {
  local p i
  for i in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    port_busy "$p" || { echo "$p"; return 0; }
  done
  return 1
}
# wait (up to 5 s) until PID listens on PORT; fails if PID died
wait_port() { # pid port
  local i
  for i in $(seq 1 100); do
    kill -0 "$1" 2> /dev/null || return 1
    port_busy "$2" && return 0
    sleep 0.05
  done
  return 1
}

# which libev.so.4 files a maps file shows (resolved paths), one per line
libev_in_maps() { awk '$6 ~ /\/libev\.so/ { print $6 }' "$1" | sort -u | while read -r f; do readlink -f "$f"; done | sort -u; }
# check_maps LABEL MAPSFILE EXPECTED-REAL -> 0/1, message in $MAPS_WHY
check_maps() {
  local got
  got="$(libev_in_maps "$2")"
  if [ "$got" = "$3" ]; then MAPS_WHY=""; return 0; fi
  MAPS_WHY="$1 had mapped: ${got:-no libev at all} (expected $3)"
  return 1
}

# the environment of a program run with library MODE (ours|ref): env(1) args
run_env() { # mode [extra VAR=value...]
  local a=(-u LD_LIBRARY_PATH -u LD_PRELOAD -u LIBEV_FLAGS)
  [ "$1" = ours ] && a+=(LD_LIBRARY_PATH="$OURS_DIR")
  [ -n "${BACKEND_FLAGS:-}" ] && a+=(LIBEV_FLAGS="$BACKEND_FLAGS")
  shift
  printf '%s\n' "${a[@]}" "$@"
}

# start_server NAME LIBMODE(ours|ref) PORT cmd... -> sets SERVER_PID
start_server() {
  local name="$1" mode="$2" port="$3" e
  shift 3
  mapfile -t e < <(run_env "$mode")
  # exec: $! is the server itself (env execs it)
  env "${e[@]}" "$@" > "$WORK/$name.log" 2>&1 < /dev/null &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_port "$SERVER_PID" "$port"
}
stop_server() { # pid
  kill "$1" 2> /dev/null
  wait "$1" 2> /dev/null
  local p keep=()
  for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

# h2load LIBMODE URL OUT-PREFIX [extra args] -> 0 if every request succeeded;
# message in $H2_WHY, the request line in $H2_LINE, maps in OUT-PREFIX.maps
run_h2load() {
  local mode="$1" url="$2" out="$3" rc=0
  shift 3
  local e
  mapfile -t e < <(run_env "$mode" EVCHECK_MAPS_OUT="$out.maps" LD_PRELOAD="$WORK/maps_at_exit.so")
  rm -f "$out.maps"
  timeout -k 5 60 env "${e[@]}" "$H2LOAD" -n "$REQUESTS" -c 8 -m 8 -T 30 -N 30 "$@" "$url" \
    > "$out.log" 2>&1 < /dev/null || rc=$?
  H2_LINE="$(grep -m1 '^requests:' "$out.log")"
  H2_WHY=""
  if [ "$rc" != 0 ]; then
    H2_WHY="h2load exit status $rc"; return 1
  fi
  local n="$REQUESTS"
  if [[ ! "$H2_LINE" =~ ^requests:\ $n\ total,\ $n\ started,\ $n\ done,\ $n\ succeeded,\ 0\ failed,\ 0\ errored,\ 0\ timeout ]]; then
    H2_WHY="not every request succeeded: ${H2_LINE:-no 'requests:' line}"; return 1
  fi
  return 0
}

# ------------------------------------------------------------- nghttp2
mkdir -p "$WORK/www"
head -c 8192 /dev/urandom > "$WORK/www/blob.bin"
printf 'hello from nghttpd\n' > "$WORK/www/index.html"

# nghttp2_pair LABEL SERVER-MODE CLIENT-MODE [nghttpd args]
nghttp2_pair() {
  local label="$1" smode="$2" cmode="$3" port sexp cexp why=()
  shift 3
  [ "$smode" = ours ] && sexp="$OURS_REAL" || sexp="$REF_REAL"
  [ "$cmode" = ours ] && cexp="$OURS_REAL" || cexp="$REF_REAL"
  port="$(pick_port)" || { fail "$label" "no free port"; return; }
  if ! start_server nghttpd "$smode" "$port" "$NGHTTPD" --no-tls -a 127.0.0.1 -d "$WORK/www" "$@" "$port"; then
    fail "$label" "nghttpd did not start listening on 127.0.0.1:$port" "$(tail -n 5 "$WORK/nghttpd.log")"
    stop_server "$SERVER_PID"; return
  fi
  cp "/proc/$SERVER_PID/maps" "$WORK/server.maps" 2> /dev/null
  check_maps nghttpd "$WORK/server.maps" "$sexp" || why+=("$MAPS_WHY")
  if ! run_h2load "$cmode" "http://127.0.0.1:$port/blob.bin" "$WORK/h2load"; then
    why+=("$H2_WHY" "$(tail -n 6 "$WORK/h2load.log")")
  fi
  if [ -f "$WORK/h2load.maps" ]; then
    check_maps h2load "$WORK/h2load.maps" "$cexp" || why+=("$MAPS_WHY")
  else
    why+=("h2load left no maps copy (did it exit normally?)")
  fi
  kill -0 "$SERVER_PID" 2> /dev/null || why+=("nghttpd died: $(tail -n 3 "$WORK/nghttpd.log")")
  stop_server "$SERVER_PID"
  if [ ${#why[@]} -eq 0 ]; then pass "$label  (${H2_LINE#requests: })"; else fail "$label" "${why[@]}"; fi
}

if [ "$HAVE_NGHTTP2" = 0 ]; then
  skip "nghttp2: nghttpd/h2load not installed (apt-get install nghttp2-server nghttp2-client as root)"
elif [ -z "$REF_REAL" ]; then
  skip "nghttp2: cannot tell which libev.so.4 h2load loads by itself (ldd)"
else
  BACKEND_FLAGS=""
  nghttp2_pair "nghttp2  server=ours client=ref" ours ref
  nghttp2_pair "nghttp2  server=ref  client=ours" ref ours
  nghttp2_pair "nghttp2  server=ours client=ours" ours ours
  for b in $USABLE; do
    BACKEND_FLAGS="$b"
    nghttp2_pair "nghttp2  server=ours client=ours  LIBEV_FLAGS=$b ($(bname "$b")), 2 server workers" ours ours -n 2
  done
  BACKEND_FLAGS=""
fi

# ---------------------------------------------------- shadowsocks-libev
if [ "$HAVE_SS" = 0 ] || [ "$HAVE_NGHTTP2" = 0 ]; then
  skip "shadowsocks-libev: ss-server/ss-tunnel (or nghttp2) not installed (apt-get install shadowsocks-libev as root)"
else
  label="shadowsocks-libev  h2load -> ss-tunnel -> ss-server -> nghttpd, all ours"
  why=()
  pw="check-$RANDOM$RANDOM" method=chacha20-ietf-poly1305
  ports_ok=1
  p_http="$(pick_port)" && p_ss="$(pick_port)" && p_tun="$(pick_port)" || ports_ok=0
  if [ "$ports_ok" = 0 ] || [ "$p_http" = "$p_ss" ] || [ "$p_ss" = "$p_tun" ] || [ "$p_http" = "$p_tun" ]; then
    fail "$label" "no free ports"
  else
    start_server nghttpd ours "$p_http" "$NGHTTPD" --no-tls -a 127.0.0.1 -d "$WORK/www" "$p_http" \
      || why+=("nghttpd did not start: $(tail -n 3 "$WORK/nghttpd.log")")
    ng_pid=$SERVER_PID
    start_server ss-server ours "$p_ss" "$SS_SERVER" -s 127.0.0.1 -p "$p_ss" -k "$pw" -m "$method" -t 30 \
      || why+=("ss-server did not start: $(tail -n 3 "$WORK/ss-server.log")")
    sss_pid=$SERVER_PID
    start_server ss-tunnel ours "$p_tun" "$SS_TUNNEL" -s 127.0.0.1 -p "$p_ss" -b 127.0.0.1 -l "$p_tun" \
      -L "127.0.0.1:$p_http" -k "$pw" -m "$method" -t 30 \
      || why+=("ss-tunnel did not start: $(tail -n 3 "$WORK/ss-tunnel.log")")
    sst_pid=$SERVER_PID
    if [ ${#why[@]} -eq 0 ]; then
      for pp in "nghttpd:$ng_pid" "ss-server:$sss_pid" "ss-tunnel:$sst_pid"; do
        cp "/proc/${pp#*:}/maps" "$WORK/${pp%%:*}.maps" 2> /dev/null
        check_maps "${pp%%:*}" "$WORK/${pp%%:*}.maps" "$OURS_REAL" || why+=("$MAPS_WHY")
      done
      run_h2load ours "http://127.0.0.1:$p_tun/blob.bin" "$WORK/h2load-ss" \
        || why+=("$H2_WHY" "$(tail -n 6 "$WORK/h2load-ss.log")")
      if [ -f "$WORK/h2load-ss.maps" ]; then
        check_maps h2load "$WORK/h2load-ss.maps" "$OURS_REAL" || why+=("$MAPS_WHY")
      else
        why+=("h2load left no maps copy")
      fi
      for pp in "nghttpd:$ng_pid" "ss-server:$sss_pid" "ss-tunnel:$sst_pid"; do
        kill -0 "${pp#*:}" 2> /dev/null || why+=("${pp%%:*} died: $(tail -n 3 "$WORK/${pp%%:*}.log")")
      done
    fi
    stop_server "$sst_pid"; stop_server "$sss_pid"; stop_server "$ng_pid"
    if [ ${#why[@]} -eq 0 ]; then pass "$label  (${H2_LINE#requests: })"; else fail "$label" "${why[@]}"; fi
  fi
fi

summary
