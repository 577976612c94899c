package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestKeyboardOnlyRealWindow (issue 33) goes through the six steps of the
// onboarding in the real window, with the keyboard alone (xdotool sends
// keys to the window; the pointer is never moved): the account, the
// captcha answered with the code it mails, the activation link, the
// password, the second factor by e-mail, the recovery codes, then a
// structure created from its SIRET. It reads the codes and the link where
// a person reads them, in the Local sandbox's mailbox (its database), and
// knows each screen by the window's title, which names it. make test runs
// it under Xvfb (CHORUS_SMOKE=1); a plain go test skips it.
func TestKeyboardOnlyRealWindow(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("xdotool and Xvfb are Linux tools")
	}
	app := startRealApp(t, "keyboard run", "xdotool", "import")
	k := &keyboard{t: t, home: app.home, logs: app.logs, exited: app.exited}
	k.wid = k.window()
	// The window takes the keyboard as a window manager would give it.
	k.xdo("windowfocus", "--sync", k.wid)

	const email = "clavier@example.fr"
	const password = "Tr0ub4dor&3x-Lune"
	k.screen("Create an account and a structure") // focus on Create an account
	k.keys("space")
	k.screen("Personal Information") // focus on the first field
	k.typed(email, "Tab", email, "Tab", "Jeanne", "Tab", "Clavier", "Tab", "0612457898", "Tab", "Tab")
	k.keys("space", "Tab", "Tab", "space") // the conditions; Back, Submit
	k.screen("Validate the captcha")       // focus on the answer
	k.keys("Tab", "space")                 // "Cannot read the image? Receive a code by e-mail"
	code := k.mail(email, "verification code", `\b\d{6}\b`)
	k.typed(code, "Return") // the focus came back to the answer
	k.screen("Activate your account")
	link := k.mail(email, "activate your account", `http://\S+/activate\?token=\w+`)
	k.typed(link, "Tab", password, "Tab", password, "Return")
	k.screen("Secure your account with a second factor")
	k.keys("Tab", "space") // a code by e-mail
	code = k.mail(email, "sign-in code", `\b\d{6}\b`)
	k.typed(code, "Return")
	k.screen("Your recovery codes")
	k.keys("space", "Tab", "space") // saved; Continue
	k.screen("Congratulations")
	k.keys("space") // Create a new structure
	k.screen("Fill in information about your structure")
	k.typed("Tab", "73282932000074", "Return") // pre-filled from the registry, submitted
	k.portalHas("73282932000074")
	k.shot("structure created")
	k.keys("Escape") // closes "The structure … was created on Chorus Pro"
	k.screen("Fill in information about your structure")
}

