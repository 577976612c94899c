package onboarding_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/internal/simtest"
)

// TestSecondFactorService: the account service through the second factor
// on a real chorus-sim: the first sign-in enrols an authenticator app and
// trusts the computer (the device token in the keyring, nowhere else); the
// next sign-in needs no code; a password alone through SignIn says a
// second factor is needed; revoking this computer removes its keyring
// entry, and a code is asked again.
func TestSecondFactorService(t *testing.T) {
	f := newFixture(t, func(c *sim.Config) { c.SecondFactorOff = false })
	ctx := t.Context()
	const email = "ana@example.fr"
	if err := f.sim.SeedAccount(ctx, email, password); err != nil {
		t.Fatal(err)
	}
	a := f.svc.Accounts
	ch, err := a.StartSignIn(ctx, email, password)
	if err != nil || ch == nil || !ch.Enrol {
		t.Fatalf("first sign-in: %+v %v", ch, err)
	}
	if a.TrustedHere(ctx, email) {
		t.Fatal("trusted before any second factor")
	}
	en, err := a.Enrol(ctx, ch.Challenge, api.MethodTOTP)
	if err != nil {
		t.Fatal(err)
	}
	code, err := simtest.Code(en.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	codes, err := a.FinishSignIn(ctx, email, api.SecondFactor{Challenge: ch.Challenge, Code: code, TrustDevice: true, DeviceName: "PC-1"})
	if err != nil || len(codes) != api.RecoveryCodeCount {
		t.Fatalf("enrolment: %d codes, %v", len(codes), err)
	}
	kept, err := f.secrets.Get(ctx, core.SecretDeviceToken)
	if err != nil || !strings.HasPrefix(kept, email+"\n") || !a.TrustedHere(ctx, email) || a.TrustedHere(ctx, "bob@example.fr") {
		t.Fatalf("the keyring's device entry %q, %v", kept, err)
	}
	if ch, err := a.StartSignIn(ctx, email, password); err != nil || ch != nil {
		t.Fatalf("a trusted computer: %+v %v", ch, err)
	}
	if err := a.SignIn(ctx, email, password); err != nil {
		t.Fatalf("SignIn on a trusted computer: %v", err)
	}
	devs, err := a.Devices(ctx)
	if err != nil || len(devs) != 1 || devs[0].ID != a.ThisDevice(ctx) {
		t.Fatalf("devices %+v (this one %d), %v", devs, a.ThisDevice(ctx), err)
	}
	if err := a.RevokeDevice(ctx, devs[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.secrets.Get(ctx, core.SecretDeviceToken); core.KindOf(err) != core.KindNotFound {
		t.Fatalf("after revoking this computer, its keyring entry: %v", err)
	}
	if err := a.SignIn(ctx, email, password); core.CodeOf(err) != api.CodeSecondFactorRequired {
		t.Fatalf("after revoking: %v", err)
	}
}
