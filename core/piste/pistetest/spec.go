// Package pistetest checks JSON against AIFE's OpenAPI definitions of the
// Chorus Pro Structures API (Structures.json, embedded), for the tests of
// the simulator and the client.
package pistetest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
)

//go:embed Structures.json
var structuresJSON []byte

// Spec is a tiny reader of the Swagger 2.0 definitions, enough to check a
// JSON value against one: every key must be declared and every value must
// have the declared type (and enum value).
type Spec struct {
	Definitions map[string]*Schema `json:"definitions"`
}

// Schema is a Swagger schema object, the parts checks use.
type Schema struct {
	Ref        string             `json:"$ref"`
	Type       string             `json:"type"`
	Format     string             `json:"format"`
	Enum       []any              `json:"enum"`
	Properties map[string]*Schema `json:"properties"`
	Items      *Schema            `json:"items"`
	Required   []string           `json:"required"`
}

// Load parses the embedded Structures.json.
func Load() *Spec {
	var s Spec
	if err := json.Unmarshal(structuresJSON, &s); err != nil {
		panic("pistetest: Structures.json: " + err.Error())
	}
	return &s
}

// Check validates v (decoded JSON) against definition name and returns
// every problem found.
func (s *Spec) Check(name string, v any) []string {
	return s.check("#/definitions/"+name, &Schema{Ref: "#/definitions/" + name}, v)
}

func (s *Spec) check(path string, sc *Schema, v any) []string {
	if sc.Ref != "" {
		name := sc.Ref[len("#/definitions/"):]
		def, ok := s.Definitions[name]
		if !ok {
			return []string{path + ": unknown definition " + name}
		}
		sc = def
	}
	var out []string
	typ := sc.Type
	if typ == "" && sc.Properties != nil {
		typ = "object"
	}
	switch typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want object, got %T", path, v)}
		}
		for _, r := range sc.Required {
			if _, ok := m[r]; !ok {
				out = append(out, path+": missing required "+r)
			}
		}
		for k, val := range m {
			p, ok := sc.Properties[k]
			if !ok {
				out = append(out, path+": unknown key "+k)
				continue
			}
			out = append(out, s.check(path+"."+k, p, val)...)
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want array, got %T", path, v)}
		}
		for i, x := range a {
			out = append(out, s.check(fmt.Sprintf("%s[%d]", path, i), sc.Items, x)...)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return []string{fmt.Sprintf("%s: want string, got %T", path, v)}
		}
		if len(sc.Enum) > 0 && !contains(sc.Enum, str) {
			out = append(out, fmt.Sprintf("%s: %q not in enum %v", path, str, sc.Enum))
		}
	case "integer":
		f, ok := v.(float64)
		if !ok || f != float64(int64(f)) {
			return []string{fmt.Sprintf("%s: want integer, got %v", path, v)}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return []string{fmt.Sprintf("%s: want boolean, got %T", path, v)}
		}
	case "number":
		if _, ok := v.(float64); !ok {
			return []string{fmt.Sprintf("%s: want number, got %T", path, v)}
		}
	}
	return out
}

func contains(enum []any, s string) bool {
	for _, e := range enum {
		if reflect.DeepEqual(e, s) {
			return true
		}
	}
	return false
}
