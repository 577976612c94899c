//go:build ignore

// gen_data regenerates the embedded data files of core/validate from their
// public sources. It is run by hand (see data/SOURCES.md), never at build time:
//
//	go run gen_data.go -iso /usr/share/iso-codes/json/iso_3166-1.json \
//	   -iso-fr /usr/share/locale/fr/LC_MESSAGES/iso_3166-1.mo \
//	   -postal codes-postaux/codes-postaux.json \
//	   -passwords 10_million_password_list_top_1M.txt
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"strings"
	"unicode/utf8"
)

func main() {
	iso := flag.String("iso", "", "iso-codes iso_3166-1.json")
	isoFR := flag.String("iso-fr", "", "iso-codes French .mo catalogue")
	postal := flag.String("postal", "", "npm codes-postaux codes-postaux.json")
	pw := flag.String("passwords", "", "SecLists 10_million_password_list_top_1M.txt")
	flag.Parse()
	if *iso != "" {
		countries(*iso, *isoFR)
	}
	if *postal != "" {
		postalCodes(*postal)
	}
	if *pw != "" {
		passwords(*pw)
	}
}

func countries(path, moPath string) {
	var doc struct {
		List []struct {
			Alpha2 string `json:"alpha_2"`
			Name   string `json:"name"`
			Common string `json:"common_name"`
		} `json:"3166-1"`
	}
	must(json.Unmarshal(read(path), &doc))
	fr := map[string]string{}
	if moPath != "" {
		fr = readMO(read(moPath))
	}
	var b strings.Builder
	slices.SortFunc(doc.List, func(a, b struct {
		Alpha2 string `json:"alpha_2"`
		Name   string `json:"name"`
		Common string `json:"common_name"`
	}) int {
		return strings.Compare(a.Alpha2, b.Alpha2)
	})
	for _, c := range doc.List {
		name := c.Name
		if c.Common != "" {
			name = c.Common
		}
		frName := fr[name]
		if frName == "" {
			frName = fr[c.Name]
		}
		if frName == "" {
			frName = name
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\n", c.Alpha2, name, frName)
	}
	must(os.WriteFile("data/countries.tsv", []byte(b.String()), 0o644))
	log.Printf("countries: %d", len(doc.List))
}

// readMO parses a GNU gettext .mo file into msgid → msgstr.
func readMO(b []byte) map[string]string {
	order := binary.ByteOrder(binary.LittleEndian)
	if binary.LittleEndian.Uint32(b) != 0x950412de {
		order = binary.BigEndian
	}
	n := int(order.Uint32(b[8:]))
	orig, trans := int(order.Uint32(b[12:])), int(order.Uint32(b[16:]))
	out := map[string]string{}
	for i := range n {
		ol, oo := order.Uint32(b[orig+8*i:]), order.Uint32(b[orig+8*i+4:])
		tl, to := order.Uint32(b[trans+8*i:]), order.Uint32(b[trans+8*i+4:])
		out[string(b[oo:oo+ol])] = string(b[to : to+tl])
	}
	return out
}

func postalCodes(path string) {
	var rows []struct {
		CodePostal string `json:"codePostal"`
	}
	must(json.Unmarshal(read(path), &rows))
	set := map[string]bool{}
	for _, r := range rows {
		set[r.CodePostal] = true
	}
	codes := make([]string, 0, len(set))
	for c := range set {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	must(os.WriteFile("data/postal_codes.txt", []byte(strings.Join(codes, "\n")+"\n"), 0o644))
	log.Printf("postal codes: %d", len(codes))
}

// passwords keeps the 10,000 most common passwords, whatever their length, and
// every password of 12 characters or more from the top million: those are the
// ones the length and class rules alone would let through.
func passwords(path string) {
	f, err := os.Open(path)
	must(err)
	defer f.Close()
	seen := map[string]bool{}
	var out []string
	sc := bufio.NewScanner(f)
	for i := 0; sc.Scan(); i++ {
		p := strings.ToLower(strings.TrimRight(sc.Text(), "\r"))
		if !utf8.ValidString(p) || p == "" || seen[p] {
			continue
		}
		if i < 10000 || utf8.RuneCountInString(p) >= 12 {
			seen[p] = true
			out = append(out, p)
		}
	}
	must(sc.Err())
	extra := read("data/passwords_fr.txt")
	for _, p := range strings.Split(string(extra), "\n") {
		p = strings.ToLower(strings.TrimSpace(p))
		if p != "" && !strings.HasPrefix(p, "#") && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, err = zw.Write([]byte(strings.Join(out, "\n") + "\n"))
	must(err)
	must(zw.Close())
	must(os.WriteFile("data/common_passwords.txt.gz", buf.Bytes(), 0o644))
	log.Printf("passwords: %d", len(out))
}

func read(path string) []byte {
	b, err := os.ReadFile(path)
	must(err)
	return b
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
