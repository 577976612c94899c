package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/buildinfo"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// Exit codes, the contract scripts rely on.
const (
	exitOK      = 0 // everything valid / done
	exitInvalid = 1 // at least one value or row was refused
	exitUsage   = 2 // bad command line or I/O error
)

// env is what a command may touch; tests pass buffers.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// presets reads the admin's presets (core/preset's System in main);
	// nil reads none, as in most tests.
	presets core.PresetReader
}

// readPresets returns the machine's presets, none without a reader.
func (e env) readPresets() core.Presets {
	if e.presets == nil {
		return core.Presets{}
	}
	return e.presets.ReadPresets()
}

// errUsage marks an error that is the caller's command line.
var errUsage = errors.New("usage")

const usage = `onboardctl - Chorus Onboard from the command line

Usage:
  onboardctl validate [--country CC] [--lang fr|en] KIND VALUE...
  onboardctl validate [--country CC] [--lang fr|en] KIND -     (one value per line on stdin)
  onboardctl import [--db PATH] [--rejected FILE] FILE|-
  onboardctl export [--db PATH] [--format csv|json] [FILE|-]
  onboardctl list [--db PATH]
  onboardctl forget [--db PATH] --yes
  onboardctl sync [--db PATH] [--portal URL] [--ca-file PEM] [--proxy URL] [--concurrency N] --email EMAIL --password-stdin [--timeout DURATION]
  onboardctl lookup [--db PATH] [--registry-url URL] [--insee-url URL] [--insee-key-stdin] siret|siren VALUE
  onboardctl status [--db PATH]
  onboardctl policy [--db PATH] [--lang fr|en]
  onboardctl firm join|status|leave ...        (onboardctl firm help)
  onboardctl conflicts [--db PATH] [--lang fr|en]
  onboardctl version
  onboardctl help

KIND is one of: %s.
validate prints one line per value, in order:
  ok <canonical>
  ok <canonical> warning <code>
  invalid <code>: <message>
and exits 0 when every value is valid, 1 when one is not, 2 on a usage error.
--country gives the country of the address for phone and postal (default:
France's numbering); --lang the language of messages (default: from LANG).

import reads structures from CSV (English or French headers, "," or ";",
UTF-8 or Windows-1252), stores the valid rows queued for the portal (a row
whose identifier exists updates it) and reports each refused row as
"line N: field: code: message"; last line "imported N, updated M, rejected K";
exit 0 when nothing was rejected, 1 when some rows were, 2 on usage or I/O
errors. export writes every structure with its state; its CSV re-imports.
forget deletes every draft, personal datum and keyring entry of this app.
sync signs in to the onboarding portal and sends every queued structure (a
structure that already exists becomes one attachment request), retrying
network errors, 408, 429 and 5xx, until nothing is due or --timeout; last line
"sent N, created C, attachment requests A, failed F, pending P"; exit 0 when F
and P are 0, 1 otherwise. Killed and started again, it sends nothing twice.
status prints the count of structures per state and the failed ones with the
portal's reason.
lookup asks the company registry (recherche-entreprises, then INSEE when a
key is in the keyring or on stdin) for a SIRET or a SIREN and prints the
company's name, address, activity and whether it is non-diffusible; exit 1
when no registry knows it. The registries' addresses, the proxy and the
extra certificates come from the settings; the flags override them.
policy prints every setting in effect with where it comes from (built-in,
admin default, user, admin policy) and the file or registry key an admin
value was read from, then each preset value that was ignored and why; exit 1
when one was.
--db defaults to the desktop app's database.
`

