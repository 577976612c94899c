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

// Columns import ignores: the state and the portal's message an export
// adds, and the error column of a file of rejected rows, so that both
// import again as they are.
const (
	ColState         = "state"
	ColPortalMessage = "portal_message"
	ColError         = "error"
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
	// The reform's columns (core.ReformColumns), as a firm's sheets name
	// them.
	"plateforme": core.FieldPlatform, "plateforme_agreee": core.FieldPlatform, "plateforme_de_reception": core.FieldPlatform,
	"plateforme_reception": core.FieldPlatform, "pa": core.FieldPlatform, "platform": core.FieldPlatform,
	"date_mandat": core.FieldMandateSigned, "mandat_signe_le": core.FieldMandateSigned, "date_du_mandat": core.FieldMandateSigned,
	"mandate_date":         core.FieldMandateSigned,
	"adresses_facturation": core.FieldAddresses, "adresses_de_facturation": core.FieldAddresses,
	"adresse_de_facturation": core.FieldAddresses, "adresse_facturation": core.FieldAddresses,
	"annuaire_verifie_le": core.FieldCheckedOn, "verifie_annuaire_le": core.FieldCheckedOn, "date_verification_annuaire": core.FieldCheckedOn,
	"directory_checked": core.FieldCheckedOn,
	"constat_annuaire":  core.FieldSeen, "vu_dans_l_annuaire": core.FieldSeen, "annuaire": core.FieldSeen,
	"note_reforme": core.FieldReformNote, "note": core.FieldReformNote, "remarque": core.FieldReformNote,
	"categorie_entreprise": core.FieldCategory, "categorie": core.FieldCategory, "company_size": core.FieldCategory,
	"category": core.FieldCategory,
	"etat":     ColState, "statut_synchronisation": ColState, "message_portail": ColPortalMessage,
	"erreur": ColError, "erreurs": ColError, "errors": ColError,
}

func init() {
	for _, c := range append(slices.Clone(Columns), ColState, ColPortalMessage, ColError) {
		aliases[c] = c
	}
	for _, c := range core.ReformColumns {
		aliases[c.Name] = c.Name
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
	// Reform holds the reform's columns the file has, ReformSet which
	// they are: the others are left as the store has them.
	Reform    core.Reform
	ReformSet core.ReformFields
}

// Reader reads structures from rows of cells: a CSV file (NewReader), or
// a spreadsheet's sheet (NewRecordReader with its Records), through one
// header reading and one row reading.
type Reader struct {
	src     Records
	columns []string // field of each column, "" for an ignored one
	header  []string // the header as the file wrote it
	last    []string // the cells of the row Next returned last
	// Delimiter is the detected field separator (a CSV file's).
	Delimiter rune
	// Ignored lists header names that are not ours, for a notice.
	Ignored []string
	// reformSet is the reform's columns the header has.
	reformSet core.ReformFields
}

// Records is a source of rows of cells: a CSV file, a spreadsheet's
// sheet. Next returns io.EOF after the last row; any other error names its
// line (the source may go on after it, as a CSV row with a stray quote).
type Records interface {
	Next() (Record, error)
}

// Record is one row of cells, with its line (1 for the first) and what
// the source found wrong with it (a CSV line that mixes encodings).
type Record struct {
	Cells    []string
	Line     int
	Problems core.Problems
}

// csvRecords reads records from a CSV file, through the decoder.
type csvRecords struct {
	csv *csv.Reader
	dec *decoder
	// offset is the number of lines before the csv reader's first one
	// (Excel's "sep=;" line).
	offset int
}

// Next returns the next CSV record. A malformed row (a stray quote) is an
// error that names its line; a quoted field that never ends swallows the
// rest of the file: an *UnclosedQuoteError.
func (c *csvRecords) Next() (Record, error) {
	rec, err := c.csv.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			start := pe.StartLine + c.offset
			if errors.Is(pe.Err, csv.ErrQuote) && pe.Line > pe.StartLine {
				return Record{Line: start}, &UnclosedQuoteError{Line: start, Swallowed: pe.Line - pe.StartLine}
			}
			return Record{Line: start}, fmt.Errorf("line %d: %w", start, pe.Err)
		}
		return Record{}, err
	}
	line, _ := c.csv.FieldPos(0)
	line += c.offset
	end, _ := c.csv.FieldPos(len(rec) - 1)
	r := Record{Cells: rec, Line: line}
	if c.dec != nil && c.dec.mixedIn(line, end+c.offset) {
		r.Problems = core.Problems{{Field: "csv", Code: CodeMixedEncoding, Severity: core.Error}}
	}
	return r, nil
}

