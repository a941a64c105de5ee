# Makefile -- build, stage, test and install the Rust libev 4.33 replacement.
#
#   make              cargo build --release, then stage build/lib/ (+ build/bin/ev-info)
#   make demo         build and run examples/demo.c against the staged library
#   make check        run every C/C++ test (ctests/run-tests.sh): 3 ways x
#                     backends, plus check-install (folded into its summary)
#   make check-install    install into a scratch prefix, build + run programs
#                     against it (pkg-config, -I/-L, rpath, static, C++, ev-info)
#   make check-programs   Debian's libev programs (nghttp2, shadowsocks-libev)
#                     on our library (installs them with apt-get when root)
#   make check-valgrind   the C tests (our header + our library) under memcheck
#   make abi-check    ../shared/abi/abi-check on the staged library + include/
#   make install / uninstall   (PREFIX, LIBDIR, INCLUDEDIR, BINDIR, DESTDIR)
#   make clean
#
# Testing another library (e.g. the reference libev standing in for ours):
#   make check OURS_LIB=/usr/lib/x86_64-linux-gnu/libev.so.4 OURS_INC=/usr/include
# When OURS_LIB is not the staged build/lib/libev.so.4, nothing is built.

VERSION      := 4.33
SOVERSION    := 4.33.0

PREFIX       ?= /usr/local
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BINDIR       ?= $(PREFIX)/bin
# run after (un)installing as root without DESTDIR; LDCONFIG=: skips it
LDCONFIG     ?= ldconfig
DESTDIR      ?=

CARGO        ?= cargo
CARGOFLAGS   ?=
CARGO_TARGET_DIR ?= target
CARGO_OUT    := $(CARGO_TARGET_DIR)/release

BUILDDIR     := build
STAGE        := $(BUILDDIR)/lib
STAGED_LIB   := $(STAGE)/libev.so.4
HEADER_NAMES := ev.h ev++.h event.h

# the library and header directory under test (override to test another one)
OURS_LIB     ?= $(STAGED_LIB)
OURS_INC     ?= include
OURS_LIBDIR   = $(patsubst %/,%,$(dir $(OURS_LIB)))
# build our library first only when it is the one under test
OURS_DEPS    := $(if $(filter $(STAGED_LIB) ./$(STAGED_LIB) $(CURDIR)/$(STAGED_LIB),$(OURS_LIB)),all)

ABI_CHECK    ?= ../shared/abi/abi-check
DEMO_CFLAGS  ?= -O2 -g -Wall -Wextra
EVINFO_CFLAGS ?= -O2 -g -Wall -Wextra

# knobs of ctests/run-tests.sh (see its header), passed through when set
export OURS_LIB OURS_INC REF_LIB REF_INC TESTS BACKENDS WAYS JOBS TIMEOUT \
       VALGRIND_BACKENDS KEEP EXTRA_CFLAGS EXTRA_LIBS EXTRA_CXXFLAGS REQUESTS

# ev.pc.in -> ev.pc; libdir/includedir relative to ${prefix} where possible
pc_libdir     = $(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))
pc_includedir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))
PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(pc_libdir)|g' \
             -e 's|@INCLUDEDIR@|$(pc_includedir)|g' -e 's|@VERSION@|$(VERSION)|g'

.PHONY: all demo check check-valgrind check-install check-programs abi-check bench bench-quick install uninstall clean ref-libev

all:
	$(CARGO) build --release $(CARGOFLAGS)
	@mkdir -p $(STAGE)/pkgconfig
	@# copy + rename: a test still running on the old library keeps its inode
	cp -f $(CARGO_OUT)/libev.so $(STAGE)/.libev.so.tmp
	mv -f $(STAGE)/.libev.so.tmp $(STAGE)/libev.so.$(SOVERSION)
	ln -sfn libev.so.$(SOVERSION) $(STAGE)/libev.so.4
	ln -sfn libev.so.4 $(STAGE)/libev.so
	cp -f $(CARGO_OUT)/libev.a $(STAGE)/.libev.a.tmp
	mv -f $(STAGE)/.libev.a.tmp $(STAGE)/libev.a
	$(PC_SED) ev.pc.in > $(STAGE)/pkgconfig/ev.pc
	@readelf -d $(STAGE)/libev.so.$(SOVERSION) 2>/dev/null | grep -q 'SONAME.*\[libev\.so\.4\]' \
	  || echo "WARNING: $(STAGE)/libev.so.$(SOVERSION) has no SONAME libev.so.4 (build.rs must set it)"
	@# ev-info finds the library as ../lib relative to itself (build/ or $(PREFIX))
	@mkdir -p $(BUILDDIR)/bin
	$(CC) $(EVINFO_CFLAGS) -Iinclude tools/ev-info.c -o $(BUILDDIR)/bin/ev-info \
	  -L$(STAGE) -Wl,-rpath,'$$ORIGIN/../lib' -lev

# the header dir is given as -isystem, the way an installed ev.h is seen (the
# ev.h macros of libev 4.33 itself trip -Wstrict-aliasing at -O2 otherwise)
demo: $(OURS_DEPS)
	@mkdir -p $(BUILDDIR)
	$(CC) $(DEMO_CFLAGS) -isystem $(OURS_INC) examples/demo.c -o $(BUILDDIR)/demo \
	  -L$(OURS_LIBDIR) -Wl,-rpath,$(abspath $(OURS_LIBDIR)) -lev
	@ldd $(BUILDDIR)/demo | grep 'libev\.so' || true
	./$(BUILDDIR)/demo

