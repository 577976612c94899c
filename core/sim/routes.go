package sim

import (
	"net/http"

	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/buildinfo"
)

func (s *Server) onboardingRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+api.PathCaptcha, s.handle(unrecorded, s.newCaptcha))
	mux.HandleFunc("POST "+api.PathCaptchaCode, s.handle(unrecorded, s.captchaCode))
	mux.HandleFunc("POST "+api.PathAccounts, s.handle(anonymous, s.createAccount))
	mux.HandleFunc("POST "+api.PathActivation, s.handle(anonymous, s.activate))
	mux.HandleFunc("POST "+api.PathActivationResend, s.handle(anonymous, s.resendActivation))
	mux.HandleFunc("POST "+api.PathSession, s.signIn)
	mux.HandleFunc("DELETE "+api.PathSession, s.handle(signedIn, s.signOut))
	mux.HandleFunc("GET "+api.PathStructures, s.handle(signedIn, s.searchStructure))
	mux.HandleFunc("POST "+api.PathStructures, s.handle(signedIn, s.createStructure))
	mux.HandleFunc("POST "+api.PathAttachments, s.handle(signedIn, s.requestAttachment))
	mux.HandleFunc("GET "+api.PathAttachments, s.handle(signedIn, s.myAttachments))
	mux.HandleFunc("GET "+api.PathAttachmentsQueue, s.handle(signedIn, s.pendingAttachments))
	mux.HandleFunc("POST "+api.PathAttachmentDecide, s.handle(signedIn, s.decideAttachment))
	mux.HandleFunc("GET "+api.PathHealth, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": buildinfo.Version()})
	})
	mux.HandleFunc("GET "+api.PathActivate, s.activatePage)
	switch {
	case s.cfg.Sandbox && s.cfg.SandboxPublic:
		mux.HandleFunc("GET "+api.PathMailbox, s.handle(signedIn, s.mailbox))
	case s.cfg.Sandbox:
		mux.HandleFunc("GET "+api.PathMailbox, s.handle(anonymous, s.mailbox))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) { writeError(w, http.StatusNotFound, api.CodeNotFound) })
}
