# Chorus Onboard. The two set-up commands on a fresh Debian/Ubuntu machine
# with Go 1.26: `make run` and `make test`. Both install what is missing.

GO        ?= go
APP_ID    := fr.chorusonboard.ChorusOnboard
BUILD     := build
APP       := $(BUILD)/chorus-onboard
CTL       := $(BUILD)/onboardctl
# no_emoji: Fyne's 4 MB colour emoji font, parsed again for each text style
# the window draws, is left out (no text of ours uses emoji; a client's
# name with one falls back to the system's fonts): 20 MB less resident at
# start (make bench). The bare window of the figures is built the same way.
TAGS      := migrated_fynedo,no_emoji
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/chorusonboard/chorus-onboard/core/buildinfo.version=$(VERSION)
PREFIX    ?= /usr/local
FUZZTIME  ?= 5s

# Debian packages: the cgo build of Fyne (GL, X11 and Wayland headers), Xvfb
# and ImageMagick for the real-window smoke test and screenshots, xdotool for
# the keyboard-only run in the real window, D-Bus and
# gnome-keyring for the real keyring test. Never dbus-x11: it autolaunches
# daemons that outlive every run.
DEB_PKGS := gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev \
	libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev libwayland-dev \
	libxkbcommon-dev xvfb xauth x11-utils xdotool imagemagick dbus gnome-keyring postgresql

SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo-firm all deps locales deps-dist deps-windows build run test test-go test-keyring test-windows test-dist fuzz bench lint vet fmt screenshots goldens install uninstall clean dist

all: build

## deps: install the Debian packages that are missing (nothing if all are there)
deps:
	@missing=""; for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		scripts/apt-install $$missing; \
	fi
	@$(MAKE) --no-print-directory locales

# The UTF-8 locales the tests run in. A fresh Debian image has only C.UTF-8:
# under any other LANG, Wine converts file names and window titles to ASCII
# (a data directory named "Hélène Dupont" cannot be created, a window titled
# "Bac à sable" cannot be found), and the French display-language test needs
# fr_FR. localedef builds each one from the locales package, once.
LOCALES := en_US fr_FR

locales:
	@for l in $(LOCALES); do \
		locale -a 2>/dev/null | grep -qix "$$l.utf-\?8" && continue; \
		dpkg-query -W -f='$${Status}' locales 2>/dev/null | grep -q "install ok installed" || \
			scripts/apt-install locales || exit 1; \
		echo "generating the $$l.UTF-8 locale"; \
		$(SUDO) localedef -i $$l -c -f UTF-8 -A /usr/share/locale/locale.alias $$l.UTF-8 || exit 1; \
	done

# Debian packages make dist needs besides DEB_PKGS: nFPM and fyne run as Go
# tools (tools/go.mod); mingw-w64 for the Windows cgo build, wixl and
# msitools for the MSI, lintian and rpm to check the packages, appstream to
# validate the metadata, osslsigncode to sign, Wine to install the MSI in make test-dist.
DIST_PKGS := gcc-mingw-w64-x86-64-win32 binutils-mingw-w64-x86-64 wixl msitools lintian rpm appstream osslsigncode \
	xz-utils file openssl man-db wine64

## deps-dist: install what make dist needs (nothing if all are there)
deps-dist: deps
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(DIST_PKGS)"

# Debian packages make test-windows needs besides DEB_PKGS: mingw-w64 for the
# Windows cgo build of the app and the stand-in DLL, Wine to run the test
# binaries.
WINDOWS_PKGS := gcc-mingw-w64-x86-64-win32 binutils-mingw-w64-x86-64 wine64

## deps-windows: install what make test-windows needs (nothing if all are there)
deps-windows: deps
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(WINDOWS_PKGS)"

## dist: every package in dist/ with SHA256SUMS (.deb, .rpm, .tar.xz, .exe, .msi); SIGN_PKCS12 and
## SIGN_PASSWORD_FILE sign the Windows files
dist: deps-dist
	scripts/dist

