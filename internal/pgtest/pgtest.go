// Package pgtest runs a real PostgreSQL server for tests: Debian's
// postgresql package, initdb in a temporary directory (owned by an
// unprivileged user when the tests run as root, as PostgreSQL refuses
// root), listening on a loopback port, stopped when the test binary ends.
// Never a mock, never a container. Each test gets a database of its own.
//
// A package whose tests use it runs them through Main:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// Without PostgreSQL's programs the tests that ask for a database fail,
// saying what to install; they never skip silently. On Windows, where the
// firm's server does not run against PostgreSQL in our tests (the Linux
// run covers them), they skip saying so.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// Server is a PostgreSQL server of this test binary.
type Server struct {
	dir  string // the temporary directory: data/, the log
	bin  string // the directory of initdb, postgres, pg_ctl
	port int
	cmd  *exec.Cmd
	done chan struct{} // closed when the server's process ended
	mu   sync.Mutex
}

var (
	once    sync.Once
	shared  *Server
	failure error
	dbs     atomic.Int64
)

// Main runs the package's tests and stops the server if one started.
func Main(m *testing.M) int {
	code := m.Run()
	if shared != nil {
		shared.Stop()
		os.RemoveAll(shared.dir)
	}
	return code
}

// Database creates an empty database on the binary's server (starting it
// on first use) and returns its DSN; the database is dropped after the
// test.
func Database(tb testing.TB) string {
	tb.Helper()
	s := Shared(tb)
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbs.Add(1))
	admin, err := sql.Open("pgx", s.DSN("postgres"))
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(tb.Context(), "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		admin, err := sql.Open("pgx", s.DSN("postgres"))
		if err != nil {
			return
		}
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return s.DSN(name)
}

// StartServer starts a server of its own, outside any test (the bench's
// figures on PostgreSQL); Remove stops it and deletes its files.
func StartServer() (*Server, error) { return start() }

// Remove stops the server and deletes its files.
func (s *Server) Remove() {
	s.Stop()
	os.RemoveAll(s.dir)
}

// NewDatabase creates an empty database named name and returns its DSN.
func (s *Server) NewDatabase(ctx context.Context, name string) (string, error) {
	admin, err := sql.Open("pgx", s.DSN("postgres"))
	if err != nil {
		return "", err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("pgtest: create database: %w", err)
	}
	return s.DSN(name), nil
}

// Shared is the binary's server, started on first use.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	if runtime.GOOS == "windows" {
		tb.Skip("pgtest: the PostgreSQL tests run on Linux (the firm's server against a real PostgreSQL); this Windows run covers SQLite")
	}
	once.Do(func() { shared, failure = start() })
	if failure != nil {
		tb.Fatalf("pgtest: %v", failure)
	}
	return shared
}

// DSN is the URL of database name on the server, as the postgres
// superuser (trust on loopback: the server lives as long as the tests).
func (s *Server) DSN(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, name)
}

// Port is the server's loopback port.
func (s *Server) Port() int { return s.port }

// binDir finds PostgreSQL's programs: $CHORUS_PG_BIN, else the newest of
// Debian's /usr/lib/postgresql/N/bin, else initdb on the PATH.
func binDir() (string, error) {
	if d := os.Getenv("CHORUS_PG_BIN"); d != "" {
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL's server programs (initdb, postgres) are not installed: " +
		"install Debian's postgresql package (make deps does), or set CHORUS_PG_BIN to their directory")
}

// version is the N of /usr/lib/postgresql/N/bin.
func version(dir string) int {
	var n int
	fmt.Sscanf(filepath.Base(filepath.Dir(dir)), "%d", &n)
	return n
}

// start creates a cluster and starts its server.
func start() (*Server, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	// The parent directory is traversed by the server's user.
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	s := &Server{dir: dir, bin: bin}
	if err := s.run(filepath.Join(bin, "initdb"), "-D", s.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8",
		"--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w", err)
	}
	for range 5 {
		if s.port, err = freePort(); err != nil {
			return nil, err
		}
		if err = s.Start(); err == nil {
			return s, nil
		}
	}
	os.RemoveAll(dir)
	return nil, err
}

// data is the cluster's directory.
func (s *Server) data() string { return filepath.Join(s.dir, "data") }

// Start starts the server's process (again, after Stop or Kill) and waits
// until it accepts connections.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	logf, err := os.OpenFile(filepath.Join(s.dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o666)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(filepath.Join(s.bin, "postgres"), "-D", s.data(), "-p", fmt.Sprint(s.port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=300",
		"-c", "shared_buffers=32MB", "-c", "log_min_messages=warning")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd, done, err := s.spawn(cmd)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			b, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
			if tail := lastLines(string(b), 5); strings.Contains(tail, "pre-existing shared memory block") && time.Now().Before(deadline) {
				// The processes of a killed server are still going
				// away: start again in a moment.
				time.Sleep(200 * time.Millisecond)
				cmd = exec.Command(cmd.Path, cmd.Args[1:]...)
				cmd.Stdout, cmd.Stderr = logf, logf
				if cmd, done, err = s.spawn(cmd); err != nil {
					return err
				}
				continue
			}
			return fmt.Errorf("postgres exited at start: %s", lastLines(string(b), 5))
		default:
		}
		db, err := sql.Open("pgx", s.DSN("postgres"))
		if err == nil {
			err = db.Ping()
			db.Close()
		}
		if err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("postgres did not accept connections within 60 s")
}

// spawn starts cmd as the server's process and returns it with the
// channel its end closes.
func (s *Server) spawn(cmd *exec.Cmd) (*exec.Cmd, chan struct{}, error) {
	asUser(cmd)
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	done := make(chan struct{})
	s.cmd, s.done = cmd, done
	go func() { _ = cmd.Wait(); close(done) }()
	return cmd, done, nil
}

// Stop stops the server (a fast shutdown: connections end, committed
// work is kept) and waits for it.
func (s *Server) Stop() { s.signal(false) }

// Kill ends the server's process at once (SIGKILL): what was committed is
// kept, as after a power cut; Start recovers it.
func (s *Server) Kill() { s.signal(true) }

func (s *Server) signal(kill bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	stop(s.cmd.Process, kill)
	select {
	case <-s.done:
	case <-time.After(60 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// run runs a program of the server as its user.
func (s *Server) run(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	asUser(cmd)
	if err := prepareDir(s.dir); err != nil {
		return err
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, lastLines(string(out), 5))
	}
	return nil
}

// freePort is a loopback port free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lastLines is the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
