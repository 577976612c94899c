// Package csvio reads and writes structures as CSV, the way accountants
// exchange them with spreadsheets: a header row with English or French
// column names, "," or ";" as delimiter, UTF-8 with or without a BOM, or
// Windows-1252 as Excel writes it in France. Reading streams row by row, so
// a file of any size is read in bounded memory.
package csvio

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// Columns is the canonical header, in the portal's order, as export writes
// it and import reads it.
var Columns = []string{
	core.FieldIdentifierType, core.FieldIdentifier, core.FieldStructureKind, core.FieldCompanyName,
	core.FieldStructureName, core.FieldEmail, core.FieldPhone, core.FieldAddress, core.FieldComplement1,
	core.FieldComplement2, core.FieldCity, core.FieldPostalCode, core.FieldCountry, core.FieldNonDiffusible,
}

// Export-only columns; import ignores them so that an export re-imports.
const (
	ColState         = "state"
	ColPortalMessage = "portal_message"
)

// aliases maps normalised header names (lower case, no accents, words joined
// by _) to fields. French names are the portal's labels.
var aliases = map[string]string{
	"type_identifiant": core.FieldIdentifierType, "type_d_identifiant": core.FieldIdentifierType,
	"type_identifiant_structure": core.FieldIdentifierType, "typeidentifiantstructure": core.FieldIdentifierType,
	"type_of_identifier": core.FieldIdentifierType,
	"identifiant":        core.FieldIdentifier, "identifiant_structure": core.FieldIdentifier, "siret": core.FieldIdentifier,
	"siret_identifier": core.FieldIdentifier, "identifiantstructure": core.FieldIdentifier,
	"type_structure": core.FieldStructureKind, "type_de_structure": core.FieldStructureKind,
	"structure_type": core.FieldStructureKind, "type_of_structure": core.FieldStructureKind,
	"raison_sociale": core.FieldCompanyName, "denomination": core.FieldCompanyName,
	"libelle_structure": core.FieldStructureName, "libelle_de_la_structure": core.FieldStructureName,
	"nom_structure": core.FieldStructureName, "nom_de_la_structure": core.FieldStructureName,
	"e_mail": core.FieldEmail, "mail": core.FieldEmail, "courriel": core.FieldEmail,
	"adresse_electronique": core.FieldEmail, "e_mail_address": core.FieldEmail, "email_address": core.FieldEmail,
	"telephone": core.FieldPhone, "tel": core.FieldPhone,
	"adresse":              core.FieldAddress,
	"complement_adresse_1": core.FieldComplement1, "complement_d_adresse_1": core.FieldComplement1,
	"complement_1": core.FieldComplement1, "address_complement1": core.FieldComplement1,
	"complement_adresse_2": core.FieldComplement2, "complement_d_adresse_2": core.FieldComplement2,
	"complement_2": core.FieldComplement2, "address_complement2": core.FieldComplement2,
	"ville": core.FieldCity, "commune": core.FieldCity,
	"code_postal": core.FieldPostalCode, "zip": core.FieldPostalCode, "cp": core.FieldPostalCode,
	"pays": core.FieldCountry, "code_pays": core.FieldCountry,
	"nondiffusible": core.FieldNonDiffusible,
	"etat":          ColState, "statut_synchronisation": ColState, "message_portail": ColPortalMessage,
}

func init() {
	for _, c := range append(slices.Clone(Columns), ColState, ColPortalMessage) {
		aliases[c] = c
	}
}

// normalizeName folds a header or a label for comparison: NFKD without
// accents, lower case, runs of other characters as one "_".
func normalizeName(s string) string {
	var b strings.Builder
	sep := false
	for _, r := range norm.NFKD.String(strings.TrimSpace(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(unicode.ToLower(r))
		default:
			sep = true
		}
	}
	return b.String()
}

// Row is one data row: the draft as read and the problems found in reading
// it (a value that is not one of a column's choices). Validation of the
// draft itself is the caller's.
type Row struct {
	Line     int
	Draft    core.StructureDraft
	Problems core.Problems
}

// Reader reads structures from CSV.
type Reader struct {
	csv     *csv.Reader
	columns []string // field of each column, "" for an ignored one
	// Delimiter is the detected field separator.
	Delimiter rune
	// Ignored lists header names that are not ours, for a notice.
	Ignored []string
}

// ErrHeader is returned by NewReader when the header is unusable.
var ErrHeader = errors.New("header")

