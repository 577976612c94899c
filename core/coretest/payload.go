package coretest

import (
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
)

// PayloadSample is one outbox payload as a version of the application
// wrote it (core/testdata/payload), and the draft it holds: one of
// Structure and Account is set.
type PayloadSample struct {
	File      string // the file's name, e.g. "v1-structure.json"
	Version   int
	Structure *core.StructureDraft
	Account   *core.AccountDraft
}

// Bytes returns the sample's payload as stored.
func (s PayloadSample) Bytes() ([]byte, error) {
	_, here, _, _ := runtime.Caller(0)
	return os.ReadFile(filepath.Join(filepath.Dir(here), "..", "testdata", "payload", s.File))
}

// PayloadSamples lists a payload written by every version of the outbox
// payload, each kind and each shape (every field set, the fewest fields).
// A new version adds its files here and keeps the old ones.
func PayloadSamples() []PayloadSample {
	full := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: "73282932000074", Kind: core.KindPrivate,
		CompanyName: "Ateliers Lune", StructureName: "Siège", Email: "compta@lune.example", Phone: "+33123456789",
		Address: "12 rue des Lilas", Complement1: "Bât. B", Complement2: "3e étage", City: "Lyon", PostalCode: "69003", Country: "FR", NonDiffusible: true}
	minimal := core.StructureDraft{IdentifierType: core.IDSIRET, Identifier: "35600000049837", CompanyName: "Minimal",
		Address: "1 rue", City: "Paris", PostalCode: "75002", Country: "FR"}
	account := core.AccountDraft{LoginEmail: "jeanne@cabinet.example", LoginEmailConfirm: "jeanne@cabinet.example", FirstName: "Jeanne", LastName: "Martin",
		Phone: "+33612457898", ContactEmail: "compta@cabinet.example", ConditionsAcceptedAt: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)}
	var out []PayloadSample
	for v := 1; v <= core.PayloadVersion; v++ {
		p := "v" + strconv.Itoa(v) + "-"
		out = append(out,
			PayloadSample{File: p + "structure.json", Version: v, Structure: &full},
			PayloadSample{File: p + "structure-minimal.json", Version: v, Structure: &minimal},
			PayloadSample{File: p + "account.json", Version: v, Account: &account})
	}
	return out
}
