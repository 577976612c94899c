package portal

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/elazarl/goproxy"

	"github.com/chorusonboard/chorus-onboard/core"
	"github.com/chorusonboard/chorus-onboard/core/coretest"
	"github.com/chorusonboard/chorus-onboard/core/i18n"
	"github.com/chorusonboard/chorus-onboard/internal/testos"
)

// TestClientTrustAndProxy: the client trusts the system's certificates and
// the extra file's, never skips the check, goes through the proxy the
// environment or the setting names (NO_PROXY and loopback aside), and
// names each failure.
func TestClientTrustAndProxy(t *testing.T) {
	const host = "portal.chorus-sim.test"
	certs := coretest.NewTLS(t, host, "127.0.0.1")
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{certs.Server}}
	srv.StartTLS()
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	byName := "https://" + net.JoinHostPort(host, port)

	var tunnels atomic.Int64
	p := goproxy.NewProxyHttpServer()
	p.ConnectDial = func(network, addr string) (net.Conn, error) {
		tunnels.Add(1)
		if h, port, _ := net.SplitHostPort(addr); h == host {
			addr = net.JoinHostPort("127.0.0.1", port)
		}
		return net.Dial(network, addr)
	}
	proxy := httptest.NewServer(p)
	defer proxy.Close()

	notPEM := filepath.Join(testos.TempDir(t), "notes.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	tests := []struct {
		name        string
		opt         ClientOptions
		url         string
		wantCode    string
		wantTunnels int64
		// direct is a request that went straight to a name that does not
		// resolve: it fails, and not through the proxy.
		direct bool
	}{
		{"unknown authority", ClientOptions{}, srv.URL, CodeUntrusted, 0, false},
		{"extra authority", ClientOptions{CAFile: certs.CAFile}, srv.URL, "", 0, false},
		{"certificate for another name", ClientOptions{CAFile: certs.CAFile}, "https://" + net.JoinHostPort("localhost", port), CodeCertificate, 0, false},
		{"HTTPS_PROXY", ClientOptions{CAFile: certs.CAFile, Getenv: env(map[string]string{"HTTPS_PROXY": proxy.URL})}, byName, "", 1, false},
		{"https_proxy, lower case", ClientOptions{CAFile: certs.CAFile, Getenv: env(map[string]string{"https_proxy": proxy.URL})}, byName, "", 1, false},
		{"the setting over the environment", ClientOptions{CAFile: certs.CAFile, ProxyURL: proxy.URL,
			Getenv: env(map[string]string{"HTTPS_PROXY": "http://127.0.0.1:1"})}, byName, "", 1, false},
		{"NO_PROXY", ClientOptions{CAFile: certs.CAFile, Getenv: env(map[string]string{"HTTPS_PROXY": proxy.URL, "NO_PROXY": host})},
			byName, "", 0, true},
		{"loopback never proxied", ClientOptions{CAFile: certs.CAFile, ProxyURL: proxy.URL}, srv.URL, "", 0, false},
		{"proxy unreachable", ClientOptions{CAFile: certs.CAFile, ProxyURL: "http://127.0.0.1:1"}, byName, CodeProxy, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.opt.Getenv == nil {
				tt.opt.Getenv = env(nil)
			}
			c, err := NewClient(tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			before := tunnels.Load()
			resp, err := c.Get(tt.url)
			if err == nil {
				resp.Body.Close()
			}
			if tt.direct {
				if err == nil {
					t.Fatal("a name that does not resolve answered")
				}
			} else if core.CodeOf(err) != tt.wantCode || (tt.wantCode == "" && err != nil) {
				t.Fatalf("err %v, want code %q", err, tt.wantCode)
			}
			if got := tunnels.Load() - before; got != tt.wantTunnels {
				t.Fatalf("%d tunnels through the proxy, want %d", got, tt.wantTunnels)
			}
		})
	}
	// Each bad extra-certificates file says what is wrong with it
	// (hardening, second round, items 12 and 13: a FIFO hung, /dev/zero,
	// 1 GB or a directory said only "Extra certificates").
	dir := testos.TempDir(t)
	huge := filepath.Join(dir, "huge.pem")
	if err := os.WriteFile(huge, make([]byte, 5<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := map[string]string{filepath.Join(dir, "missing.pem"): CodeCAFileMissing, notPEM: CodeCAFileNoPEM, dir: CodeCAFileNotAFile, huge: CodeCAFileTooLarge}
	if runtime.GOOS != "windows" {
		fifo := filepath.Join(dir, "fifo.pem")
		if err := syscallMkfifo(fifo); err != nil {
			t.Fatal(err)
		}
		bad[fifo] = CodeCAFileNotAFile
		bad["/dev/zero"] = CodeCAFileNotAFile
	}
	for file, code := range bad {
		_, err := NewClient(ClientOptions{CAFile: file})
		if core.CodeOf(err) != code || core.KindOf(err) != core.KindInvalid || core.AsE(err).Param("file") != file {
			t.Errorf("CA file %s: %v, want %s", file, err, code)
		}
		if !i18n.Has(i18n.EN, code) || !i18n.Has(i18n.FR, code) {
			t.Errorf("no text for %s", code)
		}
	}
}
