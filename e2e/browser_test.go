package e2e

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// chromium is Debian's Chromium, which make test installs where missing
// (scripts/ensure-chromium.sh).
const chromium = "/usr/bin/chromium"

// browser is a headless Chromium tab with every request it makes recorded.
// Names resolve only to the loopback interface, so a page that tries to
// reach the internet fails to, and the request is still recorded.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	requests []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	return newBrowserFor(t, 90*time.Second)
}

// newBrowserFor is newBrowser for a test that may take up to limit, such
// as one that waits for legal days to pass.
func newBrowserFor(t *testing.T, limit time.Duration) *browser {
	t.Helper()
	bin := os.Getenv("CASEWORK_CHROMIUM")
	if bin == "" {
		bin = chromium
	}
	if _, err := exec.LookPath(bin); err != nil {
		t.Fatalf("no Chromium at %s (%v): run scripts/ensure-chromium.sh, or set CASEWORK_CHROMIUM", bin, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	b := &browser{}
	ctx, cancelC := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			b.mu.Lock()
			b.requests = append(b.requests, e.Request.URL)
			b.mu.Unlock()
		}
	}))
	ctx, cancelT := context.WithTimeout(ctx, limit)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	b.ctx = ctx
	_, err := chromedp.Call(ctx, network.Enable, network.EnableParams{})
	require.NoError(t, err)
	return b
}

// remoteRequests lists every request the tab made to anything but the
// loopback interface (data: and blob: URLs stay in the page).
func (b *browser) remoteRequests() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, r := range b.requests {
		u, err := url.Parse(r)
		if err != nil || u.Scheme == "data" || u.Scheme == "blob" || u.Scheme == "about" {
			continue
		}
		if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
			out = append(out, r)
		}
	}
	return out
}

func (b *browser) do(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	require.NoError(t, chromedp.Do(b.ctx, actions...))
}

// eval evaluates a JavaScript expression (awaiting a promise) in the page.
func eval[T any](t *testing.T, b *browser, js string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	require.NoError(t, err, "evaluate %s", js)
	return v
}

// waitText waits until the page's text contains every one of want.
func (b *browser) waitText(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var text string
	for time.Now().Before(deadline) {
		text, _ = chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		all := true
		for _, w := range want {
			if !strings.Contains(text, w) {
				all = false
			}
		}
		if all {
			return
		}
		time.Sleep(150 * time.Millisecond)
	}
	t.Fatalf("page never showed %q; it shows:\n%s", want, text)
}

// screenshot writes the page as name.png to the artefacts folder:
// $CASEWORK_ARTIFACTS, else casework-browser in the temporary folder.
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("CASEWORK_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "casework-browser")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	file := filepath.Join(dir, name+".png")
	require.NoError(t, os.WriteFile(file, png, 0o644))
	t.Logf("screenshot %s", file)
}

// TestBrowserDocsOffline opens /docs with every non-loopback request
// blocked: the API documentation renders from the binary's own assets.
func TestBrowserDocsOffline(t *testing.T) {
	b := newBrowser(t)
	b.do(t, chromedp.Navigate(realTime.URL+"/docs"))
	b.waitText(t, "Long-running court and mediation case processes", "ledger", "StartMediationBody")
	b.screenshot(t, "docs")
	require.Empty(t, b.remoteRequests(), "the docs page reached outside the machine")
}
