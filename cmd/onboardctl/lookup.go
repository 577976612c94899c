package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/chorusonboard/chorus-onboard/assets"
	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/core/portal"
	"github.com/chorusonboard/chorus-onboard/core/registry"
	"github.com/chorusonboard/chorus-onboard/core/secrets"
	"github.com/chorusonboard/chorus-onboard/core/sqlite"
	"github.com/chorusonboard/chorus-onboard/core/validate"
)

// cmdLookup runs "lookup siret|siren VALUE". unknown reports a company no
// registry knows.
func cmdLookup(args []string, e env) (unknown bool, err error) {
	fs := newFlags("lookup", e)
	db := dbFlag(fs)
	searchURL := fs.String("registry-url", "", "recherche-entreprises' address (default: the settings', else the public one)")
	inseeURL := fs.String("insee-url", "", "INSEE Sirene's address (default: the settings', else the public one)")
	keyStdin := fs.Bool("insee-key-stdin", false, "read the INSEE API key from the first line of standard input (default: the keyring)")
	lang := langFlag(fs, e)
	if err := parseCommand(fs, args, 2, 2); err != nil {
		return false, err
	}
	l, err := lang()
	if err != nil {
		return false, err
	}
	kind, value := fs.Arg(0), fs.Arg(1)
	var id string
	switch kind {
	case "siret":
		id, err = validate.SIRET(value)
	case "siren":
		id, err = validate.SIREN(value)
	default:
		return false, fmt.Errorf("%w: lookup takes siret or siren, not %q", errUsage, kind)
	}
	if err != nil {
		return false, fmt.Errorf("%w: %s", errUsage, i18n.Error(l, err))
	}
	if err := checkURLFlags(l, urlFlag{"--registry-url", core.SettingRegistryURL, *searchURL}, urlFlag{"--insee-url", core.SettingINSEEURL, *inseeURL}); err != nil {
		return false, err
	}
	ctx, cancel := signalContext()
	defer cancel()
	set, err := storedSettings(ctx, db, e)
	if err != nil {
		return false, err
	}
	if *searchURL != "" {
		set.RegistryURL = *searchURL
	}
	if *inseeURL != "" {
		set.INSEEURL = *inseeURL
	}
	kr := secrets.New(assets.AppID, set.Env(), keyringOptions...)
	key := func(ctx context.Context) (string, error) { return kr.Get(ctx, core.SecretINSEEKey) }
	if *keyStdin {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return false, fmt.Errorf("%w: no INSEE key on standard input", errUsage)
		}
		k := strings.TrimSpace(line)
		key = func(context.Context) (string, error) { return k, nil }
	}
	hc, err := portal.NewClient(portal.ClientOptions{ProxyURL: set.ProxyURL, ProxyUser: set.ProxyUser, CAFile: set.CAFile,
		ProxyPassword: func(ctx context.Context) (string, error) { return kr.Get(ctx, core.SecretProxyPassword) }, Getenv: e.getenv})
	if err != nil {
		return false, fmt.Errorf("lookup: %s", i18n.Error(l, err))
	}
	reg := portal.NewRegistry(set.RegistryBase(), set.INSEEBase(), key, hc)
	var c registry.Company
	if kind == "siret" {
		c, err = reg.Lookup(ctx, id)
	} else {
		c, err = reg.LookupSIREN(ctx, id)
	}
	switch {
	case core.KindOf(err) == core.KindNotFound:
		fmt.Fprintln(e.stdout, i18n.Error(l, err))
		return true, nil
	case err != nil:
		return false, fmt.Errorf("lookup: %s", i18n.Error(l, err))
	}
	printCompany(e, l, c)
	return false, nil
}

// storedSettings reads the settings of the database at db, the defaults
// when there is none yet.
func storedSettings(ctx context.Context, db func() (string, error), e env) (core.Settings, error) {
	v, err := storedValues(ctx, db)
	return e.readPresets().Apply(v).Settings, err
}

// storedValues reads what the user saved in the database at db; nothing
// when there is no database yet.
func storedValues(ctx context.Context, db func() (string, error)) (map[string]string, error) {
	p, err := db()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(p); err != nil {
		return nil, nil
	}
	store, err := sqlite.Open(ctx, p, sqlite.ReadOnly())
	if err != nil {
		return nil, err
	}
	defer store.Close()
	return store.Settings.Values(ctx)
}

// printCompany writes what the registry knows, one "field: value" a line.
func printCompany(e env, l i18n.Lang, c registry.Company) {
	yesNo := map[bool]string{true: i18n.T(l, "yes"), false: i18n.T(l, "no")}
	address := strings.Join(nonEmpty(c.Address, c.Complement1, c.Complement2, strings.TrimSpace(c.PostalCode+" "+c.City), c.Country), ", ")
	state := i18n.T(l, "lookup.active")
	if !c.Active {
		state = i18n.T(l, "lookup.closed")
	}
	for _, line := range [][2]string{
		{"field.company_name", c.Name},
		{"field.identifier", validate.FormatSIRET(c.Siret)},
		{"field.address", address},
		{"lookup.activity", c.Activity},
		{"field.non_diffusible", yesNo[c.NonDiffusible]},
		{"lookup.state", state},
	} {
		fmt.Fprintf(e.stdout, "%s: %s\n", i18n.T(l, line[0]), terminalSafe(line[1]))
	}
}

// terminalSafe returns s with what a terminal would obey instead of show
// replaced by U+FFFD: control characters (an escape sequence could move
// the cursor, rewrite the screen, set the window's title or a clipboard)
// and the bidirectional overrides that reorder what is read. Registry
// text is someone else's: it is printed, never obeyed.
func terminalSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F:
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

// nonEmpty returns the values that are not empty.
func nonEmpty(vs ...string) []string {
	var out []string
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// urlFlag is a flag that stands in for a URL setting for one run.
type urlFlag struct{ name, setting, value string }

// checkURLFlags checks each flag's address as the setting it stands in
// for is checked (core.CheckSettingURL): a usage error naming the flag.
func checkURLFlags(l i18n.Lang, flags ...urlFlag) error {
	for _, f := range flags {
		if f.value == "" {
			continue
		}
		if err := core.CheckSettingURL(f.setting, f.value); err != nil {
			return fmt.Errorf("%w: %s: %s", errUsage, f.name, i18n.Error(l, err))
		}
	}
	return nil
}
