package firm

import (
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/internal/sqldb"
)

// feed pages the changes of the caller's firm after ?cursor= (0: every
// client, to join), ?limit= at most (api.MaxFeedPage), each client once
// at its latest position; a member on assigned clients gets theirs, and a
// Gone for each that left their charge. With ?wait= seconds and nothing
// after the cursor, it answers as soon as a change commits, or empty when
// the wait ends.
func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	who, err := s.cfg.Accounts.Authenticate(r)
	if err != nil {
		writeJSON(w, http.StatusUnauthorized, errorBody(api.CodeUnauthorized))
		return
	}
	q := r.URL.Query()
	cursor, limit, err := pageArgs(q.Get("cursor"), q.Get("limit"), api.MaxFeedPage)
	wait := 0
	if err == nil && q.Get("wait") != "" {
		if wait, err = strconv.Atoi(q.Get("wait")); err != nil || wait < 0 || wait > api.MaxFeedWait {
			err = refuse(http.StatusBadRequest, api.CodeFirmLimit)
		}
	}
	if err != nil {
		writeRefusal(w, err)
		return
	}
	ctx := r.Context()
	deadline := time.Now().Add(time.Duration(wait) * time.Second)
	poll := time.NewTicker(s.cfg.PollEvery)
	defer poll.Stop()
	var firm int64
	for {
		var wake <-chan struct{}
		if firm != 0 {
			wake = s.waiter(firm) // before reading: a change that commits after the read wakes it
		}
		var page api.FeedPage
		err := s.db.ReadTx(ctx, func(tx *sqldb.Tx) error {
			c := &call{r: r, tx: tx, now: s.cfg.Now(), who: who}
			if err := c.loadMembership(); err != nil {
				return err
			}
			if err := c.member(); err != nil {
				return err
			}
			firm = c.me.firm
			page, err = c.page(cursor, limit)
			return err
		})
		switch {
		case err != nil:
			writeRefusal(w, err)
			return
		case len(page.Entries) > 0 || time.Now().After(deadline):
			writeJSON(w, http.StatusOK, page)
			return
		}
		cursor = page.Cursor
		if wake == nil {
			wake = s.waiter(firm)
			continue // read again, now that a change would wake us
		}
		timer := time.NewTimer(time.Until(deadline))
		select {
		case <-wake:
		case <-poll.C: // another instance's change
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return
		}
		timer.Stop()
	}
}

// writeRefusal writes a refusal, or a 503 for another error.
func writeRefusal(w http.ResponseWriter, err error) {
	var ref *refusal
	if errors.As(err, &ref) {
		writeJSON(w, ref.status, ref.body)
		return
	}
	w.Header().Set("Retry-After", "2")
	writeJSON(w, http.StatusServiceUnavailable, errorBody(api.CodeUnavailable))
}

// page reads the feed's entries after cursor, as the caller sees them.
func (c *call) page(cursor int64, limit int) (api.FeedPage, error) {
	ctx := c.r.Context()
	var head, floor int64
	if err := c.tx.QueryRowContext(ctx, `SELECT position, charge_floor FROM firm WHERE id = ?`, c.me.firm).Scan(&head, &floor); err != nil {
		return api.FeedPage{}, err
	}
	switch {
	case cursor > head:
		return api.FeedPage{}, refuse(http.StatusBadRequest, api.CodeFirmCursor)
	case cursor > 0 && cursor < floor && c.me.role == api.FirmAssigned:
		// The changes of charge since were forgotten: read every client.
		return api.FeedPage{}, refuse(http.StatusGone, api.CodeFirmCursor)
	}
	var rows *sql.Rows
	var err error
	if c.me.role == api.FirmAssigned {
		rows, err = c.tx.QueryContext(ctx, `SELECT `+clientCols+clientFrom+`WHERE c.firm_id = ? AND c.position > ?
			AND (c.in_charge = ? OR c.id IN (SELECT client_id FROM charge_change WHERE firm_id = ? AND was = ? AND position > ?))
			ORDER BY c.position LIMIT ?`, c.me.firm, cursor, c.who.ID, c.me.firm, c.who.ID, cursor, limit+1)
	} else {
		rows, err = c.tx.QueryContext(ctx, `SELECT `+clientCols+clientFrom+`WHERE c.firm_id = ? AND c.position > ?
			ORDER BY c.position LIMIT ?`, c.me.firm, cursor, limit+1)
	}
	if err != nil {
		return api.FeedPage{}, err
	}
	defer rows.Close()
	page := api.FeedPage{Entries: []api.FeedEntry{}, Cursor: cursor}
	for read := 0; rows.Next(); read++ {
		cl, err := scanClient(rows)
		if err != nil {
			return api.FeedPage{}, err
		}
		if read == limit {
			page.More = true // the cursor stays on the last row read
			break
		}
		page.Cursor = cl.position
		switch {
		case !cl.Deleted && c.visible(cl):
			e := cl.FirmClient
			page.Entries = append(page.Entries, api.FeedEntry{Position: cl.position, Client: &e})
		case cursor > 0:
			// Deleted, or no longer in the caller's charge: a desktop
			// that joined from 0 never had it.
			page.Entries = append(page.Entries, api.FeedEntry{Position: cl.position, Gone: cl.ID})
		}
	}
	if err := rows.Err(); err != nil {
		return api.FeedPage{}, err
	}
	if !page.More {
		page.Cursor = head // nothing after it the caller may see
	}
	return page, nil
}
