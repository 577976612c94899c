/*
 * A stand-in for Windows' uiautomationcore.dll, for running the app built
 * with Fyne's screen-reader bridge (the build tag "accessibility") under
 * Wine 8 in make test-windows and make test-dist. It is never shipped:
 * not in dist/, not in the MSI (test-dist checks).
 *
 * Why: Fyne 2.8's bridge (internal/driver/glfw/accessibility_windows.c)
 * loads uiautomationcore.dll and calls five of its functions. Wine 8's
 * own DLL exports UiaRaiseStructureChangedEvent as an unimplemented stub,
 * and a stub aborts the process when called: the app died at its first
 * frame with "unimplemented function
 * uiautomationcore.dll.UiaRaiseStructureChangedEvent" (docs/windows.md
 * has the reproduction). Windows has all five since Windows 7.
 *
 * What it does: what Windows does when no screen reader listens. No
 * client asks for the window's provider (UiaReturnRawElementProvider
 * answers 0, as DefWindowProc would), there is no host provider, and
 * events and disconnections have nobody to reach (S_OK). So the app runs
 * under Wine exactly as it does on Windows without a screen reader; what
 * a screen reader reads is tested on a real Windows (docs/accessibility.md).
 *
 * Built by scripts/wine/new-prefix into the test prefix's system32, in
 * place of Wine's own, and preferred to Wine's builtin by the callers
 * (WINEDLLOVERRIDES uiautomationcore=n,b):
 *   x86_64-w64-mingw32-gcc -shared -O2 -o uiautomationcore.dll uiautomationcore.c
 */
#include <windows.h>

__declspec(dllexport) LRESULT WINAPI UiaReturnRawElementProvider(HWND hwnd, WPARAM wparam, LPARAM lparam, void *provider)
{
	(void)hwnd; (void)wparam; (void)lparam; (void)provider;
	return 0;
}

__declspec(dllexport) HRESULT WINAPI UiaHostProviderFromHwnd(HWND hwnd, void **provider)
{
	(void)hwnd;
	if (!provider)
		return E_INVALIDARG;
	*provider = NULL;
	return S_OK;
}

__declspec(dllexport) HRESULT WINAPI UiaRaiseAutomationEvent(void *provider, int id)
{
	(void)provider; (void)id;
	return S_OK;
}

__declspec(dllexport) HRESULT WINAPI UiaRaiseStructureChangedEvent(void *provider, int kind, int *runtimeID, int len)
{
	(void)provider; (void)kind; (void)runtimeID; (void)len;
	return S_OK;
}

__declspec(dllexport) HRESULT WINAPI UiaDisconnectProvider(void *provider)
{
	(void)provider;
	return S_OK;
}