## build: the desktop app and the command line in build/
build: deps
	$(GO) build -trimpath -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(APP) ./cmd/chorus-onboard
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(CTL) ./cmd/onboardctl

## run: build and open the app (Local sandbox)
run: build
	./$(APP)

## demo-firm: a portal with a firm of two accountants and two app windows, each with its own data, joined to it:
## a change made in one arrives in the other (scripts/demo-firm says what to try)
demo-firm: build
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BUILD)/chorus-sim ./cmd/chorus-sim
	scripts/demo-firm

## test: vet, every test with -race (with the real-window smoke test under Xvfb; the portal server's on SQLite and
## PostgreSQL), the real keyring, every test
## again as a Windows binary under Wine, the fuzz targets, the packages
test: build lint test-go test-keyring test-windows fuzz test-dist

# -race turns on checkptr for every package, and modernc's SQLite (C
# translated to Go, unsafe pointer arithmetic on every row) then spends a
# third of the ui tests' time in pointer checks that can find nothing in our
# code (its one unsafe cast reads a Windows ACL, not built here). The race
# detector itself stays on everywhere.
test-go:
	mkdir -p $(BUILD)/smoke
	xvfb-run -a -s "-screen 0 1280x1024x24" \
		env CHORUS_SMOKE=1 CHORUS_ONBOARD_BIN=$(CURDIR)/$(APP) CHORUS_SMOKE_DIR=$(CURDIR)/$(BUILD)/smoke \
		LANG=en_US.UTF-8 $(GO) test -race -gcflags=all=-d=checkptr=0 -count=1 -timeout 25m ./...
	@echo "the portal server's tests again, on PostgreSQL (internal/pgtest starts a real server)"
	CHORUS_TEST_ENGINE=postgres $(GO) test -race -gcflags=all=-d=checkptr=0 -count=1 -timeout 10m ./core/sim
	$(GO) test -count=1 -run 'Kill9|LargeImport|SyncKilled|Chaos' -v ./core/sqlite ./cmd/onboardctl | grep -E "^(--- |ok|FAIL|    )"; exit $${PIPESTATUS[0]}

## test-keyring: the keyring and canary tests against a real Secret Service: a private D-Bus session with an
## unlocked gnome-keyring in a throw-away directory (a stale login keyring would make the unlock fail)
test-keyring:
	@kr=$$(mktemp -d); \
	XDG_DATA_HOME=$$kr XDG_RUNTIME_DIR=$$kr timeout 300 dbus-run-session -- sh -c \
		'echo -n chorus-ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
		 CHORUS_REAL_KEYRING=1 $(GO) test -count=1 -run "TestRealKeyring|TestForgetLeavesNoTrace" -v ./core/secrets ./cmd/onboardctl' \
		| grep -E "^(=== RUN|--- |PASS|FAIL|ok|    )"; \
	rc=$${PIPESTATUS[0]}; rm -rf $$kr; exit $$rc

## test-windows: every package that runs on a user's PC (core/..., onboardctl, ui, the app) as a Windows test binary
## under Wine in a fresh prefix (build/windows), the real Credential Manager, the app's window in French and English,
## light and dark; prints how many tests ran and passed (scripts/test-windows, docs/windows.md)
test-windows: deps-windows
	scripts/test-windows

## test-dist: build every package, then install the .deb for real (the app under Xvfb with a policy file),
## purge it, and check the .rpm, .exe and .msi and a signature with a throw-away certificate
test-dist: dist
	scripts/test-dist