// NewReader detects the encoding and the delimiter, reads the header and
// returns a reader positioned on the first data row.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(&decoder{r: bufio.NewReaderSize(r, 64*1024)}, 64*1024)
	head, err := br.Peek(4096)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	delim := detectDelimiter(head)
	cr := csv.NewReader(br)
	cr.Comma = delim
	cr.FieldsPerRecord = -1 // rows with missing trailing cells are common in spreadsheets
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: the file is empty", ErrHeader)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrHeader, err)
	}
	out := &Reader{csv: cr, Delimiter: delim}
	seen := map[string]bool{}
	for _, h := range header {
		f := aliases[normalizeName(h)]
		if f == "" {
			if strings.TrimSpace(h) != "" {
				out.Ignored = append(out.Ignored, h)
			}
		} else if seen[f] {
			return nil, fmt.Errorf("%w: two columns for %s", ErrHeader, f)
		}
		seen[f] = true
		out.columns = append(out.columns, f)
	}
	if !seen[core.FieldIdentifier] || !seen[core.FieldCompanyName] {
		return nil, fmt.Errorf("%w: need at least the columns %s and %s (or identifiant and raison_sociale)",
			ErrHeader, core.FieldIdentifier, core.FieldCompanyName)
	}
	return out, nil
}

// detectDelimiter picks ";" or "," (or a tab) by counting them, outside
// quotes, on the header line.
func detectDelimiter(head []byte) rune {
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(head) {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// Next returns the next data row, or io.EOF. Blank lines are skipped. A
// malformed row (a stray quote) is returned as an error that names its line;
// the reader can go on after it.
func (r *Reader) Next() (Row, error) {
	for {
		rec, err := r.csv.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return Row{Line: pe.StartLine}, fmt.Errorf("line %d: %w", pe.StartLine, pe.Err)
			}
			return Row{}, err
		}
		line, _ := r.csv.FieldPos(0)
		blank := true
		for _, v := range rec {
			if strings.TrimSpace(v) != "" {
				blank = false
				break
			}
		}
		if blank {
			continue
		}
		return r.row(line, rec), nil
	}
}

func (r *Reader) row(line int, rec []string) Row {
	row := Row{Line: line}
	d := &row.Draft
	d.IdentifierType, d.Kind, d.Country = core.IDSIRET, core.KindPrivate, "FR"
	bad := func(field, code string) {
		row.Problems = append(row.Problems, core.Problem{Field: field, Code: code, Severity: core.Error})
	}
	for i, v := range rec {
		if i >= len(r.columns) {
			break
		}
		switch r.columns[i] {
		case core.FieldIdentifierType:
			if strings.TrimSpace(v) == "" {
				continue
			}
			t, ok := ParseIdentifierType(v)
			if !ok {
				bad(core.FieldIdentifierType, "identifier_type.invalid")
			}
			d.IdentifierType = t
		case core.FieldIdentifier:
			d.Identifier = v
		case core.FieldStructureKind:
			if strings.TrimSpace(v) == "" {
				continue
			}
			k, ok := ParseStructureKind(v)
			if !ok {
				bad(core.FieldStructureKind, "structure_kind.invalid")
			}
			d.Kind = k
		case core.FieldCompanyName:
			d.CompanyName = v
		case core.FieldStructureName:
			d.StructureName = v
		case core.FieldEmail:
			d.Email = v
		case core.FieldPhone:
			d.Phone = v
		case core.FieldAddress:
			d.Address = v
		case core.FieldComplement1:
			d.Complement1 = v
		case core.FieldComplement2:
			d.Complement2 = v
		case core.FieldCity:
			d.City = v
		case core.FieldPostalCode:
			d.PostalCode = v
		case core.FieldCountry:
			if strings.TrimSpace(v) != "" {
				d.Country = ParseCountry(v)
			}
		case core.FieldNonDiffusible:
			b, ok := ParseBool(v)
			if !ok {
				bad(core.FieldNonDiffusible, "non_diffusible.invalid")
			}
			d.NonDiffusible = b
		}
	}
	return row
}

// ParseIdentifierType reads an identifier type as the API writes it (SIRET,
// UE_HORS_FRANCE...) or as the portal labels it, in French or English.
func ParseIdentifierType(s string) (core.IdentifierType, bool) {
	n := normalizeName(s)
	for _, info := range core.IdentifierTypes {
		if n == normalizeName(string(info.Type)) || n == normalizeName(info.LabelFR) || n == normalizeName(info.LabelEN) {
			return info.Type, true
		}
	}
	switch n {
	case "ue", "eu", "tva_intracommunautaire":
		return core.IDEUOutside, true
	case "en_cours", "en_cours_d_immatriculation":
		return core.IDOther, true
	}
	return core.IdentifierType(strings.TrimSpace(s)), false
}

