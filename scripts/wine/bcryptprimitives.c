/*
 * A stand-in for Windows' bcryptprimitives.dll, for running our test
 * binaries under Wine 8 in make test-windows. It is never shipped: not in
 * dist/, not in the MSI.
 *
 * Why: since Go 1.24 every Go program on Windows calls ProcessPrng from
 * bcryptprimitives.dll at start (runtime.loadOptionalSyscalls), and dies
 * with "bcryptprimitives.dll not found" without it. Windows 10 and 11 ship
 * the DLL; Debian 12's Wine 8 does not. The Go runtime loads it from the
 * system directory only, so scripts/test-windows copies this build into
 * the Wine prefix's drive_c/windows/system32.
 *
 * ProcessPrng fills the buffer from RtlGenRandom (advapi32's
 * SystemFunction036), which Wine implements over the host's random source,
 * in chunks below its ULONG length limit. Like Windows' own, it never
 * reports failure to a caller that could not act on it anyway; a failure
 * of RtlGenRandom is passed on as FALSE.
 *
 * Built by scripts/test-windows:
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