## fuzz: run each fuzz target for FUZZTIME (5s by default; crashers land in testdata/fuzz)
# A failure that leaves no new input in testdata/fuzz is the fuzzing engine's
# own hiccup (a worker killed under load, or "context deadline exceeded" when
# the seed run outlasts FUZZTIME on a busy machine): its output is shown,
# indented, and the target runs once more. A failure with a new input is a bug: the input stays for the
# plain test run to replay, and make fails.
fuzz:
	@log=$$(mktemp); for pkg in $$($(GO) list ./...); do \
		dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
		for t in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$t"; \
			for try in 1 2; do \
				before=$$(ls $$dir/testdata/fuzz/$$t 2>/dev/null | wc -l); \
				if $(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) $$pkg >$$log 2>&1; then break; fi; \
				after=$$(ls $$dir/testdata/fuzz/$$t 2>/dev/null | wc -l); \
				if [ "$$after" != "$$before" ] || [ $$try = 2 ]; then grep -v '^fuzz: elapsed' $$log; rm -f $$log; exit 1; fi; \
				echo "the fuzzing engine stopped without a failing input (its output, indented, below): running $$t again"; \
				grep -v '^fuzz: elapsed' $$log | sed 's/^/    | /'; \
			done; \
		done; \
	done; rm -f $$log

## bench: the performance figures, each on its own line beside an anchor measured in the same run (several minutes:
## the registry pre-fill keeps to the registry's published rate, the raw POST loop waits 50 ms a request): the
## workspace's, then start-up, memory and heap against a bare Fyne window, import against a raw insert, sync
## against a raw POST loop, the team portal under 20 accounts syncing at once against a raw POST loop (bench/)
bench: build
	@set -o pipefail; $(GO) test -count=1 -run '^$$' -bench . -benchtime 1x -timeout 30m ./ui/workspace ./core/sqlite ./core/onboarding \
		| grep -vE '^(goos|goarch|pkg|cpu|PASS|ok |Benchmark)'
	$(GO) build -trimpath -tags $(TAGS) -o $(BUILD)/barewindow ./bench/barewindow
	$(GO) build -o $(BUILD)/benchrun ./bench/run
	xvfb-run -a -s "-screen 0 1280x1024x24" $(BUILD)/benchrun -app $(APP) -bare $(BUILD)/barewindow

## screenshots: a PNG of every screen in French and English, in build/screenshots (headless, software rendering),
## to look at or share; the same run checks each against its golden image, which the docs show (one copy)
screenshots:
	mkdir -p $(BUILD)/screenshots
	CHORUS_SCREENSHOTS=$(CURDIR)/$(BUILD)/screenshots $(GO) test -count=1 -run TestScreens ./ui/...

## goldens: write the golden images of every screen (ui/testdata/screens) after a change you meant; look at them.
## The writing run fails for each image it changed (it lists them); the comparing run after it must pass.
goldens:
	rm -rf ui/testdata/failed
	-CHORUS_UPDATE_GOLDENS=1 $(GO) test -count=1 -run TestScreens ./ui/... 2>&1 | grep -E "written anew|^(ok|FAIL|panic)"
	$(GO) test -count=1 -run TestScreens ./ui/...

## lint: gofmt, go vet, and no binary or oversized file tracked by git
lint: vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@scripts/check-tracked-files
	@scripts/check-doc-images

vet:
	$(GO) vet -tags $(TAGS) ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

## install: the app, its .desktop file, icon and AppStream metadata under PREFIX
install:
	install -Dm755 $(APP) $(DESTDIR)$(PREFIX)/bin/chorus-onboard
	install -Dm755 $(CTL) $(DESTDIR)$(PREFIX)/bin/onboardctl
	install -Dm644 assets/unix/$(APP_ID).desktop $(DESTDIR)$(PREFIX)/share/applications/$(APP_ID).desktop
	install -Dm644 assets/icon.png $(DESTDIR)$(PREFIX)/share/icons/hicolor/512x512/apps/$(APP_ID).png
	install -Dm644 assets/unix/$(APP_ID).metainfo.xml $(DESTDIR)$(PREFIX)/share/metainfo/$(APP_ID).metainfo.xml

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/chorus-onboard $(DESTDIR)$(PREFIX)/bin/onboardctl \
		$(DESTDIR)$(PREFIX)/share/applications/$(APP_ID).desktop \
		$(DESTDIR)$(PREFIX)/share/icons/hicolor/512x512/apps/$(APP_ID).png \
		$(DESTDIR)$(PREFIX)/share/metainfo/$(APP_ID).metainfo.xml

clean:
	rm -rf $(BUILD) dist
