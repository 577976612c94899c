package localfs

import (
	"io"
	"os"
	"path/filepath"

	"github.com/chorusonboard/chorus-onboard/core"
)

// CodeInUse is the code of a file another program holds open, so that it
// cannot be replaced (Windows): the text asks the user to close it.
const CodeInUse = "file.in_use"

// WriteFileAtomic writes the file name through write under a private
// temporary name in its directory, syncs it, then renames it over name: a
// failure never leaves half a file where the previous one was, and the
// file is readable by its owner only (it holds personal data). On Windows
// a file another program holds open (Excel, typically) cannot be
// replaced (nor one that is read-only): the error is then KindUnavailable
// with CodeInUse and the file as parameter, and the previous file is left
// as it was.
func WriteFileAtomic(name string, write func(io.Writer) error) error {
	f, err := CreateTemp(filepath.Dir(name), ".chorus-onboard-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := write(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), name); err != nil {
		if inUse(err) {
			return &core.E{Kind: core.KindUnavailable, Code: CodeInUse, Op: "replace " + filepath.Base(name),
				Params: map[string]string{"file": name}, Err: err}
		}
		return err
	}
	return nil
}