// ErrHeader is returned by NewReader when the header is unusable.
var ErrHeader = errors.New("header")

// Limits that keep memory flat whatever the file: a field longer than
// MaxField is refused with its row; a record longer than maxRecord is not
// even kept in memory (the decoder replaces it with a marker).
const (
	MaxField  = 64 << 10
	maxRecord = 1 << 20
)

// Codes of what reading can refuse.
const (
	CodeUTF16           = "csv.utf16"          // the file is UTF-16: save it as UTF-8
	CodeUnclosedQuote   = "csv.unclosed_quote" // a quoted field never ends: {lines} lines were not read
	CodeTooLong         = "csv.too_long"       // a field longer than 64 KiB
	CodeExtraFields     = "csv.extra_fields"   // more values than columns: {fields} for {columns}
	CodeDuplicateInFile = "csv.duplicate"      // the identifier is also on line {first}: this line's values were kept
	CodeNUL             = "csv.nul"            // a NUL byte (an invisible control character) in a value
	CodeMixedEncoding   = "csv.mixed_encoding" // the line mixes UTF-8 and Windows-1252
)

// ErrUTF16 is returned by NewReader for a UTF-16 file (Excel's "Unicode
// text"), which would otherwise read as a header with no known column.
var ErrUTF16 = &core.E{Kind: core.KindInvalid, Code: CodeUTF16, Op: "read csv"}

// UnclosedQuoteError says where a quoted field began that never ended,
// and how many lines it swallowed: those rows were not read.
type UnclosedQuoteError struct {
	Line, Swallowed int
}

func (e *UnclosedQuoteError) Error() string {
	return fmt.Sprintf("line %d: a quoted field never ends (%d lines not read)", e.Line, e.Swallowed)
}

// NewReader detects the encoding and the delimiter, reads the header and
// returns a reader positioned on the first data row.
func NewReader(r io.Reader) (*Reader, error) {
	raw := bufio.NewReaderSize(r, 64*1024)
	if start, _ := raw.Peek(512); isUTF16(start) {
		return nil, ErrUTF16
	}
	dec := &decoder{r: raw}
	br := bufio.NewReaderSize(dec, 64*1024)
	head, err := br.Peek(4096)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	offset := 0
	delim, ok := excelSep(head)
	if ok {
		// Excel's "sep=;" line names the separator: read past it.
		if _, err := br.ReadString('\n'); err != nil && err != io.EOF {
			return nil, err
		}
		offset = 1
		if head, err = br.Peek(4096); err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
	} else {
		delim = detectDelimiter(head)
	}
	cr := csv.NewReader(br)
	cr.Comma = delim
	cr.FieldsPerRecord = -1 // rows with missing trailing cells are common in spreadsheets
	cr.ReuseRecord = true
	out, err := NewRecordReader(&csvRecords{csv: cr, dec: dec, offset: offset})
	if out != nil {
		out.Delimiter = delim
	}
	return out, err
}

// NewRecordReader reads the header from src's first row and returns a
// reader positioned on the first data row: the columns are recognised by
// their French or English names, as in a CSV file.
func NewRecordReader(src Records) (*Reader, error) {
	first, err := src.Next()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: the file is empty", ErrHeader)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrHeader, err)
	}
	header := first.Cells
	out := &Reader{src: src, header: slices.Clone(header)}
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
		for _, c := range core.ReformColumns {
			if c.Name == f {
				out.reformSet |= c.Bit
			}
		}
	}
	if !seen[core.FieldIdentifier] || !seen[core.FieldCompanyName] {
		return nil, fmt.Errorf("%w: need at least the columns %s and %s (or identifiant and raison_sociale)",
			ErrHeader, core.FieldIdentifier, core.FieldCompanyName)
	}
	return out, nil
}

