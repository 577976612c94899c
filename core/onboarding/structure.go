package onboarding

import (
	"context"
	"slices"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/registry"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// Lookup is what the portal and the company registry know of an
// identifier typed in the structure form. Each side answers on its own: one
// failing says why, and the other's answer still counts.
type Lookup struct {
	// OnPortal is true when the structure exists on the portal: the user
	// asks to be attached to it (on Chorus Pro's own environments, on the
	// portal's pages: the hand-off) instead of creating it.
	OnPortal bool
	// Checked is true when the portal said whether it exists: the
	// onboarding API, or Chorus Pro through PISTE when its credentials are
	// set. CheckErr is why it could not say (offline, a PISTE layer
	// refusing, no credentials: code "handoff.no_credentials").
	Checked  bool
	CheckErr error
	// Company is the registry's record, nil when it has none (or the
	// structure is on the portal already, where the registry adds nothing).
	// RegistryErr is why: KindNotFound for a company no registry knows (a
	// warning: the user types it), another kind when the registry could
	// not answer (offline, its key refused, an answer that is not JSON).
	Company     *registry.Company
	RegistryErr error
}

// LookUp asks the portal whether a SIRET exists there, through the
// onboarding API where the environment has one, else through PISTE, and,
// when it does not, the company registry what it knows of it.
func (s *Service) LookUp(ctx context.Context, siret string) Lookup {
	var out Lookup
	t := s.Target()
	switch {
	case t.Err != nil:
		out.CheckErr = t.Err
	case t.Portal != nil:
		res, err := t.Portal.SearchStructure(ctx, core.IDSIRET, siret)
		out.OnPortal, out.Checked, out.CheckErr = res.Found, err == nil, err
	default:
		c, err := s.chorus()
		if err == nil {
			_, err = c.FindStructure(ctx, core.IDSIRET, siret)
			if core.KindOf(err) == core.KindNotFound {
				err = nil
			} else if err == nil {
				out.OnPortal = true
			}
		}
		out.Checked, out.CheckErr = err == nil, err
	}
	if out.OnPortal {
		return out
	}
	switch {
	case t.Err != nil:
		out.RegistryErr = t.Err
	case t.Registry == nil:
		out.RegistryErr = errNoRegistry
	default:
		c, err := t.Registry.Lookup(ctx, siret)
		if err == nil {
			out.Company = &c
		}
		out.RegistryErr = err
	}
	return out
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
// outbox rows wait to be sent to the environment in effect.
func (s *Service) Counts(ctx context.Context) (map[core.SyncState]int, int, error) {
	counts, err := s.cfg.Store.CountStructures(ctx)
	if err != nil {
		return nil, 0, err
	}
	pending, _, err := s.cfg.Store.Pending(ctx, s.Target().Key)
	return counts, pending, err
}

// PendingElsewhere counts the outbox rows queued for other environments:
// they wait until the user goes back to the one they were queued for.
func (s *Service) PendingElsewhere(ctx context.Context) (int, error) {
	by, err := s.cfg.Store.PendingByTarget(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for target, k := range by {
		if target != s.Target().Key {
			n += k
		}
	}
	return n, nil
}

// EachStructure streams every stored structure in key order to fn, which
// may stop the walk by returning an error (returned as is).
func (s *Service) EachStructure(ctx context.Context, fn func(core.StructureRecord) error) error {
	return s.cfg.Store.EachStructure(ctx, fn)
}
