package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// TestFocusScrollsIntoView: moving the keyboard focus to a field below the
// fold scrolls the page so the field shows, and back up again.
func TestFocusScrollsIntoView(t *testing.T) {
	h := newHarness(t, "fr")
	h.win.Resize(windowSize)
	h.ui.show(stepStructure)
	s := h.ui.structureS
	scroll := h.ui.pageScroll
	visible := func(e *widgets.FocusEntry) bool {
		d := h.app.Driver()
		top := d.AbsolutePositionForObject(e).Y - d.AbsolutePositionForObject(scroll).Y
		return top >= 0 && top+e.Size().Height <= scroll.Size().Height
	}
	if visible(s.zip) {
		t.Fatal("the postal code is above the fold at this size: the test proves nothing")
	}
	h.win.Canvas().Focus(s.zip)
	if scroll.Offset.Y == 0 || !visible(s.zip) {
		t.Fatalf("focused postal code not in view (offset %v)", scroll.Offset)
	}
	h.win.Canvas().Focus(s.identifier)
	if !visible(s.identifier) {
		t.Fatalf("focused identifier not in view (offset %v)", scroll.Offset)
	}
}

// TestLabelsAlign: every label of the structure form stands in one column,
// whatever section it belongs to.
func TestLabelsAlign(t *testing.T) {
	h := newHarness(t, "fr")
	h.win.Resize(windowSize)
	h.ui.show(stepStructure)
	s := h.ui.structureS
	d := h.app.Driver()
	x := d.AbsolutePositionForObject(s.identifier).X
	for _, e := range []*widgets.FocusEntry{s.company, s.address, s.complement2, s.city, s.zip} {
		if got := d.AbsolutePositionForObject(e).X; got != x {
			t.Errorf("a field starts at x=%v, the identifier at x=%v", got, x)
		}
	}
}

// TestCaptchaOffersTheSandboxMailbox: in the Local sandbox the e-mailed
// code can be read from step 3 itself.
func TestCaptchaOffersTheSandboxMailbox(t *testing.T) {
	h := newHarness(t, "en")
	test.Tap(h.ui.home.start)
	fillAccount(h.ui.accountS, "code@example.fr")
	test.Tap(h.ui.accountS.conditions)
	test.Tap(h.ui.accountS.submit)
	c := h.ui.captchaS
	if c == nil || !c.mailbox.button.Visible() {
		t.Fatal("no sandbox mailbox on the captcha screen")
	}
	test.Tap(c.emailCode)
	test.Tap(c.mailbox.button)
	if c.mailbox.dialog == nil {
		t.Fatalf("mailbox not shown: %q", c.message.Text)
	}
}