// isUTF16 reports whether a file's first bytes are UTF-16: a byte order
// mark, or the zero bytes every ASCII character has in UTF-16.
func isUTF16(b []byte) bool {
	if bytes.HasPrefix(b, []byte{0xff, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xff}) {
		return true
	}
	return len(b) >= 8 && bytes.Count(b, []byte{0}) > len(b)/4
}

// excelSep reads Excel's "sep=X" first line, which names the separator.
func excelSep(head []byte) (rune, bool) {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	line = bytes.TrimRight(line, "\r")
	if len(line) == 5 && bytes.HasPrefix(bytes.ToLower(line), []byte("sep=")) {
		return rune(line[4]), true
	}
	return 0, false
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
// the reader can go on after it. A quoted field that never ends swallows
// the rest of the file: that is an *UnclosedQuoteError, after which
// nothing more can be read.
func (r *Reader) Next() (Row, error) {
	for {
		rec, err := r.src.Next()
		if err != nil {
			return Row{Line: rec.Line}, err
		}
		blank := true
		for _, v := range rec.Cells {
			if strings.TrimSpace(v) != "" {
				blank = false
				break
			}
		}
		if blank {
			continue
		}
		r.last = rec.Cells
		row := r.row(rec.Line, rec.Cells)
		row.Problems = append(row.Problems, rec.Problems...)
		return row, nil
	}
}

func (r *Reader) row(line int, rec []string) Row {
	row := Row{Line: line, ReformSet: r.reformSet}
	d, rf := &row.Draft, &row.Reform
	// A row without these columns means what the form's empty fields
	// mean; the country is left empty, for validation to fill in
	// (core.DefaultCountry, in one place).
	d.IdentifierType, d.Kind = core.IDSIRET, core.KindPrivate
	bad := func(field, code string, params map[string]string) {
		row.Problems = append(row.Problems, core.Problem{Field: field, Code: code, Severity: core.Error, Params: params})
	}
	if extra := rec[min(len(rec), len(r.columns)):]; strings.TrimSpace(strings.Join(extra, "")) != "" {
		// A value past the last column: a separator inside a value,
		// unquoted, shifted the row. Nothing is dropped silently.
		bad("csv", CodeExtraFields, map[string]string{"fields": fmt.Sprint(len(rec)), "columns": fmt.Sprint(len(r.columns))})
	}
	for i, v := range rec {
		if i >= len(r.columns) {
			break
		}
		field := r.columns[i]
		if field == "" {
			field = "csv"
		}
		switch {
		case len(v) > MaxField || strings.Contains(v, overflowMarker):
			bad(field, CodeTooLong, nil)
			continue
		case strings.Contains(v, nulMarker):
			bad(field, CodeNUL, nil)
			continue
		}
		v = Unguard(v)
		switch r.columns[i] {
		case core.FieldIdentifierType:
			if strings.TrimSpace(v) == "" {
				continue
			}
			t, ok := ParseIdentifierType(v)
			if !ok {
				bad(core.FieldIdentifierType, "identifier_type.invalid", nil)
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
				bad(core.FieldStructureKind, "structure_kind.invalid", nil)
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
				bad(core.FieldNonDiffusible, "non_diffusible.invalid", nil)
			}
			d.NonDiffusible = b
		case core.FieldPlatform:
			rf.Platform = v
		case core.FieldMandateSigned, core.FieldCheckedOn:
			day, ok := core.ParseDate(v)
			if !ok {
				bad(r.columns[i], "date.invalid", nil)
			}
			if r.columns[i] == core.FieldMandateSigned {
				rf.MandateSigned = day
			} else {
				rf.CheckedOn = day
			}
		case core.FieldAddresses:
			rf.Addresses = validate.SplitAddresses(v)
		case core.FieldSeen:
			rf.Seen = v
		case core.FieldReformNote:
			rf.Note = v
		case core.FieldCategory:
			c, ok := ParseCategory(v)
			if !ok {
				bad(core.FieldCategory, "category.invalid", nil)
			}
			rf.Category = c
		}
	}
	return row
}

// ParseCategory reads a company category as INSEE writes it (GE, ETI,
// PME), as a firm's sheet may (micro, TPE: small companies, whose
// obligations are a PME's; the French names in full), any case; empty is
// unknown. ok is false for anything else.
func ParseCategory(s string) (core.CompanyCategory, bool) {
	if c := core.ParseCompanyCategory(s); c != core.CategoryUnknown {
		return c, true
	}
	switch normalizeName(s) {
	case "":
		return core.CategoryUnknown, true
	case "micro", "tpe", "microentreprise", "micro_entreprise", "petite_ou_moyenne_entreprise", "petite_et_moyenne_entreprise":
		return core.CategoryPME, true
	case "entreprise_de_taille_intermediaire", "mid_cap":
		return core.CategoryETI, true
	case "grande_entreprise", "large":
		return core.CategoryGE, true
	}
	return core.CategoryUnknown, false
}

// Header returns the file's header as it was written (a copy).
func (r *Reader) Header() []string { return slices.Clone(r.header) }

// Cells returns a copy of the cells of the row Next returned last, as the
// file wrote them.
func (r *Reader) Cells() []string { return slices.Clone(r.last) }

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
//
// It also keeps memory flat whatever the file: it follows where each record
// ends (a line break outside quotes, by the parity of the quotes seen), and
// a record longer than maxRecord is not passed on. In its place goes
// overflowMarker (closing the quoted field it cut, if any) and the record's
// line breaks, so the row is refused as too long and every later line keeps
// its number.
type decoder struct {
	r       *bufio.Reader
	carry   []byte // an incomplete rune cut at the end of a long chunk
	pending []byte
	started bool
	err     error

	recBytes int  // bytes of the current record passed on
	quotes   int  // quote characters of the current record, passed on or not
	skipping bool // the current record is over maxRecord: drop its text

	// line is the number of the line being read (1 for the file's first).
	// mixed holds, in order, the lines that mix UTF-8 and another
	// encoding: read as Windows-1252 their accented letters would become
	// mojibake ("SociÃ©tÃ©"), read as UTF-8 the others would be lost, so
	// their rows are refused (Reader.row).
	line  int
	mixed []int
}

// The decoder's markers: each stands in a row for what cannot be kept as
// text, so the row is refused with its reason rather than kept changed.
// None can come from a file: each starts with a NUL byte, and the decoder
// passes a file's own NUL bytes on only as nulMarker.
const (
	// overflowMarker: a record too long to keep.
	overflowMarker = "\x00too long\x00"
	// nulMarker: a NUL byte of the file. It is no text: dropping it would
	// join what it separated ("7328293\0 2000074" would read as a valid
	// SIRET).
	nulMarker = "\x00nul\x00"
)

// maxMixedLines bounds the line numbers the decoder keeps of lines that mix
// encodings and the reader has not reached yet (it reads a few KiB ahead).
const maxMixedLines = 100_000

func (d *decoder) Read(p []byte) (int, error) {
	for len(d.pending) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		chunk, err := d.r.ReadSlice('\n')
		// chunk is the reader's own buffer, valid until the next read:
		// every path below copies what it keeps before that, so it is
		// copied here only to join a rune carried over.
		buf := chunk
		if len(d.carry) > 0 {
			buf = append(d.carry, chunk...)
		}
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
			d.line = 1
			buf = bytes.TrimPrefix(buf, []byte("\xef\xbb\xbf"))
		}
		if d.skipping {
			// The record is dropped: only its quotes and line breaks
			// count, and a quote or a line break is the same byte in
			// UTF-8 and Windows-1252 and never part of another character.
			// Nothing is converted or copied, so a 300 MB value costs no
			// more memory than a short one.
			if err == io.EOF && len(d.carry) > 0 {
				buf = append(buf, d.carry...)
				d.carry = nil
			}
			if bytes.HasSuffix(buf, []byte{'\n'}) {
				d.line++
			}
			d.pending = d.bound(buf)
			d.err = err
			continue
		}
		out := d.convert(buf)
		if err == io.EOF && len(d.carry) > 0 {
			out = append(out, d.convert(d.carry)...)
			d.carry = nil
		}
		if bytes.HasSuffix(buf, []byte{'\n'}) {
			d.line++
		}
		d.pending = d.bound(bytes.ReplaceAll(out, []byte{0}, []byte(nulMarker)))
		d.err = err
	}
	n := copy(p, d.pending)
	d.pending = d.pending[n:]
	return n, nil
}

