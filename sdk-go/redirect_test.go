package omp_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	omp "github.com/omp-kit/omp-kit/sdk-go"
)

// fakeHop is what the fake transport answers for one URL: a redirect (status and Location) or, when absent,
// 200 with a JSON object.
type fakeHop struct {
	status   int
	location string
}

// sentRequest is one request the fake transport was given.
type sentRequest struct {
	method, url, auth, contentType, body string
}

// fakeTransport answers from routes and records every request: https cannot be served by the scenario
// harness, so the https -> http refusal (OMP-CLIENT-008) is tested here, without sockets.
type fakeTransport struct {
	routes map[string]fakeHop
	mu     sync.Mutex
	seen   []sentRequest
}

func (f *fakeTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	f.mu.Lock()
	f.seen = append(f.seen, sentRequest{r.Method, r.URL.String(), r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(body)})
	f.mu.Unlock()
	h := http.Header{"Content-Type": {"application/json"}}
	route, ok := f.routes[r.URL.String()]
	if !ok {
		return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(strings.NewReader(`{"id":"mem_1","principal":"p"}`)), Request: r}, nil
	}
	if route.location != "" {
		h.Set("Location", route.location)
	}
	return &http.Response{StatusCode: route.status, Header: h, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
}

func redirectClient(t *testing.T, base string, routes map[string]fakeHop) (*omp.Client, *fakeTransport) {
	t.Helper()
	ft := &fakeTransport{routes: routes}
	return client(t, base, omp.WithHTTPClient(&http.Client{Transport: ft}), omp.WithMaxRetries(2)), ft
}

func TestRedirectHTTPSToHTTPRefused(t *testing.T) {
	c, ft := redirectClient(t, "https://omp.test", map[string]fakeHop{
		"https://omp.test/v1/me": {status: 301, location: "http://omp.test/v1/me"},
	})
	_, err := c.GetMe(ctx(t))
	var re *omp.RedirectError
	if !errors.As(err, &re) {
		t.Fatalf("want *RedirectError, got %T %v", err, err)
	}
	if re.Code != "insecure_redirect" || re.Status != 301 || re.Location != "http://omp.test/v1/me" || re.Operation != "getMe" {
		t.Fatalf("got %+v", re)
	}
	if len(ft.seen) != 1 {
		t.Fatalf("the refused redirect was sent or retried: %+v", ft.seen)
	}
}

func TestRedirectKeyOnlyToConfiguredOrigin(t *testing.T) {
	// net/http alone would keep Authorization for another port of the same host; the client does not.
	c, ft := redirectClient(t, "http://127.0.0.1:1000", map[string]fakeHop{
		"http://127.0.0.1:1000/v1/me": {status: 302, location: "http://127.0.0.1:2000/v1/me"},
		"http://127.0.0.1:2000/v1/me": {status: 307, location: "http://127.0.0.1:1000/v1/me2"},
	})
	if _, err := c.GetMe(ctx(t)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range ft.seen {
		got = append(got, s.url+" "+s.auth)
	}
	want := []string{"http://127.0.0.1:1000/v1/me Bearer k_test", "http://127.0.0.1:2000/v1/me ", "http://127.0.0.1:1000/v1/me2 Bearer k_test"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestRedirectMethodRules(t *testing.T) {
	c, ft := redirectClient(t, "http://omp.test", map[string]fakeHop{
		"http://omp.test/v1/memories":  {status: 307, location: "/v1/memories2"},
		"http://omp.test/v1/memories2": {status: 303, location: "/v1/memories/mem_1"},
	})
	if _, err := c.CreateMemory(ctx(t), omp.CreateMemoryRequest{Content: "x"}); err != nil {
		t.Fatal(err)
	}
	if len(ft.seen) != 3 {
		t.Fatalf("got %+v", ft.seen)
	}
	first, second, third := ft.seen[0], ft.seen[1], ft.seen[2]
	if second.method != "POST" || second.body != first.body || !strings.Contains(second.body, `"content":"x"`) || second.contentType != "application/json" {
		t.Fatalf("307 must resend method and body: %+v", second)
	}
	if third.method != "GET" || third.body != "" || third.contentType != "" || third.url != "http://omp.test/v1/memories/mem_1" {
		t.Fatalf("303 must become a body-less GET: %+v", third)
	}
}

func TestRedirectBound(t *testing.T) {
	c, ft := redirectClient(t, "http://omp.test", map[string]fakeHop{
		"http://omp.test/v1/me": {status: 302, location: "/v1/me"},
	})
	_, err := c.GetMe(ctx(t))
	var re *omp.RedirectError
	if !errors.As(err, &re) || re.Code != "too_many_redirects" {
		t.Fatalf("got %T %v", err, err)
	}
	if len(ft.seen) != omp.MaxRedirects+1 {
		t.Fatalf("sent %d requests, want %d", len(ft.seen), omp.MaxRedirects+1)
	}
}

func TestRedirectWithoutLocationIsAnErrorResponse(t *testing.T) {
	c, _ := redirectClient(t, "http://omp.test", map[string]fakeHop{"http://omp.test/v1/me": {status: 302}})
	_, err := c.GetMe(ctx(t))
	var api *omp.APIError
	if !errors.As(err, &api) || api.Status != 302 {
		t.Fatalf("got %T %v", err, err)
	}
}
