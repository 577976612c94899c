package core

import "sync/atomic"

// Checked is a draft as validation left it: what is kept of it (a
// structure in its canonical form, each valid value canonical and each
// invalid one as typed; an account as typed, since its form shows it back
// while the user types) and the problems validation found. Its fields are
// unexported and only CheckStructure and CheckAccount build one, through
// the rules core/validate registers: a store that takes a Checked keeps
// validation's problems, never whatever a caller passes (before, "validate
// then save" was a habit of every caller, not a rule the store held).
type Checked[D any] struct {
	draft    D
	problems Problems
	checked  bool
}

// Draft returns what is kept of the draft.
func (c Checked[D]) Draft() D { return c.draft }

// Problems returns what validation found.
func (c Checked[D]) Problems() Problems { return c.problems }

// IsChecked reports whether validation built c: the zero value was never
// checked, and a store refuses it.
func (c Checked[D]) IsChecked() bool { return c.checked }

// Rules are validation's: a structure's canonical form and problems, and
// an account's problems.
type Rules struct {
	Structure func(StructureDraft) (StructureDraft, Problems)
	Account   func(AccountDraft) Problems
}

var rules atomic.Pointer[Rules]

// RegisterRules installs validation's rules; core/validate calls it once,
// from its init, so any program that links validation has them. A second
// registration panics: no other rules can replace them.
func RegisterRules(r Rules) {
	if r.Structure == nil || r.Account == nil || !rules.CompareAndSwap(nil, &r) {
		panic("core: validation rules registered twice, or incomplete")
	}
}

// registered returns the rules, panicking when none were registered: a
// program that saves drafts without linking core/validate is a build
// mistake, found by its first test.
func registered() *Rules {
	r := rules.Load()
	if r == nil {
		panic("core: no validation rules registered (import core/validate)")
	}
	return r
}

// CheckStructure validates a structure draft by the registered rules.
func CheckStructure(d StructureDraft) Checked[StructureDraft] {
	canon, problems := registered().Structure(d)
	return Checked[StructureDraft]{draft: canon, problems: problems, checked: true}
}

// CheckAccount validates an account draft by the registered rules; the
// draft is kept as typed.
func CheckAccount(d AccountDraft) Checked[AccountDraft] {
	return Checked[AccountDraft]{draft: d, problems: registered().Account(d), checked: true}
}

// CodeUnchecked: a store was handed a draft validation did not build (a
// bug of the caller's, never the user's).
const CodeUnchecked = "store.unchecked"
