package sqldb

import (
	"strings"
	"testing"
)

func TestExtendedPath(t *testing.T) {
	long := `C:\Users\Hélène Dupont\AppData\Local\` + strings.Repeat(`dossier\`, 30) + "onboard.db"
	share := `\\serveur\partage\` + strings.Repeat(`dossier\`, 30) + "onboard.db"
	tests := []struct{ in, want string }{
		{`C:\Users\ana\AppData\Local\ChorusOnboard\onboard.db`, `C:\Users\ana\AppData\Local\ChorusOnboard\onboard.db`},
		{long, `\\?\` + long},
		{share, `\\?\UNC\` + share[2:]},
		{`\\?\` + long, `\\?\` + long},
		{strings.Repeat(`a\`, 150) + "x.db", strings.Repeat(`a\`, 150) + "x.db"}, // relative: left to Windows
	}
	for _, tt := range tests {
		if got := extendedPath(tt.in); got != tt.want {
			t.Errorf("extendedPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
