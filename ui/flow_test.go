package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/chorusonboard/chorus-onboard/core/sim"
	"github.com/chorusonboard/chorus-onboard/internal/uitest"
	"github.com/chorusonboard/chorus-onboard/ui/shell"
	"github.com/chorusonboard/chorus-onboard/ui/widgets"
)

// The journeys across areas, as people go through them on the whole
// interface: they find what to tap and type by the texts on the screen
// (uitest.Person), on the real application layer and a real chorus-sim.

const password = "Tr0ub4dor&3x-Lune"

// TestWholeFlowToApprovedAttachment: Alice creates her account and her
// structure; Bob creates his account and asks to join it; Alice approves;
// Bob sees the request approved.
func TestWholeFlowToApprovedAttachment(t *testing.T) {
	h := newHarness(t, "en", uitest.Options{})
	p := uitest.NewPerson(t, h.Win)
	tr := h.Shell.Text().T
	signUp(t, h, p, "alice@example.fr", "Alice")
	p.Tap(tr("done.create.title"))
	p.Type(tr("field.identifier"), "732 829 320 00074")
	p.Tap(tr("button.submit"))
	h.CloseDialogs()
	p.MustSee("You are its principal manager")

	signUp(t, h, p, "bob@example.fr", "Bob")
	p.Tap(tr("done.attach.button"))
	p.Type(tr("field.identifier"), "73282932000074")
	p.Tap(tr("attach.search"))
	p.Tap(tr("attach.request"))
	p.MustSee("Pending · ")

	signIn(t, h, p, "alice@example.fr")
	if n := approveAll(t, h, p); n != "1 request approved." {
		t.Fatalf("Alice: %q", n)
	}
	signIn(t, h, p, "bob@example.fr")
	p.Tap(tr("approvals.button"))
	p.Tab(tr("approvals.mine"))
	p.MustSee("Approved")
}

// TestAttachmentApproved: a person whose SIRET is on the portal already is
// offered to ask to join it from the structure form; its manager approves;
// the person sees it.
func TestAttachmentApproved(t *testing.T) {
	h := newHarness(t, "en", uitest.Options{})
	p := uitest.NewPerson(t, h.Win)
	tr := h.Shell.Text().T
	if err := h.Sim.SeedStructure(t.Context(), "73282932000074", "ATELIERS"); err != nil {
		t.Fatal(err)
	}
	if err := h.Sim.SeedAccount(t.Context(), "asker@example.fr", password); err != nil {
		t.Fatal(err)
	}
	signIn(t, h, p, "asker@example.fr")
	p.Tap(tr("done.create.title"))
	p.Type(tr("field.identifier"), "73282932000074")
	p.MustSee("This structure already exists")
	p.Tap(tr("done.attach.button"))
	if h.Shell.Step() != shell.StepAttach {
		t.Fatalf("the form's button opened %s", h.Shell.Step())
	}
	p.Tap(tr("attach.request"))
	p.MustSee("Pending · ")

	h.SignIn(sim.ManagerEmail("73282932000074"), sim.ManagerPassword("73282932000074"))
	if n := approveAll(t, h, p); n != "1 request approved." {
		t.Fatalf("the manager: %q", n)
	}
	signIn(t, h, p, "asker@example.fr")
	p.Tap(tr("approvals.button"))
	p.Tab(tr("approvals.mine"))
	p.MustSee("Approved")
}

// signUp goes through steps 1 to 4 as a person does, the captcha answered
// with the code the sandbox mails, the link taken from its mailbox.
func signUp(t *testing.T, h *harness, p *uitest.Person, email, first string) {
	t.Helper()
	tr := h.Shell.Text().T
	h.Shell.Show(shell.StepHome)
	p.Tap(tr("home.start"))
	for _, f := range []string{"field.login_email", "field.login_email_confirm", "field.first_name", "field.last_name", "field.phone"} {
		p.Clear(tr(f))
	}
	p.Type(tr("field.login_email"), email)
	p.Type(tr("field.login_email_confirm"), email)
	p.Type(tr("field.first_name"), first)
	p.Type(tr("field.last_name"), "Martin")
	p.Check(tr("field.conditions"))
	p.Tap(tr("button.submit"))
	p.Tap(tr("captcha.alternative"))
	mails, err := h.Portal.Mailbox(t.Context(), email)
	if err != nil || len(mails) == 0 {
		t.Fatalf("%s's mailbox: %v %v", email, mails, err)
	}
	p.Type(tr("captcha.prompt"), codeInMail.FindString(mails[0].Body))
	p.Tap(tr("captcha.validate"))
	p.Tap(tr("activation.mailbox"))
	use := uitest.Objects(p.Root(), func(o fyne.CanvasObject) bool {
		b, ok := o.(*widgets.Button)
		return ok && b.Text == tr("activation.use_link")
	})
	if len(use) == 0 {
		t.Fatalf("no activation link in %s's mailbox: %s", email, p)
	}
	test.Tap(use[0].(*widgets.Button))
	p.Type(tr("field.password"), password)
	p.Type(tr("field.password_confirm"), password)
	p.Tap(tr("button.submit"))
	if h.Shell.Step() != shell.StepDone {
		t.Fatalf("%s signing up: on %s: %s", email, h.Shell.Step(), p)
	}
}

// signIn signs in on the sign-in screen.
func signIn(t *testing.T, h *harness, p *uitest.Person, email string) {
	t.Helper()
	tr := h.Shell.Text().T
	h.Shell.Show(shell.StepSignIn)
	p.Clear(tr("field.login_email"))
	p.Type(tr("field.login_email"), email)
	p.Type(tr("field.password_signin"), password)
	p.Tap(tr("signin.button"))
	if h.Shell.Step() != shell.StepDone {
		t.Fatalf("signing in as %s: on %s: %s", email, h.Shell.Step(), p)
	}
}

// approveAll opens the requests, ticks every one waiting (the table's
// header box), approves and confirms; it returns what the screen says.
func approveAll(t *testing.T, h *harness, p *uitest.Person) string {
	t.Helper()
	tr := h.Shell.Text().T
	p.Tap(tr("approvals.button"))
	boxes := uitest.Objects(p.Root(), func(o fyne.CanvasObject) bool { c, ok := o.(*widgets.Check); return ok && c.Text == "" })
	if len(boxes) == 0 {
		t.Fatalf("no box to tick every request: %s", p)
	}
	test.Tap(boxes[0].(*widgets.Check)) // the header's, drawn first
	var approve *widgets.Button
	for _, o := range uitest.Objects(p.Root(), func(o fyne.CanvasObject) bool {
		b, ok := o.(*widgets.Button)
		return ok && strings.HasPrefix(b.Text, "Approve")
	}) {
		approve = o.(*widgets.Button)
	}
	if approve == nil {
		t.Fatalf("no Approve button: %s", p)
	}
	uitest.Tapped(t, approve)
	p.Tap("Approve")
	for _, s := range p.Texts() {
		if strings.Contains(s, "approved") {
			return s
		}
	}
	return strings.Join(p.Texts(), " | ")
}
