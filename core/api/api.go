// Package api is the wire format of Chorus Onboard's onboarding API (v1):
// the portal flow that the real Chorus Pro API does not offer (captcha,
// account, activation, sign-in, structure creation, attachment requests),
// served by chorus-sim and called by core/portal. Server and client share
// these types so they cannot drift apart. The API is documented in
// docs/onboarding-api.yaml.
package api

import (
	"net/url"
	"strings"
	"time"

	"github.com/chorusonboard/chorus-onboard/core"
)

// Paths of the API.
const (
	PathCaptcha          = "/api/v1/captcha"
	PathCaptchaCode      = "/api/v1/captcha/{id}/email-code" // the non-visual alternative
	PathAccounts         = "/api/v1/accounts"
	PathActivation       = "/api/v1/activation"
	PathActivationResend = "/api/v1/activation/resend" // captcha-protected: a fresh link for an account not activated yet
	PathSession          = "/api/v1/session"
	// PathEnrolment chooses the second factor of an account that has none
	// yet (a challenge with Enrol set), PathSecondFactor answers a
	// challenge with a code and opens the session.
	PathEnrolment    = "/api/v1/session/enrolment"
	PathSecondFactor = "/api/v1/session/second-factor"
	// PathDevices lists the account's trusted computers; PathDevice
	// revokes one.
	PathDevices = "/api/v1/account/devices"
	PathDevice  = "/api/v1/account/devices/{id}"
	// PathPassword changes the signed-in account's password (with the
	// current one): every other session and every trusted computer ends.
	PathPassword         = "/api/v1/account/password"
	PathStructures       = "/api/v1/structures"
	PathAttachments      = "/api/v1/attachments"
	PathAttachmentsQueue = "/api/v1/attachments/pending"
	PathAttachmentDecide = "/api/v1/attachments/{id}/{decision}" // decision: approve or refuse
	// PathManaged lists the structures the caller is one of the people
	// of, with their role, rights and how many may approve; PathMembers a
	// structure's people, for its people; PathMember detaches a user
	// (action remove; the principal); PathMemberRights sets a user's
	// rights (PUT; the principal); PathLeave detaches the caller (a user).
	PathManaged      = "/api/v1/structures/managed"
	PathMembers      = "/api/v1/structures/{id}/members"
	PathMember       = "/api/v1/structures/{id}/members/{account}/{action}"
	PathMemberRights = "/api/v1/structures/{id}/members/{account}/rights"
	PathLeave        = "/api/v1/structures/{id}/leave"
	// PathStructure modifies a structure's information (PUT; the principal
	// and the users who may modify it).
	PathStructure = "/api/v1/structures/{id}"
	// PathInvitations invites a person by e-mail (POST; the principal and
	// the users who may approve) and lists the invitations waiting (GET;
	// the principal); PathInvitation withdraws one (DELETE; the
	// principal).
	PathInvitations = "/api/v1/structures/{id}/invitations"
	PathInvitation  = "/api/v1/structures/{id}/invitations/{email}"
	// PathHandover offers the principal role to a user (POST) or
	// withdraws the offer (DELETE), the principal; PathHandoverAnswer is
	// the user's answer (accept or decline); PathHandovers lists the
	// offers made to the caller.
	PathHandover       = "/api/v1/structures/{id}/handover"
	PathHandoverAnswer = "/api/v1/structures/{id}/handover/{answer}"
	PathHandovers      = "/api/v1/handovers"
	PathMailbox        = "/api/v1/sandbox/mailbox"
	PathHealth         = "/api/v1/health"
	// PathActivate is the page an activation link points to; its token
	// query parameter is what the client sends to PathActivation.
	PathActivate = "/activate"
)

// Headers.
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderAuthorization  = "Authorization"
)

// Error is the body of every error answer: a stable code and the message in
// both languages, so any client can show it in its user's language.
type Error struct {
	Code    string            `json:"code"`
	Message map[string]string `json:"message"`
}

