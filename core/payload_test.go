package core_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
)

// TestPayloadsOfEveryVersion: a payload written by every version still
// reads as the draft it held, and this version writes its own samples
// byte for byte (a change to the format fails here, and calls for a new
// version, not an edit).
func TestPayloadsOfEveryVersion(t *testing.T) {
	versions := map[int]bool{}
	for _, s := range coretest.PayloadSamples() {
		t.Run(s.File, func(t *testing.T) {
			versions[s.Version] = true
			b, err := s.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			var again []byte
			if s.Structure != nil {
				d, err := core.DecodeStructurePayload(b)
				if err != nil || d != *s.Structure {
					t.Fatalf("decoded %+v, %v; want %+v", d, err, *s.Structure)
				}
				if _, err := core.DecodeAccountPayload(b); s.Version > 1 && core.CodeOf(err) != core.CodePayloadInvalid {
					t.Errorf("a structure read as an account: %v", err)
				}
				again = core.EncodeStructurePayload(d)
			} else {
				a, err := core.DecodeAccountPayload(b)
				if err != nil || !reflect.DeepEqual(a, *s.Account) {
					t.Fatalf("decoded %+v, %v; want %+v", a, err, *s.Account)
				}
				if _, err := core.DecodeStructurePayload(b); core.CodeOf(err) != core.CodePayloadInvalid {
					t.Errorf("an account read as a structure: %v", err)
				}
				again = core.EncodeAccountPayload(a)
			}
			if s.Version == core.PayloadVersion && !bytes.Equal(again, bytes.TrimSpace(b)) {
				t.Errorf("this version writes\n%s\nits sample is\n%s", again, b)
			}
		})
	}
	for v := 1; v <= core.PayloadVersion; v++ {
		if !versions[v] {
			t.Errorf("no sample of version %d", v)
		}
	}
}

func TestPayloadRefusals(t *testing.T) {
	tests := []struct {
		name, in, code string
	}{
		{"a newer version's", `{"v":3,"structure":{"identifier":"1"}}`, core.CodePayloadVersion},
		{"a version that never was", `{"v":0}`, core.CodePayloadInvalid},
		{"a negative version", `{"v":-1}`, core.CodePayloadInvalid},
		{"a version as text", `{"v":"2"}`, core.CodePayloadInvalid},
		{"not JSON", `identifier=1`, core.CodePayloadInvalid},
		{"empty", ``, core.CodePayloadInvalid},
		{"an array", `[]`, core.CodePayloadInvalid},
		{"a field no version had", `{"identifier":"1","colour":"blue"}`, core.CodePayloadInvalid},
		{"a field no version had, in version 2", `{"v":2,"structure":{"colour":"blue"}}`, core.CodePayloadInvalid},
		{"version 2 without its structure", `{"v":2}`, core.CodePayloadInvalid},
		{"two values", `{"identifier":"1"} {"identifier":"2"}`, core.CodePayloadInvalid},
		{"a wrong type", `{"non_diffusible":"yes"}`, core.CodePayloadInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := core.DecodeStructurePayload([]byte(tt.in))
			if core.CodeOf(err) != tt.code {
				t.Fatalf("%v, want %s", err, tt.code)
			}
			if e := core.AsE(err); e.Kind != core.KindInvalid || core.Retryable(err) {
				t.Errorf("kind %v: a payload that cannot be read is not retried", e.Kind)
			}
		})
	}
	if e := core.AsE(func() error { _, err := core.DecodeStructurePayload([]byte(`{"v":7}`)); return err }()); e.Param("version") != "7" {
		t.Errorf("the newer version is not named: %+v", e)
	}
}

// FuzzDecodeStructurePayload: whatever a damaged database holds, decoding
// neither panics nor accepts bytes it cannot write back to the same draft.
func FuzzDecodeStructurePayload(f *testing.F) {
	for _, s := range coretest.PayloadSamples() {
		if b, err := s.Bytes(); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"v":2,"structure":null}`))
	f.Add([]byte(`{"v":99999999999999999999}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := core.DecodeStructurePayload(b)
		if err != nil {
			if core.CodeOf(err) != core.CodePayloadInvalid && core.CodeOf(err) != core.CodePayloadVersion {
				t.Fatalf("uncoded: %v", err)
			}
			return
		}
		back, err := core.DecodeStructurePayload(core.EncodeStructurePayload(d))
		if err != nil || back != d {
			t.Fatalf("%q: round trip %+v %v, want %+v", b, back, err, d)
		}
	})
}
