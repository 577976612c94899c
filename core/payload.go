package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// The outbox payload: what a queued row will send, kept in the user's
// database until the portal has it. A row may wait there across upgrades
// (an accountant queues 300 structures, installs the next version, syncs
// next week), so its bytes are a format of their own, versioned and frozen:
// neither the onboarding API's names nor the Go field names of the drafts
// may change what an old row means.
//
//   - Version 1 (up to 0.1.x): the draft's JSON, bare ({"identifier":...}).
//   - Version 2: {"v":2,"structure":{...}} or {"v":2,"account":{...}}, the
//     same names as version 1 inside.
//
// A new version adds a new decoder here and keeps every earlier one; the
// tests decode a payload written by each (core/testdata/payload).

// PayloadVersion is the version of the payloads this build writes.
const PayloadVersion = 2

// CodePayloadVersion says a payload was written by a newer version of the
// application: it is kept, not sent, until that version syncs it.
const CodePayloadVersion = "outbox.payload_version"

// CodePayloadInvalid says a payload cannot be read at all (edited by hand,
// or damaged).
const CodePayloadInvalid = "outbox.bad_payload"

// storedStructure is a structure in a payload, versions 1 and 2.
type storedStructure struct {
	IdentifierType IdentifierType `json:"identifier_type"`
	Identifier     string         `json:"identifier"`
	Kind           StructureKind  `json:"structure_kind"`
	CompanyName    string         `json:"company_name"`
	StructureName  string         `json:"structure_name,omitempty"`
	Email          string         `json:"email,omitempty"`
	Phone          string         `json:"phone,omitempty"`
	Address        string         `json:"address"`
	Complement1    string         `json:"address_complement_1,omitempty"`
	Complement2    string         `json:"address_complement_2,omitempty"`
	City           string         `json:"city"`
	PostalCode     string         `json:"postal_code"`
	Country        string         `json:"country"`
	NonDiffusible  bool           `json:"non_diffusible"`
}

// storedAccount is an account in a payload, versions 1 and 2.
type storedAccount struct {
	LoginEmail           string    `json:"login_email"`
	LoginEmailConfirm    string    `json:"login_email_confirm"`
	FirstName            string    `json:"first_name"`
	LastName             string    `json:"last_name"`
	Phone                string    `json:"phone,omitempty"`
	ContactEmail         string    `json:"contact_email,omitempty"`
	ConditionsAcceptedAt time.Time `json:"conditions_accepted_at"`
}

// payloadV2 is the envelope of version 2: one of the two is set.
type payloadV2 struct {
	V         int              `json:"v"`
	Structure *storedStructure `json:"structure,omitempty"`
	Account   *storedAccount   `json:"account,omitempty"`
}

// EncodeStructurePayload returns the payload of a row sending d.
func EncodeStructurePayload(d StructureDraft) []byte {
	s := storedStructure(d)
	b, _ := json.Marshal(payloadV2{V: PayloadVersion, Structure: &s}) // plain strings always encode
	return b
}

// EncodeAccountPayload returns the payload of a row sending a.
func EncodeAccountPayload(a AccountDraft) []byte {
	s := storedAccount(a)
	b, _ := json.Marshal(payloadV2{V: PayloadVersion, Account: &s})
	return b
}

// DecodeStructurePayload reads a structure's payload of any version.
func DecodeStructurePayload(b []byte) (StructureDraft, error) {
	var s storedStructure
	env, err := decodePayload(b, &s, "structure")
	if err != nil {
		return StructureDraft{}, err
	}
	if env != nil {
		if env.Structure == nil {
			return StructureDraft{}, payloadError("structure", "no structure in the payload")
		}
		s = *env.Structure
	}
	return StructureDraft(s), nil
}

// DecodeAccountPayload reads an account's payload of any version.
func DecodeAccountPayload(b []byte) (AccountDraft, error) {
	var a storedAccount
	env, err := decodePayload(b, &a, "account")
	if err != nil {
		return AccountDraft{}, err
	}
	if env != nil {
		if env.Account == nil {
			return AccountDraft{}, payloadError("account", "no account in the payload")
		}
		a = *env.Account
	}
	return AccountDraft(a), nil
}

// decodePayload reads b: a version 1 payload into v1 (and nil), a later
// one into the envelope it returns.
func decodePayload(b []byte, v1 any, what string) (*payloadV2, error) {
	var probe struct {
		V *int `json:"v"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, payloadError(what, err.Error())
	}
	if probe.V == nil {
		// Version 1 had no envelope (and no "v" field in either draft).
		if err := strictDecode(b, v1); err != nil {
			return nil, payloadError(what, err.Error())
		}
		return nil, nil
	}
	switch *probe.V {
	case 2:
		var env payloadV2
		if err := strictDecode(b, &env); err != nil {
			return nil, payloadError(what, err.Error())
		}
		return &env, nil
	}
	if *probe.V > PayloadVersion {
		return nil, &E{Kind: KindInvalid, Code: CodePayloadVersion, Op: "read " + what + " payload",
			Params: map[string]string{"version": strconv.Itoa(*probe.V)}}
	}
	return nil, payloadError(what, "unknown version "+strconv.Itoa(*probe.V))
}

// strictDecode reads exactly one JSON object with no field it does not
// know: a payload is never read half.
func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

// payloadError is a payload that cannot be read; detail says why, for the
// log (never the payload's own values).
func payloadError(what, detail string) *E {
	return &E{Kind: KindInvalid, Code: CodePayloadInvalid, Op: "read " + what + " payload", Err: errors.New(detail)}
}
