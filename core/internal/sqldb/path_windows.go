package sqldb

import (
	"path/filepath"
	"strings"
)

// extendedPath gives SQLite a path Windows opens whatever its length: past
// 259 characters (MAX_PATH) CreateFileW refuses a plain path unless the
// machine enables long paths, so a long absolute path is written in the
// extended form \\?\C:\… (\\?\UNC\server\share\… for a share), which has
// no such limit. Go's own file functions do the same for the files they
// open; SQLite opens the database, its -wal and its -shm itself.
func extendedPath(p string) string {
	if len(p) < 248 || !filepath.IsAbs(p) || strings.HasPrefix(p, `\\?\`) {
		return p
	}
	p = filepath.Clean(p)
	if strings.HasPrefix(p, `\\`) {
		return `\\?\UNC\` + p[2:]
	}
	return `\\?\` + p
}