// bound passes a chunk of one line on, or drops it when its record has
// grown past maxRecord (see decoder).
func (d *decoder) bound(out []byte) []byte {
	quotes := bytes.Count(out, []byte{'"'})
	endsLine := bytes.HasSuffix(out, []byte{'\n'})
	if !d.skipping {
		if d.recBytes+len(out) <= maxRecord {
			d.recBytes += len(out)
			d.quotes += quotes
			if endsLine && d.quotes%2 == 0 {
				d.recBytes, d.quotes = 0, 0
			}
			return out
		}
		// Over the limit: close the field being cut, mark it, and drop
		// the rest of the record.
		cut := []byte(overflowMarker)
		if d.quotes%2 == 1 {
			cut = append(cut, '"')
		}
		d.skipping = true
		d.quotes += quotes
		return append(cut, d.lineBreak(endsLine)...)
	}
	d.quotes += quotes
	return d.lineBreak(endsLine)
}

// lineBreak keeps a dropped line's break, and ends the skipping at the
// record's end.
func (d *decoder) lineBreak(endsLine bool) []byte {
	if !endsLine {
		return nil
	}
	if d.quotes%2 == 0 {
		d.skipping, d.recBytes, d.quotes = false, 0, 0
	}
	return []byte{'\n'}
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

// convert returns a UTF-8 copy of a line (or of a chunk of a long one):
// itself when valid UTF-8, else read as Windows-1252; a line that holds
// UTF-8 letters too is noted in mixed.
func (d *decoder) convert(line []byte) []byte {
	if utf8.Valid(line) {
		return slices.Clone(line)
	}
	if holdsUTF8Letters(line) && len(d.mixed) < maxMixedLines && (len(d.mixed) == 0 || d.mixed[len(d.mixed)-1] != d.line) {
		d.mixed = append(d.mixed, d.line)
	}
	out, err := win1252.Bytes(line)
	if err != nil {
		return []byte(strings.ToValidUTF8(string(line), "\uFFFD"))
	}
	return out
}

// mixedIn reports whether a line from first to last (file line numbers)
// mixes encodings, and forgets the lines before first: rows come in order.
func (d *decoder) mixedIn(first, last int) bool {
	i := 0
	for i < len(d.mixed) && d.mixed[i] < first {
		i++
	}
	d.mixed = d.mixed[i:]
	return len(d.mixed) > 0 && d.mixed[0] <= last
}

// holdsUTF8Letters reports whether line has a UTF-8 sequence of two bytes
// or more (é is C3 A9): in a line that is not UTF-8 as a whole, the mark of
// two encodings mixed (a cell pasted from another file). Windows-1252 text
// makes such a pair only with "Ã" followed by a symbol, which French text
// does not write.
func holdsUTF8Letters(line []byte) bool {
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRune(line[i:])
		if r != utf8.RuneError && size > 1 {
			return true
		}
		i += size
	}
	return false
}