// portalHas waits until the Local sandbox's portal holds the structure
// identified by siret.
func (k *keyboard) portalHas(siret string) {
	k.t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for time.Now().Before(deadline) {
		k.alive()
		dbs, _ := filepath.Glob(filepath.Join(k.home, "data", "*", "sandbox", "chorus-sim.db"))
		for _, path := range dbs {
			if count(path, `SELECT count(*) FROM structure WHERE identifier = ?`, siret) > 0 {
				return
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	path := k.shot("failed")
	k.t.Fatalf("the portal never got the structure %s (screenshot %s)\n%s", siret, path, k.logs.String())
}

// count runs a count query on the database at path, read-only.
func count(path, query string, args ...any) int {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return 0
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var n int
	if db.QueryRowContext(ctx, query, args...).Scan(&n) != nil {
		return 0
	}
	return n
}

// keyboard drives the app's window with xdotool.
type keyboard struct {
	t      *testing.T
	wid    string
	home   string
	logs   *lockedBuffer
	exited chan error
	shots  int
}

func (k *keyboard) xdo(args ...string) string {
	k.t.Helper()
	out, err := exec.Command("xdotool", args...).CombinedOutput()
	if err != nil {
		k.t.Fatalf("xdotool %v: %v %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// window waits for the app's window and returns its id.
func (k *keyboard) window() string {
	k.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		k.alive()
		out, _ := exec.Command("xdotool", "search", "--name", " - Chorus Onboard - ").Output()
		if ids := strings.Fields(string(out)); len(ids) > 0 {
			return ids[0]
		}
		time.Sleep(300 * time.Millisecond)
	}
	k.t.Fatalf("no window after 2 minutes\n%s", k.logs.String())
	return ""
}

func (k *keyboard) alive() {
	k.t.Helper()
	select {
	case err := <-k.exited:
		k.exited <- err
		k.t.Fatalf("the app exited: %v\n%s", err, k.logs.String())
	default:
	}
}

// screen waits until the window's title starts with heading, the
// screen's own, and keeps a screenshot of it.
func (k *keyboard) screen(heading string) {
	k.t.Helper()
	deadline := time.Now().Add(45 * time.Second) // a portal call's own timeout, and some
	var title string
	for time.Now().Before(deadline) {
		k.alive()
		title = k.xdo("getwindowname", k.wid)
		if strings.HasPrefix(title, heading) {
			// Let it paint and settle: keys typed before a screen takes
			// its focus would go nowhere, as they would for a person.
			time.Sleep(700 * time.Millisecond)
			k.shot(heading)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	path := k.shot("failed")
	k.t.Fatalf("waited for %q, the window shows %q (screenshot %s)\n%s", heading, title, path, k.logs.String())
}

// shot saves a screenshot in CHORUS_SMOKE_DIR (else the test's home) and
// returns its path.
func (k *keyboard) shot(name string) string {
	dir := os.Getenv("CHORUS_SMOKE_DIR")
	if dir == "" {
		dir = k.home
	}
	k.shots++
	path := filepath.Join(dir, fmt.Sprintf("keyboard-%02d-%s.png", k.shots, strings.ReplaceAll(strings.ToLower(name), " ", "-")))
	_ = exec.Command("import", "-window", "root", path).Run()
	return path
}

// keys presses each key in turn (xdotool's names: Tab, space, Return).
func (k *keyboard) keys(keys ...string) {
	k.t.Helper()
	for _, key := range keys {
		k.xdo("key", "--window", k.wid, "--clearmodifiers", key)
		time.Sleep(250 * time.Millisecond)
	}
}

// typed types each text, and presses the ones that are key names.
func (k *keyboard) typed(parts ...string) {
	k.t.Helper()
	for _, p := range parts {
		switch p {
		case "Tab", "Return", "space", "Escape":
			k.keys(p)
		default:
			k.xdo("type", "--window", k.wid, "--delay", "30", p)
			time.Sleep(250 * time.Millisecond)
		}
	}
}

// mail waits for the newest mail to to whose subject has subject, and
// returns what of its body or link matches pattern.
func (k *keyboard) mail(to, subject, pattern string) string {
	k.t.Helper()
	re := regexp.MustCompile(pattern)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		dbs, _ := filepath.Glob(filepath.Join(k.home, "data", "*", "sandbox", "chorus-sim.db"))
		for _, path := range dbs {
			if s := newestMail(path, to, subject); s != "" {
				if m := re.FindString(s); m != "" {
					return m
				}
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	k.t.Fatalf("no mail to %s about %q in the sandbox's mailbox", to, subject)
	return ""
}

// newestMail is the body and link of the newest mail to to about subject
// in the sandbox's database, read as another process reads it.
func newestMail(path, to, subject string) string {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return ""
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var body, link string
	err = db.QueryRowContext(ctx, `SELECT body, link FROM mail WHERE recipient = ? AND instr(lower(subject), ?) > 0
		ORDER BY id DESC LIMIT 1`, to, strings.ToLower(subject)).Scan(&body, &link)
	if err != nil {
		return ""
	}
	return body + "\n" + link
}
