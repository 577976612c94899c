package onboarding

import (
	"context"
	"slices"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/registry"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// Lookup is what the portal and the company registry know of an
// identifier typed in the structure form.
type Lookup struct {
	// OnPortal is true when the structure exists on the portal: the user
	// asks to be attached to it instead of creating it.
	OnPortal bool
	// Company is the registry's record, nil when it has none (or the
	// structure is on the portal already, where the registry adds nothing).
	Company *registry.Company
}

// LookUp asks the portal whether a SIRET exists there and, when it does
// not, the registry what it knows of the company. An unknown company is not
// an error: the user types it. KindUnavailable when the portal cannot be
// reached.
func (s *Service) LookUp(ctx context.Context, siret string) (Lookup, error) {
	t := s.Target()
	if t.Portal == nil {
		return Lookup{}, errNoPortal
	}
	res, err := t.Portal.SearchStructure(ctx, core.IDSIRET, siret)
	if err != nil || res.Found || t.Registry == nil {
		return Lookup{OnPortal: res.Found}, err
	}
	c, err := t.Registry.Lookup(ctx, siret)
	if err != nil {
		return Lookup{}, nil // unknown to the registry, or the registry is down: the user types it
	}
	return Lookup{Company: &c}, nil
}

// SaveStructure validates a structure draft and keeps it, with its
// problems; queue also puts it in the outbox for the portal (refused with
// KindInvalid while it has errors) and wakes the worker. id 0 finds the
// record by its identifier, or creates it.
func (s *Service) SaveStructure(ctx context.Context, id int64, d core.StructureDraft, queue bool) (core.StructureRecord, core.SaveResult, error) {
	// validate.Structure returns each valid value canonical and each
	// invalid one as typed: both are worth keeping.
	canon, problems := validate.Structure(d)
	rec, res, err := s.cfg.Store.SaveStructure(ctx, core.SaveStructure{ID: id, Draft: canon, Problems: problems, Queue: queue})
	if err == nil && res.Queued {
		s.Notify()
	}
	return rec, res, err
}

// SubmitStructure is the structure form's Submit: the structure is kept
// with its outbox row (so nothing is lost offline) and, where the
// environment has an onboarding API, sent at once; it returns the record
// as the portal left it (created, attachment requested, refused, or still
// queued when offline). On Chorus Pro's own environments it stays a draft
// for the hand-off.
func (s *Service) SubmitStructure(ctx context.Context, d core.StructureDraft) (core.StructureRecord, error) {
	canon, problems := validate.Structure(d)
	if problems.HasErrors() {
		return core.StructureRecord{}, &core.E{Kind: core.KindInvalid, Code: "store.queue_invalid", Op: "submit structure", Problems: problems.Errors()}
	}
	online := s.Target().Portal != nil
	rec, _, err := s.cfg.Store.SaveStructure(ctx, core.SaveStructure{Draft: canon, Problems: problems, Queue: online})
	if err != nil || !online {
		return rec, err
	}
	// Failures stay queued (offline) or are parked with the portal's
	// notice: the record says which.
	_, _ = s.SendNow(ctx)
	return s.cfg.Store.Structure(ctx, rec.ID)
}

// Structure returns one stored structure.
func (s *Service) Structure(ctx context.Context, id int64) (core.StructureRecord, error) {
	return s.cfg.Store.Structure(ctx, id)
}

// Structures returns the stored structures in one of the given states (all
// of them when states is empty), in key order.
func (s *Service) Structures(ctx context.Context, states ...core.SyncState) ([]core.StructureRecord, error) {
	var out []core.StructureRecord
	err := s.cfg.Store.EachStructure(ctx, func(r core.StructureRecord) error {
		if len(states) == 0 || slices.Contains(states, r.Sync.State) {
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

// Unsettled returns the structures the sync panel lists: queued, sent,
// refused, or waiting for a manager's decision.
func (s *Service) Unsettled(ctx context.Context) ([]core.StructureRecord, error) {
	return s.Structures(ctx, core.StateQueued, core.StateSent, core.StateFailed, core.StateAttachmentRequested)
}

// Discard takes a queued or refused structure back to draft, dropping its
// unsent rows, so the user can fix it or leave it.
func (s *Service) Discard(ctx context.Context, structureID int64) error {
	return s.cfg.Store.Discard(ctx, structureID)
}

// RetryNow makes every backed-off row due and sends them at once.
func (s *Service) RetryNow(ctx context.Context) (Progress, error) {
	if err := s.cfg.Store.RetryNow(ctx); err != nil {
		return Progress{}, err
	}
	st, err := s.SendNow(ctx)
	return Progress{Sent: st.Sent, Created: st.Created, Attachments: st.Attachments, Failed: st.Failed}, err
}

// Progress is what a sending pass did.
type Progress struct {
	Sent, Created, Attachments, Failed int
}

// Counts returns how many structures are in each state and how many
// outbox rows wait to be sent.
func (s *Service) Counts(ctx context.Context) (map[core.SyncState]int, int, error) {
	counts, err := s.cfg.Store.CountStructures(ctx)
	if err != nil {
		return nil, 0, err
	}
	pending, _, err := s.cfg.Store.Pending(ctx)
	return counts, pending, err
}

// EachStructure streams every stored structure in key order to fn, which
// may stop the walk by returning an error (returned as is).
func (s *Service) EachStructure(ctx context.Context, fn func(core.StructureRecord) error) error {
	return s.cfg.Store.EachStructure(ctx, fn)
}