// Error codes the client acts on (others are shown as they come).
const (
	CodeMalformed       = "request.malformed"
	CodeContentType     = "request.content_type" // a body that is not said to be JSON (415)
	CodeInvalid         = "request.invalid"      // a field broke a rule; Problems says which
	CodeUnauthorized    = "auth.required"
	CodeBadCredentials  = "auth.bad_credentials"
	CodeThrottled       = "auth.throttled"
	CodeNotActive       = "auth.not_active"
	CodeCaptchaWrong    = "captcha.wrong" // wrong, expired, already used or unknown
	CodeTokenInvalid    = "activation.invalid"
	CodeStructureExists = "structure.exists" // file an attachment request instead
	CodeNotFound        = "not_found"
	CodeForbidden       = "forbidden"
	CodeIdempotencyBody = "idempotency.mismatch" // same key, different request
	CodeUnavailable     = "service.unavailable"
	CodeMailThrottled   = "mail.throttled"            // too many e-mails to this address or from this client: wait
	CodeCodeAlreadySent = "captcha.code_already_sent" // one e-mailed code per challenge
	// CodeSecondaryGone answers the secondary manager's old actions
	// (promote, demote, transfer): the portal has no secondary manager
	// any more; a user's rights and the hand-over replace them (410).
	CodeSecondaryGone = "member.secondary_gone"
	// CodeApproveRight: only the principal and the users with the right
	// to approve attachment requests decide them and invite (403).
	CodeApproveRight = "member.approve_right_missing"
	// CodeModifyRight: only the principal and the users with the right to
	// modify the structure modify it (403).
	CodeModifyRight = "member.modify_right_missing"
	// CodePrincipalOnly: only the principal manager adjusts rights,
	// detaches users, hands the role over and lists invitations (403).
	CodePrincipalOnly = "member.principal_only"
	// CodePrincipalStays: the principal cannot leave nor be detached:
	// hand the role over first (409).
	CodePrincipalStays = "member.principal_stays"
	// CodeIdentifierFixed: a structure's identifier is never modified
	// (a problem of the identifier field).
	CodeIdentifierFixed = "structure.identifier_fixed"
	// CodeHandoverGone: no hand-over of this structure is offered to the
	// caller (declined, withdrawn, expired or never made), or its author
	// is no longer principal (404).
	CodeHandoverGone = "member.handover_gone"
	// CodeTooManyInvitations: the structure has as many invitations
	// waiting as allowed.
	CodeTooManyInvitations = "member.too_many_invitations"
	// CodeSecondFactorRequired is no answer of the server's: the clients'
	// code for a sign-in that got a second-factor challenge where the
	// caller can take only a session.
	CodeSecondFactorRequired = "second_factor.required"
	// CodeSecondFactorWrong: the code or recovery code is wrong, expired
	// or already used; the challenge stays, up to MaxCodeAttempts.
	CodeSecondFactorWrong = "second_factor.wrong"
	// CodeChallengeInvalid: the challenge is unknown, expired, answered
	// already, or void after MaxCodeAttempts wrong codes: sign in again.
	CodeChallengeInvalid = "second_factor.challenge_invalid"
	// CodePasswordUnchanged: a new password the same as the current one
	// (a problem of the password field).
	CodePasswordUnchanged = "password.unchanged"
)

// InvalidError is the body of a CodeInvalid answer: the base error plus
// every field problem, as core/validate found them on the server.
type InvalidError struct {
	Error
	Problems []Problem `json:"problems"`
}

// Problem is one field problem as the API carries it. It has
// core.Problem's fields, so each converts to the other (Problem(p),
// core.Problem(q)), but its own JSON names: the API's names are a contract
// with every client installed, core's are free to change.
type Problem struct {
	Field    string            `json:"field"`
	Code     string            `json:"code"`
	Severity core.Severity     `json:"severity"` // 1 warning, 2 error
	Params   map[string]string `json:"params,omitempty"`
}

// ProblemsOf returns p as the API carries it.
func ProblemsOf(p core.Problems) []Problem {
	if p == nil {
		return nil
	}
	out := make([]Problem, len(p))
	for i, x := range p {
		out[i] = Problem(x)
	}
	return out
}

// CoreProblems returns problems read from the API as core's.
func CoreProblems(p []Problem) core.Problems {
	if p == nil {
		return nil
	}
	out := make(core.Problems, len(p))
	for i, x := range p {
		out[i] = core.Problem(x)
	}
	return out
}

// Captcha is a new challenge: a PNG to read, valid for ExpiresIn seconds,
// one attempt.
type Captcha struct {
	ID        string `json:"id"`
	PNG       []byte `json:"png"`
	Length    int    `json:"length"`
	ExpiresIn int    `json:"expires_in"`
}

// The captcha's image as chorus-sim draws it: CaptchaLength characters,
// each wholly inside a CaptchaWidth × CaptchaHeight image with a margin,
// none touching another. Clients show it at this size.
const (
	CaptchaWidth  = 360
	CaptchaHeight = 80
	CaptchaLength = 5
)

