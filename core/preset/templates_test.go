package preset

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chorusonboard/chorus-onboard/core"
)

// The admin's files that ship beside the app say the same keys as the
// reader: the example presets parse without a problem, the Group Policy
// template has one policy per preset key with its texts in both languages,
// and the MSI writes every key.

func TestExamplePresets(t *testing.T) {
	for _, name := range []string{"policy.example.json", "defaults.example.json"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "packaging", name))
		if err != nil {
			t.Fatal(err)
		}
		layer, problems := ParseJSON(data, name)
		if len(problems) != 0 || len(layer.Values) == 0 {
			t.Errorf("%s: %d values, problems %+v", name, len(layer.Values), problems)
		}
	}
}

type admx struct {
	Policies []struct {
		Name         string `xml:"name,attr"`
		Key          string `xml:"key,attr"`
		Display      string `xml:"displayName,attr"`
		Explain      string `xml:"explainText,attr"`
		Presentation string `xml:"presentation,attr"`
		Text         []struct {
			ValueName string `xml:"valueName,attr"`
		} `xml:"elements>text"`
		Decimal []struct {
			ValueName string `xml:"valueName,attr"`
		} `xml:"elements>decimal"`
		Enum []struct {
			ValueName string   `xml:"valueName,attr"`
			Items     []string `xml:"item>value>string"`
		} `xml:"elements>enum"`
	} `xml:"policies>policy"`
}

type adml struct {
	Strings []struct {
		ID string `xml:"id,attr"`
	} `xml:"resources>stringTable>string"`
	Presentations []struct {
		ID string `xml:"id,attr"`
	} `xml:"resources>presentationTable>presentation"`
}

var ref = regexp.MustCompile(`^\$\((string|presentation)\.([A-Za-z0-9_]+)\)$`)

func TestGroupPolicyTemplate(t *testing.T) {
	dir := filepath.Join("..", "..", "assets", "admx")
	var def admx
	readXML(t, filepath.Join(dir, "ChorusOnboard.admx"), &def)
	var keys []string
	for _, p := range def.Policies {
		if p.Key != PolicyKey {
			t.Errorf("%s: key %q, want %q", p.Name, p.Key, PolicyKey)
		}
		for _, e := range p.Text {
			keys = append(keys, e.ValueName)
		}
		for _, e := range p.Decimal {
			keys = append(keys, e.ValueName)
		}
		for _, e := range p.Enum {
			keys = append(keys, e.ValueName)
			for _, v := range e.Items {
				if _, code := core.CheckPresetValue(e.ValueName, v); code != "" {
					t.Errorf("%s: the value %q is refused by the reader (%s)", p.Name, v, code)
				}
			}
		}
	}
	slices.Sort(keys)
	want := slices.Sorted(slices.Values(core.PresetKeys))
	if !slices.Equal(keys, want) {
		t.Errorf("policies for %v, want one per preset key %v", keys, want)
	}
	for _, lang := range []string{"en-US", "fr-FR"} {
		var res adml
		readXML(t, filepath.Join(dir, lang, "ChorusOnboard.adml"), &res)
		ids := map[string]int{}
		for _, s := range res.Strings {
			ids["string."+s.ID]++
		}
		for _, p := range res.Presentations {
			ids["presentation."+p.ID]++
		}
		for id, n := range ids {
			if n > 1 {
				t.Errorf("%s: %s defined %d times", lang, id, n)
			}
		}
		for _, p := range def.Policies {
			for _, r := range []string{p.Display, p.Explain, p.Presentation} {
				m := ref.FindStringSubmatch(r)
				if m == nil || ids[m[1]+"."+m[2]] == 0 {
					t.Errorf("%s: %s refers to %q, which it does not define", lang, p.Name, r)
				}
			}
		}
	}
}

func TestInstallerWritesEveryKey(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "packaging", "windows", "chorus-onboard.wxs"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`Key="\[PRESETKEY\]" Name="([a-z_]+)" Type="string" Value="\[([A-Z_]+)\]"`)
	var keys []string
	for _, m := range re.FindAllStringSubmatch(string(data), -1) {
		keys = append(keys, m[1])
		if m[2] != strings.ToUpper(m[1]) {
			t.Errorf("property %s writes %s", m[2], m[1])
		}
	}
	slices.Sort(keys)
	if want := slices.Sorted(slices.Values(core.PresetKeys)); !slices.Equal(keys, want) {
		t.Errorf("the MSI writes %v, want every preset key %v", keys, want)
	}
}

func readXML(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
