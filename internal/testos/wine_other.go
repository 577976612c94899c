//go:build !windows

package testos

func wine() bool { return false }
