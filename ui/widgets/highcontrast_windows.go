//go:build windows

package widgets

import (
	"syscall"
	"unsafe"
)

// SystemHighContrast reports whether Windows' high contrast mode is on
// (SystemParametersInfo SPI_GETHIGHCONTRAST, flag HCF_HIGHCONTRASTON).
func SystemHighContrast() bool {
	const spiGetHighContrast, hcfHighContrastOn = 0x0042, 0x1
	type highContrast struct {
		size    uint32
		flags   uint32
		_scheme *uint16
	}
	hc := highContrast{size: uint32(unsafe.Sizeof(highContrast{}))}
	proc := syscall.NewLazyDLL("user32.dll").NewProc("SystemParametersInfoW")
	if proc.Find() != nil {
		return false
	}
	ok, _, _ := proc.Call(spiGetHighContrast, uintptr(hc.size), uintptr(unsafe.Pointer(&hc)), 0)
	return ok != 0 && hc.flags&hcfHighContrastOn != 0
}