// CaptchaCodeRequest asks for the non-visual alternative: a code sent to
// the login e-mail that answers the challenge instead of the image.
type CaptchaCodeRequest struct {
	Email string `json:"email"`
}

// CreateAccount is step 2 and 3 of the portal: the personal information and
// the captcha answer (the image's characters or the e-mailed code).
type CreateAccount struct {
	CaptchaID     string      `json:"captcha_id"`
	CaptchaAnswer string      `json:"captcha_answer"`
	Account       AccountBody `json:"account"`
}

// AccountBody is an account as the API carries it. It has
// core.AccountDraft's fields, so each converts to the other
// (AccountBody(d), core.AccountDraft(b)), but its own JSON names.
type AccountBody struct {
	LoginEmail           string    `json:"login_email"`
	LoginEmailConfirm    string    `json:"login_email_confirm"`
	FirstName            string    `json:"first_name"`
	LastName             string    `json:"last_name"`
	Phone                string    `json:"phone,omitempty"`
	ContactEmail         string    `json:"contact_email,omitempty"`
	ConditionsAcceptedAt time.Time `json:"conditions_accepted_at"`
}

// StructureBody is a structure's form as the API carries it. It has
// core.StructureDraft's fields, so each converts to the other
// (StructureBody(d), core.StructureDraft(b)), but its own JSON names.
type StructureBody struct {
	IdentifierType core.IdentifierType `json:"identifier_type"`
	Identifier     string              `json:"identifier"`
	Kind           core.StructureKind  `json:"structure_kind"`
	CompanyName    string              `json:"company_name"`
	StructureName  string              `json:"structure_name,omitempty"`
	Email          string              `json:"email,omitempty"`
	Phone          string              `json:"phone,omitempty"`
	Address        string              `json:"address"`
	Complement1    string              `json:"address_complement_1,omitempty"`
	Complement2    string              `json:"address_complement_2,omitempty"`
	City           string              `json:"city"`
	PostalCode     string              `json:"postal_code"`
	Country        string              `json:"country"`
	NonDiffusible  bool                `json:"non_diffusible"`
}

// Accepted is the answer to an account creation, the same whether or not
// the address already had an account, so that nobody can probe addresses.
type Accepted struct {
	Status string `json:"status"` // "activation_sent"
}

// ResendActivation asks for a fresh activation link (the previous one dies)
// for an account not activated yet, with a solved captcha. The answer is
// the same whatever the address, so nobody can probe addresses.
type ResendActivation struct {
	CaptchaID     string `json:"captcha_id"`
	CaptchaAnswer string `json:"captcha_answer"`
	Email         string `json:"email"`
}

// Activate sets the first password with the activation link's token.
type Activate struct {
	Token    string `json:"token"`
	Password string `json:"password"`
}

// SignIn opens a session. DeviceToken, from an earlier second factor on
// this computer (SecondFactor.TrustDevice), stands in for the second
// factor, never for the password.
type SignIn struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	DeviceToken string `json:"device_token,omitempty"`
}

// Session is a signed-in session; send "Authorization: Bearer <Token>".
type Session struct {
	Token     string `json:"token"`
	ExpiresIn int    `json:"expires_in"`
	AccountID int64  `json:"account_id"`
	// RecoveryCodes come once, with the session that ends an enrolment:
	// the portal keeps only their hashes.
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
	// DeviceToken comes when the second factor asked to trust this
	// computer: keep it in the keyring and send it with the next sign-in.
	DeviceToken string `json:"device_token,omitempty"`
	// DeviceID names the trusted computer, to revoke it (PathDevice).
	DeviceID int64 `json:"device_id,omitempty"`
}

// Second-factor methods.
const (
	MethodTOTP     = "totp"     // a code from an authenticator app (RFC 6238)
	MethodEmail    = "email"    // a code e-mailed to the login address
	MethodRecovery = "recovery" // one of the recovery codes shown at enrolment
)

// Second-factor rules, the same for the server and its clients.
const (
	// MaxCodeAttempts wrong codes void a challenge.
	MaxCodeAttempts = 5
	// RecoveryCodeCount recovery codes are made at enrolment.
	RecoveryCodeCount = 10
	// CodeDigits is the length of a code from an app or an e-mail.
	CodeDigits = 6
	// ChallengeTTL is how long a challenge can be answered.
	ChallengeTTL = 10 * time.Minute
	// DeviceIdleTTL: a trusted computer not used this long is forgotten.
	DeviceIdleTTL = 90 * 24 * time.Hour
)

