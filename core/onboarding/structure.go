package onboarding

import (
	"context"
	"slices"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/registry"
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

// Structures is the structure form, and the one place a draft is
// validated before it is kept (prepare): the form, the workspace's bulk
// actions, an import and a registry pre-fill all save through it, so each
// record keeps the canonical values and the problems of the rules of this
// build, and every queued row names the target it goes to.
type Structures struct {
	store core.StructureStore
	conn  *Connection
	sync  *Sync
}

// NewStructures returns the service over the structure drafts; sync sends
// what it queues.
func NewStructures(store core.StructureStore, conn *Connection, sync *Sync) *Structures {
	return &Structures{store: store, conn: conn, sync: sync}
}

// prepare is the one rule of what a save keeps: the draft validated by
// core/validate, each valid value canonical (a SIRET without spaces, a
// phone in E.164) and each invalid one as typed, with its problems; the
// store takes nothing else (core.Checked).
func prepare(d core.StructureDraft) core.Checked[core.StructureDraft] {
	return core.CheckStructure(d)
}

// request is the save of a prepared draft: queued rows go to the target
// in effect.
func (s *Structures) request(id int64, d core.StructureDraft, queue bool) core.SaveStructure {
	req := core.SaveStructure{ID: id, Checked: prepare(d), Queue: queue}
	if queue {
		req.Target = s.conn.Target().Key
	}
	return req
}

// saveAll saves prepared requests in one transaction, stamping the target
// in effect on those that queue, and wakes the worker when one did.
func (s *Structures) saveAll(ctx context.Context, reqs []core.SaveStructure) ([]core.SaveResult, error) {
	key := s.conn.Target().Key
	for i := range reqs {
		if reqs[i].Queue && reqs[i].Target == "" {
			reqs[i].Target = key
		}
	}
	out, err := s.store.SaveStructures(ctx, reqs)
	if err == nil && slices.ContainsFunc(out, func(r core.SaveResult) bool { return r.Queued }) {
		s.sync.Notify()
	}
	return out, err
}

// Lookup asks the portal whether a SIRET exists there, through the
// onboarding API where the environment has one, else through PISTE, and,
// when it does not, the company registry what it knows of it.
func (s *Structures) Lookup(ctx context.Context, siret string) Lookup {
	var out Lookup
	t := s.conn.Target()
	switch {
	case t.Err != nil:
		out.CheckErr = t.Err
	case t.Portal != nil:
		res, err := t.Portal.SearchStructure(ctx, core.IDSIRET, siret)
		out.OnPortal, out.Checked, out.CheckErr = res.Found, err == nil, err
	default:
		c, err := s.conn.chorus()
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

// Save validates a structure draft and keeps it, with its problems; queue
// also puts it in the outbox for the portal (refused with KindInvalid
// while it has errors) and wakes the worker. id 0 finds the record by its
// identifier, or creates it.
func (s *Structures) Save(ctx context.Context, id int64, d core.StructureDraft, queue bool) (core.StructureRecord, core.SaveResult, error) {
	rec, res, err := s.store.SaveStructure(ctx, s.request(id, d, queue))
	if err == nil && res.Queued {
		s.sync.Notify()
	}
	return rec, res, err
}

// Submit is the structure form's Submit: the structure is kept with its
// outbox row (so nothing is lost offline) and, where the environment has
// an onboarding API, that structure is sent at once, whatever else is
// queued; it returns the record as the portal left it (created,
// attachment requested, refused, or still queued when offline). On Chorus
// Pro's own environments it stays a draft for the hand-off.
func (s *Structures) Submit(ctx context.Context, d core.StructureDraft) (core.StructureRecord, error) {
	req := s.request(0, d, false)
	if problems := req.Checked.Problems(); problems.HasErrors() {
		return core.StructureRecord{}, &core.E{Kind: core.KindInvalid, Code: "store.queue_invalid", Op: "submit structure", Problems: problems.Errors()}
	}
	online := s.conn.Target().Portal != nil
	if online {
		req.Queue, req.Target = true, s.conn.Target().Key
	}
	rec, _, err := s.store.SaveStructure(ctx, req)
	if err != nil || !online {
		return rec, err
	}
	// Failures stay queued (offline) or are parked with the portal's
	// notice: the record says which.
	_, _ = s.sync.SendStructure(ctx, rec.ID)
	return s.store.Structure(context.WithoutCancel(ctx), rec.ID)
}

// Structure returns one stored structure.
func (s *Structures) Structure(ctx context.Context, id int64) (core.StructureRecord, error) {
	return s.store.Structure(ctx, id)
}