// Writer writes structures as CSV with the canonical header plus their
// sync state and the portal's last word, UTF-8, every cell guarded (Guard)
// so a spreadsheet neither runs it as a formula nor turns it into a number.
type Writer struct {
	w    *csv.Writer
	lang i18n.Lang
}

// WriterOptions say how a file is written for the person who will open it.
type WriterOptions struct {
	// Lang is the language of the portal_message column.
	Lang i18n.Lang
	// Comma is the separator, "," when zero; Excel in a French locale
	// reads ";".
	Comma rune
	// BOM starts the file with a UTF-8 byte order mark, which Excel needs
	// to read accents right.
	BOM bool
}

// NewWriter writes the byte order mark if asked, the header, and returns
// the writer.
func NewWriter(w io.Writer, opt WriterOptions) (*Writer, error) {
	cw, err := opt.start(w)
	if err != nil {
		return nil, err
	}
	if err := cw.Write(ExportHeader()); err != nil {
		return nil, err
	}
	return &Writer{w: cw, lang: opt.Lang}, nil
}

// ExportHeader is the header an export writes: the canonical columns,
// the reform's, the state and the portal's last word.
func ExportHeader() []string {
	h := slices.Clone(Columns)
	for _, c := range core.ReformColumns {
		h = append(h, c.Name)
	}
	return append(h, ColState, ColPortalMessage)
}

