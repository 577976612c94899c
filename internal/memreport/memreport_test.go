package memreport

import (
	"path/filepath"
	"testing"

	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestWriteRead: the figures written read back, the heap with what this
// test keeps alive in it.
func TestWriteRead(t *testing.T) {
	keep := make([]byte, 8<<20)
	path := filepath.Join(testos.TempDir(t), "memory.txt")
	if err := write(path); err != nil {
		t.Fatal(err)
	}
	heap, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if heap < uint64(len(keep)) {
		t.Errorf("live heap %d bytes, less than the %d kept", heap, len(keep))
	}
	keep[0] = 1
	if _, err := Read(filepath.Join(testos.TempDir(t), "none")); err == nil {
		t.Error("a missing file read")
	}
}
