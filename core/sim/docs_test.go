package sim

import (
	"os"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core/api"
)

// TestAPIDocumented: every path of the onboarding API is in the OpenAPI
// document, so the document cannot fall behind the code.
func TestAPIDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/onboarding-api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{api.PathCaptcha, api.PathCaptchaCode, api.PathAccounts, api.PathActivation, api.PathActivationResend, api.PathSession,
		api.PathStructures, api.PathAttachments, api.PathAttachmentsQueue, api.PathAttachmentDecide, api.PathMailbox, api.PathHealth,
		api.PathEnrolment, api.PathSecondFactor, api.PathDevices, api.PathDevice, api.PathPassword,
		api.PathManaged, api.PathMembers, api.PathMember, api.PathMemberRights, api.PathLeave, api.PathStructure, api.PathInvitations,
		api.PathInvitation, api.PathHandover, api.PathHandoverAnswer, api.PathHandovers,
		api.PathFirm, api.PathFirmJoin, api.PathFirmLeave, api.PathFirmMembers, api.PathFirmMember, api.PathFirmInvitations, api.PathFirmInvitation,
		api.PathFirmFeed, api.PathFirmClients, api.PathFirmClient, api.PathFirmClaim, api.PathFirmHistory, api.PathFirmRestore, api.PathFirmDeleted,
		api.PathFirmAssign, api.PathFirmAudit} {
		if !strings.Contains(string(b), "\n  "+p+":\n") {
			t.Errorf("%s is not documented in docs/onboarding-api.yaml", p)
		}
	}
}