// ExportCells are one structure's values as an export writes them, in
// ExportHeader's order, as they are (a CSV writer guards them; a workbook
// writes them as text cells).
func ExportCells(r core.StructureRecord, lang i18n.Lang) []string {
	d := r.Draft
	nd := "false"
	if d.NonDiffusible {
		nd = "true"
	}
	f := r.Reform
	return []string{string(d.IdentifierType), d.Identifier, string(d.Kind), d.CompanyName, d.StructureName,
		d.Email, d.Phone, d.Address, d.Complement1, d.Complement2, d.City, d.PostalCode, d.Country, nd,
		string(f.Category), f.Platform, string(f.MandateSigned), strings.Join(f.Addresses, "; "), string(f.CheckedOn), f.Seen, f.Note,
		string(r.Sync.State), i18n.Text(lang, r.Sync.Notice)}
}

// start writes the byte order mark if asked and returns a CSV writer with
// the separator asked for.
func (opt WriterOptions) start(w io.Writer) (*csv.Writer, error) {
	if opt.BOM {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return nil, err
		}
	}
	cw := csv.NewWriter(w)
	if opt.Comma != 0 {
		cw.Comma = opt.Comma
	}
	return cw, nil
}

// Write writes one structure.
func (w *Writer) Write(r core.StructureRecord) error {
	row := ExportCells(r, w.lang)
	for i, v := range row {
		// A NUL byte is no text: spreadsheets cut the cell there and
		// import drops it, so it is not written (what is exported reads
		// back as it was).
		row[i] = Guard(strings.ReplaceAll(v, "\x00", ""))
	}
	return w.w.Write(row)
}

// Guard makes a cell safe to open in a spreadsheet (OWASP, CSV injection):
// a value a spreadsheet would run as a formula (it starts with =, +, -, @,
// a tab or a carriage return) or turn into a number (a phone number, a
// SIRET, a postal code: digits, with spaces, dots or a leading +; Excel
// drops leading zeros and rounds long numbers) gets a leading apostrophe.
// A value whose apostrophes, however many, stand before such a value gets
// one more, so Unguard gives back exactly what Guard was given.
func Guard(v string) string {
	if needsGuard(strings.TrimLeft(v, "'")) {
		return "'" + v
	}
	return v
}

// Unguard removes what Guard added: import reads an export as it was.
func Unguard(v string) string {
	if rest, ok := strings.CutPrefix(v, "'"); ok && needsGuard(strings.TrimLeft(rest, "'")) {
		return rest
	}
	return v
}

// needsGuard reports whether a spreadsheet would not keep v as text.
func needsGuard(v string) bool {
	if v == "" {
		return false
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return true
	}
	digits := 0
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '.' || r == '\u00a0':
		default:
			return false
		}
	}
	return digits > 0
}

// Flush writes buffered rows and returns the first write error.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}

// FieldOf returns the field a header names (its French or English name,
// any case or accents), or "" for a column that is not ours.
func FieldOf(header string) string { return aliases[normalizeName(header)] }
