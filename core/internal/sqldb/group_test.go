package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

func openGroupDB(t *testing.T) *DB {
	t.Helper()
	migrations := fstest.MapFS{"0001_t.sql": &fstest.MapFile{Data: []byte(`CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`)}}
	db, err := Open(context.Background(), filepath.Join(testos.TempDir(t), "g.db"), migrations, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestGroupTx holds the group's leader inside its fn while 300 callers
// queue, then lets it go: the 300 are written in ceil(300/MaxGroup)
// transactions after the leader's, each caller hears only of its own fn
// (a refusal undoes its own row, a duplicate key fails only its caller, a
// panic is raised on its caller's goroutine), and a row is readable from
// another connection as soon as its caller returns.
func TestGroupTx(t *testing.T) {
	ctx := context.Background()
	db := openGroupDB(t)
	hold, held := make(chan struct{}), make(chan struct{})
	leaderDone := make(chan error, 1)
	go func() {
		leaderDone <- db.GroupTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			close(held)
			<-hold
			_, err := tx.ExecContext(ctx, `INSERT INTO t VALUES ('leader', -1)`)
			return err
		})
	}()
	<-held

	const callers = 300
	refused := errors.New("refused")
	type outcome struct {
		err      error
		panicked any
		visible  bool
	}
	out := make([]outcome, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			defer func() { out[i].panicked = recover() }()
			key := fmt.Sprintf("k%03d", i)
			if i%50 == 7 {
				key = "dup" // the first of them is written; the others fail on the key alone
			}
			out[i].err = db.GroupTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO t VALUES (?, ?)`, key, i); err != nil {
					return err
				}
				switch {
				case i%10 == 3:
					return refused // after its insert: the savepoint must undo it
				case i == 299:
					panic("caller 299 panics")
				}
				return nil
			})
			if out[i].err == nil {
				var n int
				if err := db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM t WHERE v = ?`, i).Scan(&n); err != nil {
					t.Error(err)
				}
				out[i].visible = n == 1
			}
		})
	}
	for {
		db.group.mu.Lock()
		n := len(db.group.queue)
		db.group.mu.Unlock()
		if n == callers {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(hold)
	wg.Wait()
	if err := <-leaderDone; err != nil {
		t.Fatal(err)
	}

	if got, want := db.group.written.Load(), int64(1+(callers+MaxGroup-1)/MaxGroup); got != want {
		t.Errorf("%d transactions for 1 + %d callers, want %d", got, callers, want)
	}
	dupWritten := 0
	for i, o := range out {
		switch {
		case i == 299:
			if o.panicked == nil || !strings.Contains(fmt.Sprint(o.panicked), "caller 299 panics") {
				t.Errorf("caller 299: panic %v, err %v", o.panicked, o.err)
			}
		case i%10 == 3:
			if !errors.Is(o.err, refused) {
				t.Errorf("caller %d: %v, want its own refusal", i, o.err)
			}
		case i%50 == 7 && o.err == nil:
			dupWritten++
			if !o.visible {
				t.Errorf("caller %d: not readable once GroupTx returned", i)
			}
		case i%50 == 7:
			if !strings.Contains(o.err.Error(), "UNIQUE") {
				t.Errorf("caller %d: %v, want the key's conflict", i, o.err)
			}
		case o.err != nil || !o.visible:
			t.Errorf("caller %d: err %v, visible %v", i, o.err, o.visible)
		}
	}
	if dupWritten != 1 {
		t.Errorf("%d callers wrote the shared key, want 1", dupWritten)
	}
	var rows int
	if err := db.Reader().QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	// The leader, 300 callers less 30 refusals, 1 panic and 5 of the 6
	// duplicates (caller 7's is 7 % 10 = 7, none of them is a refusal).
	if want := 1 + callers - 30 - 1 - 5; rows != want {
		t.Errorf("%d rows, want %d", rows, want)
	}
	if db.group.busy || len(db.group.queue) != 0 {
		t.Errorf("group left busy %v with %d queued", db.group.busy, len(db.group.queue))
	}
}

// TestGroupTxCanceled: a caller whose context is already done is refused
// before it queues; one canceled while its fn runs still runs it to the
// end with a context that is not canceled (an interrupted statement would
// roll back the whole shared transaction).
func TestGroupTxCanceled(t *testing.T) {
	db := openGroupDB(t)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.GroupTx(done, func(context.Context, *sql.Tx) error { t.Error("ran"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled caller: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err := db.GroupTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		cancel()
		_, err := tx.ExecContext(ctx, `INSERT INTO t VALUES ('late', 1)`)
		return err
	})
	if err != nil {
		t.Fatalf("fn's context was canceled with its caller's: %v", err)
	}
}