// ParseStructureKind reads PRIVEE/PUBLIQUE, privée/publique or
// private/public.
func ParseStructureKind(s string) (core.StructureKind, bool) {
	switch normalizeName(s) {
	case "privee", "prive", "private":
		return core.KindPrivate, true
	case "publique", "public":
		return core.KindPublic, true
	}
	return core.StructureKind(strings.TrimSpace(s)), false
}

// ParseCountry reads an ISO code or a country's English or French name and
// returns the code; anything else comes back as typed for validation to
// refuse.
func ParseCountry(s string) string {
	t := strings.TrimSpace(s)
	if len(t) == 2 {
		return strings.ToUpper(t)
	}
	n := normalizeName(t)
	for _, c := range validate.Countries() {
		if n == normalizeName(c.NameEN) || n == normalizeName(c.NameFR) {
			return c.Code
		}
	}
	return t
}

// ParseBool reads a yes/no cell as spreadsheets and people write it.
func ParseBool(s string) (bool, bool) {
	switch normalizeName(s) {
	case "", "0", "false", "faux", "non", "no", "n":
		return false, true
	case "1", "true", "vrai", "oui", "yes", "o", "y", "x":
		return true, true
	}
	return false, false
}

// decoder turns Windows-1252 lines into UTF-8 and drops a UTF-8 BOM. It
// decides line by line, because a file's first accented letter may come
// after any amount of ASCII: a line that is valid UTF-8 is kept, any other
// is Windows-1252 (where every byte is a character).
type decoder struct {
	r       *bufio.Reader
	carry   []byte // an incomplete rune cut at the end of a long chunk
	pending []byte
	started bool
	err     error
}

func (d *decoder) Read(p []byte) (int, error) {
	for len(d.pending) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		chunk, err := d.r.ReadSlice('\n')
		buf := append(d.carry, chunk...)
		d.carry = nil
		if errors.Is(err, bufio.ErrBufferFull) {
			// A very long line: decide on this chunk, keeping back a rune
			// that may continue in the next one.
			err = nil
			if cut := incompleteTail(buf); cut < len(buf) {
				d.carry = slices.Clone(buf[cut:])
				buf = buf[:cut]
			}
		}
		if !d.started {
			d.started = true
			buf = bytes.TrimPrefix(buf, []byte("\xef\xbb\xbf"))
		}
		d.pending = convert(buf)
		if err == io.EOF && len(d.carry) > 0 {
			d.pending = append(d.pending, convert(d.carry)...)
			d.carry = nil
		}
		d.err = err
	}
	n := copy(p, d.pending)
	d.pending = d.pending[n:]
	return n, nil
}

// incompleteTail returns where a trailing incomplete UTF-8 sequence starts,
// or len(b) when b does not end inside one.
func incompleteTail(b []byte) int {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		if utf8.RuneStart(b[len(b)-i]) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return len(b) - i
			}
			break
		}
	}
	return len(b)
}

var win1252 = charmap.Windows1252.NewDecoder()

// convert returns a UTF-8 copy of a line: itself when valid UTF-8, else read
// as Windows-1252.
func convert(line []byte) []byte {
	if utf8.Valid(line) {
		return slices.Clone(line)
	}
	out, err := win1252.Bytes(line)
	if err != nil {
		return []byte(strings.ToValidUTF8(string(line), "\uFFFD"))
	}
	return out
}

// Writer writes structures as CSV with the canonical header plus their
// sync state and the portal's last word, UTF-8.
type Writer struct {
	w    *csv.Writer
	lang i18n.Lang
}

// WriterOptions say how a file is written for the person who will open it.
type WriterOptions struct {
	// Lang is the language of the portal_message column.
	Lang i18n.Lang
}

// NewWriter writes the header and returns the writer.
func NewWriter(w io.Writer, opt WriterOptions) (*Writer, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(append(slices.Clone(Columns), ColState, ColPortalMessage)); err != nil {
		return nil, err
	}
	return &Writer{w: cw, lang: opt.Lang}, nil
}

// Write writes one structure.
func (w *Writer) Write(r core.StructureRecord) error {
	d := r.Draft
	nd := "false"
	if d.NonDiffusible {
		nd = "true"
	}
	return w.w.Write([]string{string(d.IdentifierType), d.Identifier, string(d.Kind), d.CompanyName, d.StructureName,
		d.Email, d.Phone, d.Address, d.Complement1, d.Complement2, d.City, d.PostalCode, d.Country, nd,
		string(r.Sync.State), i18n.Text(w.lang, r.Sync.Notice)})
}

// Flush writes buffered rows and returns the first write error.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}