func run(args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprintf(e.stderr, usage, strings.Join(validate.KindNames(), ", "))
		return exitUsage
	}
	var err error
	switch args[0] {
	case "help", "-h", "--help":
		fmt.Fprintf(e.stdout, usage, strings.Join(validate.KindNames(), ", "))
		return exitOK
	case "version", "--version":
		fmt.Fprintln(e.stdout, "onboardctl", buildinfo.Version())
		return exitOK
	case "validate", "import", "sync", "lookup", "policy":
		f := map[string]func([]string, env) (bool, error){"validate": cmdValidate, "import": cmdImport, "sync": cmdSync,
			"lookup": cmdLookup, "policy": cmdPolicy}[args[0]]
		var invalid bool
		invalid, err = f(args[1:], e)
		if err == nil && invalid {
			return exitInvalid
		}
	case "export":
		err = cmdExport(args[1:], e)
	case "list":
		err = cmdList(args[1:], e)
	case "forget":
		err = cmdForget(args[1:], e)
	case "status":
		err = cmdStatus(args[1:], e)
	case "firm":
		err = cmdFirm(args[1:], e)
	case "conflicts":
		err = cmdConflicts(args[1:], e)
	default:
		err = fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
	if err != nil {
		msg := err.Error()
		if core.CodeOf(err) != "" {
			// A coded error says what to do in the user's language.
			msg = i18n.Error(i18n.System(e.getenv), err)
		}
		fmt.Fprintln(e.stderr, "onboardctl:", msg)
		if errors.Is(err, errUsage) {
			fmt.Fprintln(e.stderr, "Run 'onboardctl help' for usage.")
		}
		return exitUsage
	}
	return exitOK
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// langFlag registers --lang; the default follows the locale variables.
func langFlag(fs *flag.FlagSet, e env) func() (i18n.Lang, error) {
	s := fs.String("lang", "", "language of messages: fr or en (default: from LANG)")
	return func() (i18n.Lang, error) {
		if *s == "" {
			return i18n.System(e.getenv), nil
		}
		l, ok := i18n.Parse(*s)
		if !ok {
			return "", fmt.Errorf("%w: --lang must be fr or en", errUsage)
		}
		return l, nil
	}
}

// cmdValidate runs "validate". invalid reports whether a value was refused.
func cmdValidate(args []string, e env) (invalid bool, err error) {
	fs := newFlags("validate", e)
	country := fs.String("country", "", "ISO country of the address, for phone and postal")
	lang := langFlag(fs, e)
	if err := fs.Parse(args); err != nil {
		return false, fmt.Errorf("%w: %v", errUsage, err)
	}
	l, err := lang()
	if err != nil {
		return false, err
	}
	rest := fs.Args()
	if len(rest) < 2 {
		return false, fmt.Errorf("%w: validate needs a KIND and at least one VALUE", errUsage)
	}
	f, ok := validate.Kinds[rest[0]]
	if !ok {
		return false, fmt.Errorf("%w: unknown KIND %q (one of %s)", errUsage, rest[0], strings.Join(validate.KindNames(), ", "))
	}
	if *country != "" {
		cc, err := validate.CountryCode(*country)
		if err != nil {
			return false, fmt.Errorf("%w: --country: %s", errUsage, i18n.T(l, validate.Code(err)))
		}
		switch rest[0] {
		case "phone":
			f = func(s string) (string, error) { return validate.PhoneIn(s, cc) }
		case "postal":
			f = func(s string) (string, error) { return validate.PostalCodeIn(s, cc) }
		}
	}
	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	check := func(v string) {
		got, err := f(v)
		switch {
		case err == nil:
			fmt.Fprintf(out, "ok %s\n", got)
		case validate.IsWarning(err):
			fmt.Fprintf(out, "ok %s warning %s\n", got, validate.Code(err))
		default:
			invalid = true
			code := validate.Code(err)
			fmt.Fprintf(out, "invalid %s: %s\n", code, i18n.Error(l, err))
		}
	}
	values := rest[1:]
	if len(values) == 1 && values[0] == "-" {
		err := eachLine(e.stdin, maxValueLine, func(line string, tooLong bool) {
			if tooLong {
				// Read past, never held: no value of any kind is this
				// long, and the lines after it are still checked.
				invalid = true
				fmt.Fprintf(out, "invalid %s: %s\n", codeLineTooLong, i18n.T(l, codeLineTooLong))
				return
			}
			check(line)
		})
		if err != nil {
			return invalid, fmt.Errorf("read stdin: %w", err)
		}
		return invalid, nil
	}
	for _, v := range values {
		check(v)
	}
	return invalid, nil
}

// maxValueLine bounds a line of "validate -": far more than any value
// (an e-mail address is at most 254 bytes), little enough that a file of
// one huge line is read in bounded memory.
const maxValueLine = 64 << 10

// codeLineTooLong is the answer to a line over maxValueLine.
const codeLineTooLong = "value.too_long"

// eachLine calls fn with each line of r, its line ending (LF or CRLF)
// removed. A line over max bytes is read past without being kept: fn gets
// it as tooLong, and the next line is read as usual.
func eachLine(r io.Reader, max int, fn func(line string, tooLong bool)) error {
	br := bufio.NewReaderSize(r, max)
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			for errors.Is(err, bufio.ErrBufferFull) { // skip to the end of the line
				_, err = br.ReadSlice('\n')
			}
			fn("", true)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			continue
		}
		if len(chunk) > 0 {
			line := strings.TrimSuffix(string(chunk), "\n")
			fn(strings.TrimSuffix(line, "\r"), false) // a CRLF file: \r belongs to the line ending
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
