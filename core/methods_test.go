package core_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// MaxMethods is the most methods a type may have: a type with more does
// several jobs, and is split by use case.
const MaxMethods = 25

// storeRoles are the store's role interfaces: a service takes the ones it
// uses, and no interface joins several of them back into one store.
var storeRoles = map[string]bool{"AccountStore": true, "StructureStore": true, "Outbox": true, "SettingsStore": true, "WorkspaceStore": true}

// shape is what the source says of the module's types: the methods of
// every named type, by "dir.Type" (an interface's own methods counted, its
// embedded ones not), and the interfaces that embed more than one store
// role.
type shape struct {
	methods map[string]int
	unions  []string
}

// readShape parses the module's source, tests and generated files aside.
func readShape() (shape, error) {
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(here))
	sh := shape{methods: map[string]int{}}
	counts := sh.methods
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "build" || n == "dist" || n == "tools") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		if ast.IsGenerated(f) {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		for _, decl := range f.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil || len(d.Recv.List) == 0 {
					continue
				}
				typ := d.Recv.List[0].Type
				if s, ok := typ.(*ast.StarExpr); ok {
					typ = s.X
				}
				if ix, ok := typ.(*ast.IndexExpr); ok {
					typ = ix.X
				}
				if id, ok := typ.(*ast.Ident); ok {
					counts[filepath.ToSlash(rel)+"."+id.Name]++
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					ts, ok := spec.(*ast.TypeSpec)
					if !ok {
						continue
					}
					it, ok := ts.Type.(*ast.InterfaceType)
					if !ok {
						continue
					}
					roles := 0
					for _, m := range it.Methods.List {
						if len(m.Names) > 0 {
							counts[filepath.ToSlash(rel)+"."+ts.Name.Name]++
							continue
						}
						var name string
						switch e := m.Type.(type) {
						case *ast.Ident:
							name = e.Name
						case *ast.SelectorExpr:
							name = e.Sel.Name
						}
						if storeRoles[name] {
							roles++
						}
					}
					if roles > 1 {
						sh.unions = append(sh.unions, filepath.ToSlash(rel)+"."+ts.Name.Name)
					}
				}
			}
		}
		return nil
	})
	return sh, err
}

// TestTypesStayNarrow: no type has more than MaxMethods methods, and no
// interface re-assembles the store from its roles. The source is the same
// on every system, so this runs where the source is (not as a Windows
// binary under Wine, which has none).
func TestTypesStayNarrow(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("reads the module's source: checked on Linux, for every system at once")
	}
	sh, err := readShape()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range sh.methods {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		return sh.methods[names[i]] > sh.methods[names[j]] || sh.methods[names[i]] == sh.methods[names[j]] && names[i] < names[j]
	})
	if len(names) < 50 {
		t.Fatalf("only %d types with methods: the walk missed the source", len(names))
	}
	for _, n := range names[:5] {
		t.Logf("%3d %s", sh.methods[n], n)
	}
	for _, n := range names {
		if sh.methods[n] > MaxMethods {
			t.Errorf("%s has %d methods (at most %d): split it by use case", n, sh.methods[n], MaxMethods)
		}
	}
	for _, u := range sh.unions {
		t.Errorf("%s joins several store roles back into one store: take the roles one by one", u)
	}
}