// SecondFactorChallenge answers a sign-in whose password was right
// (202): a second factor is needed before a session.
type SecondFactorChallenge struct {
	Challenge string `json:"challenge"`
	// Enrol: the account has no second factor yet; choose one with
	// PathEnrolment first.
	Enrol bool `json:"enrol"`
	// Methods the challenge accepts (MethodTOTP, MethodEmail,
	// MethodRecovery), or, with Enrol, those to choose from.
	Methods   []string `json:"methods"`
	ExpiresIn int      `json:"expires_in"`
	// EmailNotSent says why a challenge of MethodEmail came without a
	// mailed code (CodeMailThrottled: too many codes were sent to the
	// address this hour); the challenge still takes a recovery code, and
	// RetryAfter says in how many seconds signing in again mails one.
	EmailNotSent string `json:"email_not_sent,omitempty"`
	RetryAfter   int    `json:"retry_after,omitempty"`
}

// ChangePassword replaces the signed-in account's password: Current must
// be right (it counts against the sign-in throttle), New follows the
// password policy and differs from Current.
type ChangePassword struct {
	Current string `json:"current_password"`
	New     string `json:"new_password"`
}

// Enrol chooses the second factor for an enrolment challenge.
type Enrol struct {
	Challenge string `json:"challenge"`
	Method    string `json:"method"` // MethodTOTP or MethodEmail
}

// Enrolment is what the chosen method needs: for MethodTOTP the secret
// to put in the authenticator app (as text and as an otpauth:// URL, the
// QR code's content); for MethodEmail nothing, a code has been sent.
type Enrolment struct {
	Method     string `json:"method"`
	Secret     string `json:"secret,omitempty"`
	OTPAuthURL string `json:"otpauth_url,omitempty"`
	Status     string `json:"status"` // "scan_and_confirm" or "code_sent"
}

// SecondFactor answers a challenge: with a code (app or e-mail), or with
// a recovery code (used up by it). TrustDevice asks for a device token.
type SecondFactor struct {
	Challenge    string `json:"challenge"`
	Code         string `json:"code,omitempty"`
	RecoveryCode string `json:"recovery_code,omitempty"`
	TrustDevice  bool   `json:"trust_device,omitempty"`
	// DeviceName names the computer in the list of trusted ones (its
	// host name, say); at most 100 characters.
	DeviceName string `json:"device_name,omitempty"`
}

// Device is one trusted computer of the signed-in account.
type Device struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Created  int64  `json:"created"`   // Unix seconds
	LastUsed int64  `json:"last_used"` // Unix seconds
	Expires  int64  `json:"expires"`   // Unix seconds: LastUsed + 90 days
}

// Structure is a structure on the portal.
type Structure struct {
	ID            int64         `json:"id"` // idStructureCPP
	Draft         StructureBody `json:"structure"`
	Status        string        `json:"status"` // ACTIVE or INACTIVE
	IsManager     bool          `json:"is_manager"`
	Attachment    string        `json:"attachment,omitempty"` // the caller's request status, if any
	NonDiffusible bool          `json:"non_diffusible"`
}

// SearchResult answers a search by identifier.
type SearchResult struct {
	Found     bool       `json:"found"`
	Structure *Structure `json:"structure,omitempty"`
}

// StructureExists is the body of a CodeStructureExists answer.
type StructureExists struct {
	Error
	StructureID int64 `json:"structure_id"`
}

// AttachmentRequest asks to be attached to an existing structure.
type AttachmentRequest struct {
	IdentifierType core.IdentifierType `json:"identifier_type"`
	Identifier     string              `json:"identifier"`
}

// Attachment statuses, the portal's own values.
const (
	AttachmentPending  = "EN_COURS_DE_VALIDATION"
	AttachmentApproved = "VALIDEE"
	AttachmentRefused  = "REFUSEE"
)

// Attachment is one attachment request.
type Attachment struct {
	ID             int64               `json:"id"`
	StructureID    int64               `json:"structure_id"`
	IdentifierType core.IdentifierType `json:"identifier_type"`
	Identifier     string              `json:"identifier"`
	CompanyName    string              `json:"company_name"`
	Requester      string              `json:"requester"` // e-mail, shown to the manager
	RequesterName  string              `json:"requester_name"`
	Status         string              `json:"status"`
	Created        int64               `json:"created"` // Unix seconds
	// AskAgainAt, for a refused request, is when the requester may ask
	// again (Unix seconds): a refusal is not for ever, since whoever
	// refused may not be the company.
	AskAgainAt int64 `json:"ask_again_at,omitempty"`
}

