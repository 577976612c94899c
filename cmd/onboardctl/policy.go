package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
)

// cmdPolicy runs "policy [--db PATH]": every setting in effect with its
// source, like a browser's policy page, then the preset values that were
// ignored. ignored reports that some were.
func cmdPolicy(args []string, e env) (ignored bool, err error) {
	fs := newFlags("policy", e)
	db := dbFlag(fs)
	lang := langFlag(fs, e)
	if err := parseCommand(fs, args, 0, 0); err != nil {
		return false, err
	}
	l, err := lang()
	if err != nil {
		return false, err
	}
	ctx, cancel := signalContext()
	defer cancel()
	user, err := storedValues(ctx, db)
	if err != nil {
		return false, err
	}
	eff := e.readPresets().Apply(user)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\t%s\n", i18n.T(l, "policy.setting"), i18n.T(l, "policy.value"), i18n.T(l, "policy.source"))
	for _, key := range core.PresetKeys {
		source := i18n.T(l, "policy.source."+string(eff.Sources[key]))
		if o := eff.Origins[key]; o != "" {
			source += " (" + o + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", key, effectiveValue(eff, key, l), source)
	}
	if err := tw.Flush(); err != nil {
		return false, err
	}
	for _, p := range core.SortedPresetProblems(eff.Problems) {
		fmt.Fprintln(e.stdout, i18n.PresetProblem(l, p))
	}
	return len(eff.Problems) > 0, nil
}

// effectiveValue is what the app uses for key, defaults spelled out (the
// public registries, the environment's PISTE gateway), "-" for nothing.
func effectiveValue(eff core.Effective, key string, l i18n.Lang) string {
	set := eff.Settings
	v := set.Get(key)
	switch key {
	case core.SettingEnvironment:
		v = string(set.Env())
	case core.SettingPISTEOAuthURL:
		v = set.OAuthURL()
	case core.SettingPISTEAPIURL:
		v = set.APIURL()
	case core.SettingRegistryURL:
		v = set.RegistryBase()
	case core.SettingINSEEURL:
		v = set.INSEEBase()
	case core.PresetLanguage:
		v = eff.Language
		if v == "" {
			v = i18n.T(l, "policy.language_user")
		}
	case core.PresetOfferSandbox:
		v = fmt.Sprint(eff.OfferSandbox)
	}
	if v == "" {
		return "-"
	}
	return v
}
