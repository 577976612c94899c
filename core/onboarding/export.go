package onboarding

import (
	"context"
	"encoding/json"
	"io"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/api"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/xlsxio"
)

// Export formats.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
	FormatXLSX = "xlsx" // an Excel workbook: text cells, header frozen and filtered
)

// exportRecord is the JSON form of a structure in an export.
// The structure's fields have the onboarding API's names, so that a script
// reading exports and one calling the portal share one vocabulary.
type exportRecord struct {
	api.StructureBody
	State         core.SyncState `json:"state"`
	PortalMessage string         `json:"portal_message,omitempty"`
	PortalID      string         `json:"portal_id,omitempty"`
	Problems      []api.Problem  `json:"problems,omitempty"`
	Reform        *exportReform  `json:"e_invoicing,omitempty"`
}

// exportReform is the reform's bookkeeping in a JSON export, named as the
// CSV columns are; absent when nothing is recorded.
type exportReform struct {
	Category       core.CompanyCategory `json:"company_category,omitempty"`
	CategorySource core.CategorySource  `json:"company_category_source,omitempty"`
	IssueFrom      core.Date            `json:"issue_from"`
	Platform       string               `json:"receiving_platform,omitempty"`
	MandateSigned  core.Date            `json:"mandate_signed,omitempty"`
	Addresses      []string             `json:"invoicing_addresses,omitempty"`
	CheckedOn      core.Date            `json:"directory_checked_on,omitempty"`
	Seen           string               `json:"directory_seen,omitempty"`
	Note           string               `json:"reform_note,omitempty"`
}

// reformJSON is r's JSON form, nil when r records nothing.
func reformJSON(r core.Reform) *exportReform {
	if r.Platform == "" && r.MandateSigned == "" && len(r.Addresses) == 0 && r.CheckedOn == "" && r.Seen == "" &&
		r.Note == "" && r.Category == core.CategoryUnknown {
		return nil
	}
	return &exportReform{Category: r.Category, CategorySource: r.CategorySource, IssueFrom: core.DateOf(r.Obligations().IssueFrom),
		Platform: r.Platform, MandateSigned: r.MandateSigned, Addresses: r.Addresses, CheckedOn: r.CheckedOn, Seen: r.Seen, Note: r.Note}
}

// Export writes every structure with its state to out, as CSV or an Excel
// workbook (both re-import) or JSON (an array), the portal's messages in lang. It
// streams: memory stays flat whatever the count.
func (s *Workspace) Export(ctx context.Context, out io.Writer, format string, lang i18n.Lang) error {
	return export(out, format, csvio.WriterOptions{Lang: lang}, func(fn func(core.StructureRecord) error) error {
		return s.structures.store.EachStructure(ctx, fn)
	})
}

// ExportStructures writes the structures of ids as Export does, with opt
// saying how the CSV is written for the spreadsheet that will open it;
// progress receives the rows written.
func (s *Workspace) ExportStructures(ctx context.Context, out io.Writer, ids []int64, format string, opt csvio.WriterOptions,
	progress ProgressFunc) (int, error) {
	n := 0
	err := export(out, format, opt, func(fn func(core.StructureRecord) error) error {
		return s.eachChunk(ctx, ids, progress, func(recs []core.StructureRecord) error {
			for _, r := range recs {
				if err := fn(r); err != nil {
					return err
				}
				n++
			}
			return nil
		})
	})
	return n, err
}

// export writes the records each gives, as CSV or JSON.
func export(out io.Writer, format string, opt csvio.WriterOptions, each func(func(core.StructureRecord) error) error) error {
	if format == FormatJSON {
		if _, err := io.WriteString(out, "["); err != nil {
			return err
		}
		first := true
		err := each(func(r core.StructureRecord) error {
			b, err := json.Marshal(exportRecord{api.StructureBody(r.Draft), r.Sync.State, i18n.Text(opt.Lang, r.Sync.Notice), r.Sync.PortalID, api.ProblemsOf(r.Problems), reformJSON(r.Reform)})
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
	if format == FormatXLSX {
		w, err := xlsxio.NewStructureWriter(out, opt.Lang)
		if err != nil {
			return err
		}
		if err := each(w.Write); err != nil {
			w.Abort()
			return err
		}
		return w.Close()
	}
	w, err := csvio.NewWriter(out, opt)
	if err != nil {
		return err
	}
	if err := each(w.Write); err != nil {
		return err
	}
	return w.Flush()
}

// EachStructure streams every stored structure in key order to fn, which
// may stop the walk by returning an error (returned as is): onboardctl
// list.
func (s *Workspace) EachStructure(ctx context.Context, fn func(core.StructureRecord) error) error {
	return s.structures.store.EachStructure(ctx, fn)
}
