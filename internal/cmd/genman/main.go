// Command genman turns a command's --help text into a man page (roff, the
// man macros), so the page never says something the command does not:
//
//	onboardctl help | go run ./internal/cmd/genman -name onboardctl -version 0.1.7 > onboardctl.1
//
// The first line of the help ("name - summary") becomes the NAME section;
// the rest is kept as written, in a no-fill block, under DESCRIPTION.
// SOURCE_DATE_EPOCH, when set, dates the page, so that packages are
// reproducible.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	name := flag.String("name", "", "the command's name")
	version := flag.String("version", "", "the version the page documents")
	seeAlso := flag.String("see-also", "", "comma-separated pages for SEE ALSO, such as onboardctl(1)")
	flag.Parse()
	if *name == "" {
		fmt.Fprintln(os.Stderr, "genman: -name is required")
		os.Exit(2)
	}
	date := time.Now().UTC()
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			date = time.Unix(n, 0).UTC()
		}
	}
	if err := write(os.Stdout, os.Stdin, *name, *version, *seeAlso, date); err != nil {
		fmt.Fprintln(os.Stderr, "genman:", err)
		os.Exit(1)
	}
}

// write reads the help text from in and writes the page to out.
func write(out io.Writer, in io.Reader, name, version, seeAlso string, date time.Time) error {
	var lines []string
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), " \t"))
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(lines) == 0 {
		return fmt.Errorf("no help text on standard input")
	}
	summary := lines[0]
	if _, after, ok := strings.Cut(summary, " - "); ok {
		summary = after
	}
	w := bufio.NewWriter(out)
	fmt.Fprintf(w, ".TH %s 1 %q %q \"User Commands\"\n", strings.ToUpper(name), date.Format("2006-01-02"), "Chorus Onboard "+version)
	fmt.Fprintf(w, ".SH NAME\n%s \\- %s\n", escape(name), escape(summary))
	fmt.Fprintln(w, ".SH DESCRIPTION")
	fmt.Fprintln(w, ".nf")
	body := lines[1:]
	for len(body) > 0 && body[0] == "" {
		body = body[1:]
	}
	for _, l := range body {
		if l == "" {
			fmt.Fprintln(w, ".sp")
			continue
		}
		fmt.Fprintln(w, escape(strings.ReplaceAll(l, "\t", "        ")))
	}
	fmt.Fprintln(w, ".fi")
	if seeAlso != "" {
		fmt.Fprintln(w, ".SH SEE ALSO")
		var refs []string
		for _, r := range strings.Split(seeAlso, ",") {
			page, section, ok := strings.Cut(strings.TrimSpace(r), "(")
			if !ok {
				return fmt.Errorf("see-also %q: want name(section)", r)
			}
			refs = append(refs, fmt.Sprintf(".BR %s (%s", escape(page), strings.TrimSuffix(section, ")")+")"))
		}
		for i, r := range refs {
			if i < len(refs)-1 {
				r += " ,"
			}
			fmt.Fprintln(w, r)
		}
	}
	return w.Flush()
}

// escape keeps text from being read as roff: a backslash is printed with
// \e, a line starting with a dot or an apostrophe would be a request, and a
// hyphen is a minus sign where a command line needs one.
func escape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