# the reference libev (libev-dev) is needed for the refhdr+ours and ref ways
ref-libev:
	@if [ ! -f /usr/include/ev.h ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get > /dev/null; then \
	    echo "reference libev not installed: apt-get install -y libev-dev"; \
	    apt-get update && apt-get install -y libev-dev \
	      || echo "WARNING: could not install libev-dev; the reference ways will be SKIPPED"; \
	  else \
	    echo "WARNING: reference libev not installed (apt-get install libev-dev as root);" \
	         "the reference ways will be SKIPPED"; \
	  fi; \
	fi

# Rust unit tests and the stale-header check first, then the C suite (whose
# last line is the summary CI reads).
# CHECK_INSTALL=1: the harness also runs checks/check-install.sh (as the test
# "check-install"), so its result is part of the final summary line; only
# when the staged build is the library under test.
check: ref-libev $(OURS_DEPS)
	EV_HEADER_CHECK=1 $(CARGO) test -q
	CHECK_INSTALL=$(if $(OURS_DEPS),1,0) CHECK_PROGRAMS=$(if $(OURS_DEPS),1,0) ctests/run-tests.sh

check-install: all
	checks/check-install.sh

check-programs: $(OURS_DEPS)
	checks/check-programs.sh

check-valgrind: $(OURS_DEPS)
	@command -v valgrind > /dev/null || { [ "$$(id -u)" = 0 ] && apt-get update && apt-get install -y valgrind; } \
	  || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
	VALGRIND=1 ctests/run-tests.sh

# Side by side with the reference libev, as ratios: the whole matrix with
# instruction counts and the plot (a few minutes); bench-quick: under a minute,
# one headline ratio per backend and the geometric means.
bench: ref-libev all
	@command -v gnuplot > /dev/null || [ "$$(id -u)" != 0 ] || { apt-get update -qq && apt-get install -y -qq gnuplot-nox > /dev/null; } || true
	@command -v valgrind > /dev/null || [ "$$(id -u)" != 0 ] || { apt-get update -qq && apt-get install -y -qq valgrind > /dev/null; } || true
	BENCH_FULL=1 BENCH_CALLGRIND=$$(command -v valgrind > /dev/null && echo 1) bench/run.sh

bench-quick: ref-libev all
	bench/run.sh

abi-check: $(OURS_DEPS)
	$(ABI_CHECK) $(OURS_LIB) $(OURS_INC)

# NO_BUILD=1: install what is staged without running cargo (e.g. under sudo)
install: $(if $(NO_BUILD),,all)
	@test -f $(STAGE)/libev.so.$(SOVERSION) || { echo "nothing staged in $(STAGE): run make first"; exit 1; }
	install -d "$(DESTDIR)$(LIBDIR)" "$(DESTDIR)$(PKGCONFIGDIR)" "$(DESTDIR)$(INCLUDEDIR)"
	install -m 0755 $(STAGE)/libev.so.$(SOVERSION) "$(DESTDIR)$(LIBDIR)/libev.so.$(SOVERSION)"
	ln -sfn libev.so.$(SOVERSION) "$(DESTDIR)$(LIBDIR)/libev.so.4"
	ln -sfn libev.so.4 "$(DESTDIR)$(LIBDIR)/libev.so"
	install -m 0644 $(STAGE)/libev.a "$(DESTDIR)$(LIBDIR)/libev.a"
	@for h in $(HEADER_NAMES); do \
	  echo "install -m 0644 include/$$h $(DESTDIR)$(INCLUDEDIR)/$$h"; \
	  install -m 0644 include/$$h "$(DESTDIR)$(INCLUDEDIR)/$$h" || exit 1; \
	done
	$(PC_SED) ev.pc.in > "$(DESTDIR)$(PKGCONFIGDIR)/ev.pc"
	$(PC_SED) ev.pc.in > "$(DESTDIR)$(PKGCONFIGDIR)/libev.pc"
	@if [ -f $(BUILDDIR)/bin/ev-info ]; then \
	  echo "install -m 0755 $(BUILDDIR)/bin/ev-info $(DESTDIR)$(BINDIR)/ev-info"; \
	  install -d "$(DESTDIR)$(BINDIR)" && install -m 0755 $(BUILDDIR)/bin/ev-info "$(DESTDIR)$(BINDIR)/ev-info" || exit 1; \
	else echo "WARNING: $(BUILDDIR)/bin/ev-info not built (run make): not installed"; fi
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v $(LDCONFIG) > /dev/null; then $(LDCONFIG); fi

uninstall:
	rm -f "$(DESTDIR)$(LIBDIR)/libev.so.$(SOVERSION)" "$(DESTDIR)$(LIBDIR)/libev.so.4" \
	      "$(DESTDIR)$(LIBDIR)/libev.so" "$(DESTDIR)$(LIBDIR)/libev.a" \
	      "$(DESTDIR)$(PKGCONFIGDIR)/ev.pc" "$(DESTDIR)$(PKGCONFIGDIR)/libev.pc" \
	      "$(DESTDIR)$(BINDIR)/ev-info"
	@# only the headers this tree ships (never e.g. libevent's event.h)
	@for h in $(HEADER_NAMES); do \
	  echo "rm -f $(DESTDIR)$(INCLUDEDIR)/$$h"; rm -f "$(DESTDIR)$(INCLUDEDIR)/$$h"; \
	done
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && command -v $(LDCONFIG) > /dev/null; then $(LDCONFIG); fi

clean:
	rm -rf $(BUILDDIR)
	$(CARGO) clean
