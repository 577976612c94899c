// Package xlsxio reads and writes the structures of a workspace as Excel
// workbooks (.xlsx), the accountant's own files. A sheet is read through
// core/csvio's header and row reading, so a workbook imports exactly as
// its CSV twin would; a workbook is written with
// github.com/xuri/excelize, every value a text cell (an identifier, a
// phone, a postal code keep their zeros and digits; nothing is a formula),
// the header row frozen and filtered, the columns sized.
//
// A client's workbook is untrusted input, so reading is this package's own
// (read.go): the zip's directory is judged before anything is unpacked,
// every part read has a cap on what it may expand to, a sheet streams row
// by row and only up to the header's last column, and the shared strings
// are bounded in count and bytes. Whatever the file, an import ends in
// bounded time and memory. Writing streams too (excelize's stream writer),
// so a 100,000-row workbook goes through in bounded memory both ways.
package xlsxio

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/chorusonboard/chorus-onboard/core"
)

// Codes of what reading a workbook can refuse.
const (
	// CodeNotWorkbook: the file is no .xlsx workbook (an old .xls, a CSV
	// renamed, a damaged file).
	CodeNotWorkbook = "xlsx.not_workbook"
	// CodeNoSheet: the workbook has no sheet of that name.
	CodeNoSheet = "xlsx.no_sheet"
	// CodeNoHeader: no sheet of the workbook has the needed columns.
	CodeNoHeader = "xlsx.no_header"
	// CodeNumber: an identifier, phone or postal code cell holds a number
	// with decimals, which no identifier is: the column was typed as
	// numbers and the value lost its digits.
	CodeNumber = "xlsx.number"
	// CodeNumberTooLong: such a cell holds a number of more digits than
	// any identifier has (maxNumberDigits), or an exponent that would
	// make one: refused before any arithmetic.
	CodeNumberTooLong = "xlsx.number_too_long"
	// CodeTooLarge: the workbook, or one of its parts ({part}), is larger
	// than import reads ({limit} MB): split the file, or save it again
	// from Excel without what it carries besides the table.
	CodeTooLarge = "xlsx.too_large"
	// CodeTooManyStrings: the workbook's shared strings are more than
	// {limit}, far more than a client file's.
	CodeTooManyStrings = "xlsx.too_many_strings"
)

// digitFields are the fields whose values are digits: a spreadsheet that
// typed their column as numbers stores them as numbers.
var digitFields = map[string]bool{core.FieldIdentifier: true, core.FieldPhone: true, core.FieldPostalCode: true}

// dateFields are the columns of days: a workbook stores a date cell as
// its serial number of days.
var dateFields = map[string]bool{core.FieldMandateSigned: true, core.FieldCheckedOn: true}

// dateOfSerial turns a date cell's stored serial (46266, or 46266.5 with a
// time of day) into its day, 2026-08-31; text, and numbers outside the
// years 1900 to 9999, are returned as they are for the date rule to judge.
func dateOfSerial(v string) string {
	if len(v) > 32 || !number.MatchString(v) {
		return v
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 1 || f > 2958465 {
		return v
	}
	t, err := excelize.ExcelDateToTime(math.Floor(f), false)
	if err != nil {
		return v
	}
	return string(core.DateOf(t))
}

// number matches a number as a workbook stores it: digits, maybe a
// fraction, maybe an exponent (7.3282932E+13).
var number = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$`)

// maxNumberDigits bounds the digits a number written back as an
// identifier may have: the longest identifier, phone or postal code is far
// shorter (a SIRET has 14 digits, an international phone 15).
const maxNumberDigits = 32

// digitsOfNumber writes a stored number as its integer digits, exactly
// (7.3282932000074E13 is 73282932000074), by moving its decimal point in
// the text: no arithmetic, so an exponent of ten billion costs nothing. A
// value that is not a number in that form is returned as it is, with no
// code. A number with a fraction is no identifier (CodeNumber); one of
// more than maxNumberDigits digits is none either (CodeNumberTooLong).
func digitsOfNumber(v string) (string, string) {
	m := number.FindStringSubmatch(v)
	if m == nil || !strings.ContainsAny(v, ".eE") {
		return v, ""
	}
	digits := strings.TrimLeft(m[1]+m[2], "0")
	// point is where the decimal point sits in digits once the leading
	// zeros are gone (0.5 is "5" with the point before it: 0).
	point := len(m[1]) - (len(m[1]+m[2]) - len(digits))
	if digits == "" {
		return "0", "" // zero, whatever its exponent
	}
	if exp := m[3]; exp != "" {
		neg := strings.HasPrefix(exp, "-")
		mag := strings.TrimLeft(strings.TrimLeft(exp, "+-"), "0")
		if len(mag) > 4 {
			// Ten thousand or more: far more digits than any identifier,
			// or a value far below one.
			if neg {
				return v, CodeNumber
			}
			return v, CodeNumberTooLong
		}
		e, _ := strconv.Atoi("0" + mag)
		if neg {
			e = -e
		}
		point += e
	}
	switch {
	case point > maxNumberDigits:
		return v, CodeNumberTooLong
	case point <= 0:
		return v, CodeNumber // below one, and not zero
	case point < len(digits):
		if strings.Trim(digits[point:], "0") != "" {
			return v, CodeNumber
		}
		return digits[:point], ""
	}
	return digits + strings.Repeat("0", point-len(digits)), ""
}
