package widgets

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestFieldsSayWhatIsSeen: a field read by a screen reader says its
// label (named from its form, the required mark dropped), its value and
// the error it shows, never a password's value; buttons, ours included,
// say their text.
func TestFieldsSayWhatIsSeen(t *testing.T) {
	test.NewTempApp(t)
	mail := &FocusEntry{}
	mail.ExtendBaseWidget(mail)
	mail.SetValidator(func(v string) error {
		if v == "jeanne@example" {
			return errors.New("Check the part after the @")
		}
		return nil
	})
	pw := &FocusEntry{}
	pw.Password = true
	pw.ExtendBaseWidget(pw)
	NameFields(widget.NewForm(widget.NewFormItem("Email address *", mail), widget.NewFormItem("Password", pw)))
	mail.SetText("jeanne@example")
	pw.SetText("Tr0ub4dor&3x-Lune")
	for _, c := range []struct {
		a    fyne.Accessible
		want string
	}{
		{mail, "Email address: jeanne@example: Check the part after the @"},
		{pw, "Password (••••••••)"},
		{NewButton("Send", nil), "Send"},
	} {
		if got := c.a.AccessibilityLabel(); got != c.want {
			t.Errorf("%q, want %q", got, c.want)
		}
	}
	mail.SetText("jeanne@example.fr")
	if got := mail.AccessibilityLabel(); got != "Email address: jeanne@example.fr" {
		t.Errorf("a valid field says %q", got)
	}
}