// Roles of a structure's people, the portal's own values (PISTE's
// roleUtilisateur). The portal has two today; its secondary manager is
// gone (a former one is a user who kept both rights).
const (
	// RolePrincipal runs the structure: attaches and detaches users,
	// decides attachment requests, adjusts each user's rights, hands the
	// role over, and alone creates its technical account; one per
	// structure.
	RolePrincipal = "GESTIONNAIRE_PRINCIPAL"
	// RoleUser is attached to the structure (an approved request), with
	// the rights the principal grants.
	RoleUser = "UTILISATEUR"
)

// Rights a principal grants a user of the structure (both off for a new
// user); the principal has both by its role.
type Rights struct {
	// MayApprove: approve and refuse attachment requests to the
	// structure, and invite people to it.
	MayApprove bool `json:"may_approve"`
	// MayModify: modify the structure's information.
	MayModify bool `json:"may_modify"`
}

// Actions on a member (PathMember).
const (
	// MemberRemove detaches a user from the structure (the principal).
	MemberRemove = "remove"
	// MemberPromote, MemberDemote and MemberTransfer were the secondary
	// manager's actions: the portal has none any more, and the server
	// answers them with CodeSecondaryGone (410). Rights (PathMemberRights)
	// and the hand-over (PathHandover) replace them.
	MemberPromote  = "promote"
	MemberDemote   = "demote"
	MemberTransfer = "transfer"
)

// Member is one person of a structure.
type Member struct {
	AccountID int64  `json:"account_id"`
	Email     string `json:"email"`
	Name      string `json:"name"`
	Role      string `json:"role"`
	// Rights are the user's (both true for the principal).
	Rights
	// HandoverUntil, on the user the principal offered the role to, is
	// when the offer expires (Unix seconds); 0 when none is offered.
	HandoverUntil int64 `json:"handover_until,omitempty"`
}

// Invitation invites a person by e-mail to a structure.
type Invitation struct {
	Email string `json:"email"`
}

// PendingInvitation is an invitation nobody answered yet, as the
// principal lists them.
type PendingInvitation struct {
	Email     string `json:"email"`
	InvitedBy string `json:"invited_by"` // the author's e-mail
	Created   int64  `json:"created"`    // Unix seconds
	Expires   int64  `json:"expires"`    // Unix seconds
}

// HandoverOffer names the user the principal offers the role to.
type HandoverOffer struct {
	AccountID int64 `json:"account_id"`
}

// Handover is an offer of a structure's principal role to the caller.
type Handover struct {
	StructureID    int64               `json:"structure_id"`
	IdentifierType core.IdentifierType `json:"identifier_type"`
	Identifier     string              `json:"identifier"`
	CompanyName    string              `json:"company_name"`
	From           string              `json:"from"`    // the principal's e-mail
	Expires        int64               `json:"expires"` // Unix seconds
}

// Answers to a hand-over (PathHandoverAnswer).
const (
	HandoverAccept  = "accept"
	HandoverDecline = "decline"
)

// Managed is a structure the caller is one of the people of: its
// principal, or a user with their rights.
type Managed struct {
	StructureID    int64               `json:"structure_id"`
	IdentifierType core.IdentifierType `json:"identifier_type"`
	Identifier     string              `json:"identifier"`
	CompanyName    string              `json:"company_name"`
	Role           string              `json:"role"` // the caller's: RolePrincipal or RoleUser
	// Rights are the caller's (both true for the principal).
	Rights
	// Approvers counts who may approve its attachment requests: the
	// principal and the users with MayApprove.
	Approvers int `json:"approvers"`
}

// Mail is one message the portal sent (sandbox mailbox).
type Mail struct {
	ID      int64  `json:"id"`
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	Link    string `json:"link,omitempty"`
	Sent    int64  `json:"sent"` // Unix seconds
}

// ActivationToken extracts the token from an activation link as the user
// pastes it (spaces and line breaks that mail clients insert are
// tolerated). A link without one gives a KindInvalid error with the code
// "activation.link_invalid".
func ActivationToken(link string) (string, error) {
	u, err := url.Parse(strings.Join(strings.Fields(link), ""))
	if err != nil || u.Query().Get("token") == "" {
		return "", &core.E{Kind: core.KindInvalid, Code: "activation.link_invalid", Op: "read activation link"}
	}
	return u.Query().Get("token"), nil
}
