package onboarding

import (
	"context"
	"strconv"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/piste"
)

// ExpiryWarning is how long before the technical account's password
// expires the app warns (it lasts 424 days).
const ExpiryWarning = 15 * 24 * time.Hour

// ReadBack is what Chorus Pro says of a structure handed off to its pages.
type ReadBack struct {
	// PortalID is the structure's idStructureCPP.
	PortalID int64
	// State is what the record became: created, or the attachment's
	// status when the technical account asked to be attached.
	State core.SyncState
	// Attachment is the portal's status of that attachment ("" for none).
	Attachment string
	// PasswordExpires is when the technical account's password expires,
	// zero when the portal did not say.
	PasswordExpires time.Time
}

// ExpiresSoon reports whether the technical password expires within
// ExpiryWarning of now.
func (r ReadBack) ExpiresSoon(now time.Time) bool {
	return !r.PasswordExpires.IsZero() && r.PasswordExpires.Sub(now) < ExpiryWarning
}

// Handoff is the guided hand-off to Chorus Pro's own pages, where a
// person creates what the API cannot, and the reading back of the result
// through PISTE.
type Handoff struct {
	store core.StructureStore
	conn  *Connection
}

// NewHandoff returns the service over the structures, reading Chorus Pro
// back through the connection's PISTE client.
func NewHandoff(store core.StructureStore, conn *Connection) *Handoff {
	return &Handoff{store: store, conn: conn}
}

// HandoffCandidates returns the structures a person may still have to
// create or follow on the portal's own pages.
func (s *Handoff) HandoffCandidates(ctx context.Context) ([]core.StructureRecord, error) {
	return structuresIn(ctx, s.store, core.StateDraft, core.StateQueued, core.StateFailed, core.StateAttachmentRequested)
}

// CheckOnChorus reads a handed-off structure back through PISTE: found
// means created, or attached when the technical account asked to be; the
// record's state is updated. KindNotFound when Chorus Pro does not have it
// yet.
func (s *Handoff) CheckOnChorus(ctx context.Context, structureID int64) (ReadBack, error) {
	c, err := s.conn.chorus()
	if err != nil {
		return ReadBack{}, err
	}
	rec, err := s.store.Structure(ctx, structureID)
	if err != nil {
		return ReadBack{}, err
	}
	hit, err := c.FindStructure(ctx, rec.Draft.IdentifierType, rec.Draft.Identifier)
	if err != nil {
		return ReadBack{}, err
	}
	out := ReadBack{PortalID: hit.IDStructureCPP, State: core.StateCreated}
	// The attachment and the expiry are extras: the structure exists
	// whatever they say, so their failures do not fail the check.
	if ratt, err := c.Rattachements(ctx); err == nil {
		for _, a := range ratt {
			if a.IDStructure == hit.IDStructureCPP {
				out.Attachment = a.StatutRattachementStructure
			}
		}
	}
	switch out.Attachment {
	case piste.StatutEnCours:
		out.State = core.StateAttachmentRequested
	case piste.StatutValidee:
		out.State = core.StateAttachmentApproved
	case piste.StatutRefusee:
		out.State = core.StateAttachmentRefused
	case piste.StatutDesactive:
		// The attachment was ended on the portal: the structure exists,
		// which is what the check records; Attachment says the rest.
	}
	if full, err := c.Consulter(ctx, hit.IDStructureCPP, "FR"); err == nil && full.InformationGenerales != nil {
		if t, err := time.Parse(time.RFC3339, full.InformationGenerales.DateExpirationMotPasseCompteTech); err == nil {
			out.PasswordExpires = t
		}
	}
	err = s.store.SetSync(ctx, structureID, core.Sync{State: out.State, PortalID: strconv.FormatInt(hit.IDStructureCPP, 10)})
	return out, err
}
