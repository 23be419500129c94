package omp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	omp "github.com/omp-kit/omp-kit/sdk-go"
)

// seen is one request a test server received.
type seen struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   string
}

// recorder is a real HTTP server on 127.0.0.1 whose handler a test scripts per request number.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

// newRecorder starts a server; handle gets the 0-based number of the request. It is closed with the test.
func newRecorder(t *testing.T, handle func(n int, w http.ResponseWriter, r *http.Request)) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		// Handlers may read the body again.
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec.mu.Lock()
		n := len(rec.reqs)
		rec.reqs = append(rec.reqs, seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), string(body)})
		rec.mu.Unlock()
		handle(n, w, r)
	}))
	t.Cleanup(rec.Close)
	return rec
}

// requests returns a copy of what the server received so far.
func (r *recorder) requests() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

// writeJSON answers with status and v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// envelope is an OMP error body.
func envelope(code, message string) map[string]any {
	return map[string]any{"error": code, "message": message, "details": map[string]any{}}
}

// health is a valid health body.
var health = map[string]any{
	"status": "ok", "version": "0.3", "memories_count": nil, "levels": []string{"core"},
	"capabilities": []string{}, "limits": map[string]any{"max_body_bytes": 1048576, "max_import_bytes": 268435456},
	"server": map[string]any{"name": "test", "version": "1"},
}

// memory is a valid memory body with the given id.
func memory(id string) map[string]any {
	return map[string]any{
		"id": id, "content": "c " + id, "type": "semantic",
		"source":     map[string]any{"tool": "t", "timestamp": "2026-01-01T00:00:00Z"},
		"tags":       []string{},
		"namespace":  nil,
		"created_at": "2026-01-01T00:00:00.000Z", "updated_at": "2026-01-01T00:00:00.000Z",
		"expires_at": nil, "metadata": map[string]any{},
	}
}

// client builds a client for url with fast retries; extra options follow the defaults. It speaks 0.3 unless
// an option says otherwise, so that test servers need not answer health first (versions_test.go covers 0.4).
func client(t *testing.T, url string, opts ...omp.Option) *omp.Client {
	t.Helper()
	base := []omp.Option{omp.WithAPIKey("k_test"), omp.WithBackoff(time.Millisecond, 4*time.Millisecond), omp.WithTimeout(10 * time.Second), omp.WithSpecVersion("0.3")}
	c, err := omp.NewClient(url, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ctx is a context for one test.
func ctx(t *testing.T) context.Context {
	return t.Context()
}
