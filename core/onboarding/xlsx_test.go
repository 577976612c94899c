package onboarding_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/csvio"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/onboarding"
	"github.com/chorusonboard/chorus-onboard/internal/hostile"
)

// TestImportWorkbookBeside (issue 29): a total and notes typed beside a
// workbook's table make no row an error, a row holding only a note is
// skipped as an empty CSV line is, and no message about separators or
// quotes (which a sheet has not) is ever given for a workbook.
func TestImportWorkbookBeside(t *testing.T) {
	svc, _ := offline(t)
	for _, book := range [][]byte{hostile.BesideTheTable(), hostile.FarCells(50), hostile.Exponent()} {
		rep, err := svc.Workspace.ImportXLSX(t.Context(), bytes.NewReader(book), "", onboarding.ImportOptions{Drafts: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rep.Rejections {
			text := i18n.T(i18n.EN, r.Code)
			if strings.Contains(text, "separator") || strings.Contains(text, "quote") {
				t.Errorf("line %d: %q", r.Line, text)
			}
		}
		rep.Close()
	}
	rep, err := svc.Workspace.ImportXLSX(t.Context(), bytes.NewReader(hostile.BesideTheTable()), "", onboarding.ImportOptions{Drafts: true})
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	if rep.Imported+rep.Updated != 2 || len(rep.Rejections) != 0 {
		t.Errorf("beside the table: %+v, rejections %+v (want 2 rows, none refused)", rep.ImportStats, rep.Rejections)
	}
}

// FuzzImportXLSX: the whole import path, from the workbook's bytes to the
// store: any input is imported or refused with a code, never a panic, a
// hang or a row stored without passing validation. Seeded with the shapes
// that cost minutes or gigabytes before issue 29.
func FuzzImportXLSX(f *testing.F) {
	for _, b := range [][]byte{hostile.Exponent(), hostile.BesideTheTable(), hostile.FarCells(3), hostile.SharedStrings(10),
		hostile.ZeroPart(1 << 10), hostile.Workbook(hostile.Row(2, "7.3282932000074E13", "Ateliers", "Paris"), nil)} {
		f.Add(b)
	}
	svc, _ := offline(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := svc.Workspace.ImportXLSX(t.Context(), bytes.NewReader(data), "", onboarding.ImportOptions{Drafts: true})
		if err != nil {
			if core.CodeOf(err) == "" {
				t.Fatalf("refused without a code: %v", err)
			}
			return
		}
		defer rep.Close()
		for _, r := range rep.Rejections {
			if r.Code == csvio.CodeExtraFields || r.Code == csvio.CodeUnclosedQuote {
				t.Fatalf("a CSV file's message for a workbook: %+v", r)
			}
		}
		list, err := svc.Workspace.QueryStructures(t.Context(), core.StructureQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range list.Rows {
			if r.Errors > 0 && r.State != core.StateDraft {
				t.Fatalf("a structure with errors is not a draft: %+v", r)
			}
		}
	})
}
