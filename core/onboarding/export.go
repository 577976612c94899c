package onboarding

import (
	"context"
	"encoding/json"
	"io"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
)

// Export formats.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
)

// exportRecord is the JSON form of a structure in an export.
type exportRecord struct {
	core.StructureDraft
	State         core.SyncState `json:"state"`
	PortalMessage string         `json:"portal_message,omitempty"`
	PortalID      string         `json:"portal_id,omitempty"`
	Problems      core.Problems  `json:"problems,omitempty"`
}

// Export writes every structure with its state to out, as CSV (which
// re-imports) or JSON (an array), the portal's messages in lang. It
// streams: memory stays flat whatever the count.
func (s *Service) Export(ctx context.Context, out io.Writer, format string, lang i18n.Lang) error {
	if format == FormatJSON {
		if _, err := io.WriteString(out, "["); err != nil {
			return err
		}
		first := true
		err := s.cfg.Store.EachStructure(ctx, func(r core.StructureRecord) error {
			b, err := json.Marshal(exportRecord{r.Draft, r.Sync.State, i18n.Text(lang, r.Sync.Notice), r.Sync.PortalID, r.Problems})
			if err != nil {
				return err
			}
			sep := ",\n"
			if first {
				sep, first = "\n", false
			}
			_, err = io.WriteString(out, sep+string(b))
			return err
		})
		if err != nil {
			return err
		}
		_, err = io.WriteString(out, "\n]\n")
		return err
	}
	w, err := csvio.NewWriter(out, csvio.WriterOptions{Lang: lang})
	if err != nil {
		return err
	}
	if err := s.cfg.Store.EachStructure(ctx, w.Write); err != nil {
		return err
	}
	return w.Flush()
}
