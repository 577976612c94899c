package onboarding

import (
	"context"
	"slices"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// Reform is the e-invoicing reform per client: the structure form's
// section (its fields saved apart from the draft, whatever the
// structure's state), the workspace's "mark checked today" and "set the
// platform" on a selection, the platform names the form suggests, and the
// directory's page for the environment.
type Reform struct {
	store core.ReformStore
	conn  *Connection
	// today is the user's day (tests fix it).
	today func() core.Date
}

// NewReform returns the service over the reform's store role; clock
// gives the user's day (the system's when nil).
func NewReform(store core.ReformStore, conn *Connection, clock core.Clock) *Reform {
	return &Reform{store: store, conn: conn, today: todayBy(clock)}
}

// MaxSuggestions bounds the platform names the form suggests.
const MaxSuggestions = 50

// SaveReform checks the reform's fields of structure id against its draft
// (validate.Reform) and keeps them when they hold no error; it returns
// them canonical with every problem found. With errors nothing is written
// and the error is KindInvalid with code "reform.invalid".
func (s *Reform) SaveReform(ctx context.Context, id int64, r core.Reform) (core.Reform, core.Problems, error) {
	rec, err := s.store.Structure(ctx, id)
	if err != nil {
		return r, nil, err
	}
	canon, problems := validate.Reform(r, rec.Draft, s.today())
	if problems.HasErrors() {
		return canon, problems, &core.E{Kind: core.KindInvalid, Code: "reform.invalid", Op: "save reform"}
	}
	if _, err := s.store.SetReform(ctx, []int64{id}, canon, core.ReformAll); err != nil {
		return canon, problems, err
	}
	return canon, problems, nil
}

// MarkChecked records that the structures of ids were looked up in the
// directory today (what was seen stays as the user wrote it).
func (s *Reform) MarkChecked(ctx context.Context, ids []int64, progress ProgressFunc) (BulkResult, error) {
	return s.setMany(ctx, ids, core.Reform{CheckedOn: s.today()}, core.ReformCheckedOn, progress)
}

// SetPlatform records name as the receiving platform of the structures of
// ids; an empty name clears it. A name that is not valid text is refused
// whole (KindInvalid, its problem's code).
func (s *Reform) SetPlatform(ctx context.Context, ids []int64, name string, progress ProgressFunc) (BulkResult, error) {
	v, err := validate.Text(name)
	if err != nil {
		return BulkResult{Total: len(ids)}, err
	}
	return s.setMany(ctx, ids, core.Reform{Platform: v}, core.ReformPlatform, progress)
}

// setMany writes patch's fields of set in chunks of BulkChunk, each one
// transaction; a cancelled ctx stops between chunks.
func (s *Reform) setMany(ctx context.Context, ids []int64, patch core.Reform, set core.ReformFields, progress ProgressFunc) (BulkResult, error) {
	res := BulkResult{Total: len(ids)}
	for chunk := range slices.Chunk(ids, BulkChunk) {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		n, err := s.store.SetReform(ctx, chunk, patch, set)
		if err != nil {
			return res, err
		}
		res.Done += n
		if progress != nil {
			progress(res.Done, res.Total)
		}
	}
	return res, nil
}

// PlatformNames are the receiving platforms already typed in this
// workspace, the most used first: the form suggests them, so that one
// platform is spelled one way and the search finds all its clients.
func (s *Reform) PlatformNames(ctx context.Context) ([]string, error) {
	return s.store.PlatformNames(ctx, MaxSuggestions)
}

// DirectoryPage is the address of the directory of electronic invoicing
// for the environment in effect: the setting when set, else the portal's
// own (Chorus Pro's services portal, whose home leads to the directory
// behind a captcha; the sandbox's or team portal's /annuaire page, which
// chorus-sim serves). Empty when none is known.
func (s *Reform) DirectoryPage() string {
	set := s.conn.Settings()
	if set.DirectoryURL != "" {
		return set.DirectoryURL
	}
	t := s.conn.Target()
	if t.Pages != "" {
		return strings.TrimSuffix(t.Pages, "/") + "/annuaire"
	}
	if info, ok := set.Env().Info(); ok {
		return info.PortalPage
	}
	return ""
}
