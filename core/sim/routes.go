package sim

import (
	"net/http"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/buildinfo"
)

func (s *Server) onboardingRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+api.PathCaptcha, s.handle(unrecorded, s.accounts.newCaptcha))
	mux.HandleFunc("POST "+api.PathCaptchaCode, s.handle(unrecorded, s.accounts.captchaCode))
	mux.HandleFunc("POST "+api.PathAccounts, s.handle(anonymous, s.accounts.create))
	mux.HandleFunc("POST "+api.PathActivation, s.handle(anonymous, s.accounts.activate))
	mux.HandleFunc("POST "+api.PathActivationResend, s.handle(anonymous, s.accounts.resendActivation))
	mux.HandleFunc("POST "+api.PathSession, s.sessions.signIn)
	mux.HandleFunc("DELETE "+api.PathSession, s.handle(signedIn, s.sessions.signOut))
	// Their answers hold secrets (a TOTP secret, a session, recovery
	// codes, a device token): never recorded for replay.
	mux.HandleFunc("POST "+api.PathEnrolment, s.handle(unrecorded, s.sessions.enrol))
	mux.HandleFunc("POST "+api.PathSecondFactor, s.handle(unrecorded, s.sessions.secondFactor))
	mux.HandleFunc("GET "+api.PathDevices, s.handle(signedIn, s.sessions.devices))
	mux.HandleFunc("DELETE "+api.PathDevice, s.handle(signedIn, s.sessions.revokeDevice))
	mux.HandleFunc("POST "+api.PathPassword, s.handle(signedInUnrecorded, s.sessions.changePassword))
	mux.HandleFunc("GET "+api.PathStructures, s.handle(signedIn, s.structures.search))
	mux.HandleFunc("POST "+api.PathStructures, s.handleGrouped(signedIn, s.structures.create))
	mux.HandleFunc("POST "+api.PathAttachments, s.handleGrouped(signedIn, s.structures.requestAttachment))
	mux.HandleFunc("GET "+api.PathAttachments, s.handle(signedIn, s.structures.myAttachments))
	mux.HandleFunc("GET "+api.PathAttachmentsQueue, s.handle(signedIn, s.structures.pendingAttachments))
	mux.HandleFunc("POST "+api.PathAttachmentDecide, s.handle(signedIn, s.structures.decideAttachment))
	mux.HandleFunc("GET "+api.PathManaged, s.handle(signedIn, s.people.managed))
	mux.HandleFunc("GET "+api.PathMembers, s.handle(signedIn, s.people.members))
	mux.HandleFunc("POST "+api.PathMember, s.handle(signedIn, s.people.member))
	mux.HandleFunc("PUT "+api.PathMemberRights, s.handle(signedIn, s.people.setRights))
	mux.HandleFunc("POST "+api.PathLeave, s.handle(signedIn, s.people.leave))
	mux.HandleFunc("PUT "+api.PathStructure, s.handle(signedIn, s.structures.modify))
	mux.HandleFunc("POST "+api.PathInvitations, s.handle(signedIn, s.people.invite))
	mux.HandleFunc("GET "+api.PathInvitations, s.handle(signedIn, s.people.invitations))
	mux.HandleFunc("DELETE "+api.PathInvitation, s.handle(signedIn, s.people.withdrawInvitation))
	mux.HandleFunc("POST "+api.PathHandover, s.handle(signedIn, s.people.offerHandover))
	mux.HandleFunc("DELETE "+api.PathHandover, s.handle(signedIn, s.people.withdrawHandover))
	mux.HandleFunc("POST "+api.PathHandoverAnswer, s.handle(signedIn, s.people.answerHandover))
	mux.HandleFunc("GET "+api.PathHandovers, s.handle(signedIn, s.people.handovers))
	mux.HandleFunc("GET "+api.PathHealth, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": buildinfo.Version()})
	})
	mux.HandleFunc("GET "+api.PathActivate, s.accounts.activatePage)
	switch {
	case s.cfg.Sandbox && s.cfg.SandboxPublic:
		mux.HandleFunc("GET "+api.PathMailbox, s.handle(signedIn, s.mail.mailbox))
	case s.cfg.Sandbox:
		mux.HandleFunc("GET "+api.PathMailbox, s.handle(anonymous, s.mail.mailbox))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { writeError(w, http.StatusNotFound, api.CodeNotFound) })
}
