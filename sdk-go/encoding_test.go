package omp_test

import (
	"encoding/json"
	"errors"
	"go/format"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	omp "github.com/omp-kit/omp-kit/sdk-go"
)

// What goes on the wire for each kind of member: absent, null, empty and set are all distinct where the
// protocol gives them distinct meanings.
func TestRequestBodies(t *testing.T) {
	cases := []struct {
		name string
		body any
		want string
	}{
		{"create minimal", omp.CreateMemoryRequest{Content: "c", Type: omp.MemoryTypeSemantic, Source: omp.Source{Tool: "t"}},
			`{"content":"c","type":"semantic","source":{"tool":"t"}}`},
		{"create full", omp.CreateMemoryRequest{Content: "c", Type: omp.MemoryTypeProcedural, Source: omp.Source{Tool: "t", SessionID: omp.Ptr("s"), Timestamp: omp.Ptr(omp.Timestamp("2026-11-20T09:30:00Z"))},
			Tags: []string{"a"}, Namespace: omp.Ptr("project:x"), ExpiresAt: omp.Ptr(omp.Timestamp("2027-01-01T00:00:00Z")), Metadata: map[string]any{"k": 1.5}, Embedding: []float64{0.5}},
			`{"content":"c","type":"procedural","source":{"tool":"t","session_id":"s","timestamp":"2026-11-20T09:30:00Z"},"tags":["a"],"namespace":"project:x","expires_at":"2027-01-01T00:00:00Z","metadata":{"k":1.5},"embedding":[0.5]}`},
		{"update keeps absent members", omp.UpdateMemoryRequest{Content: omp.Ptr("new")}, `{"content":"new"}`},
		{"update clears with null", omp.UpdateMemoryRequest{Namespace: omp.Null[string](), ExpiresAt: omp.Null[omp.Timestamp](), Embedding: omp.Null[[]float64]()},
			`{"namespace":null,"expires_at":null,"embedding":null}`},
		{"update sets nullable members", omp.UpdateMemoryRequest{Namespace: omp.Value("ns"), ExpiresAt: omp.Value(omp.Timestamp("2027-01-01T00:00:00Z"))},
			`{"namespace":"ns","expires_at":"2027-01-01T00:00:00Z"}`},
		{"update empties tags and metadata", omp.UpdateMemoryRequest{Tags: []string{}, Metadata: map[string]any{}}, `{"tags":[],"metadata":{}}`},
		{"search", omp.SearchRequest{Q: "x", Mode: omp.Ptr(omp.SearchModeHybrid), Tags: []string{"a", "b"}, Limit: omp.Ptr(5)}, `{"q":"x","mode":"hybrid","tags":["a","b"],"limit":5}`},
		{"export file with string server", omp.ExportFile{OMPVersion: "0.2", ExportedAt: "2026-01-01T00:00:00Z", Server: omp.ExportFileServer{String: omp.Ptr("old")}, Memories: []omp.ExportItem{}},
			`{"omp_version":"0.2","exported_at":"2026-01-01T00:00:00Z","server":"old","memories":[]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// Decoding keeps what the server said: null vs value, the union's alternative, timestamps byte for byte.
func TestResponseDecoding(t *testing.T) {
	var m omp.Memory
	raw := `{"id":"mem_0123456789abcdef","content":"c","type":"episodic","source":{"tool":"t","timestamp":"2026-06-29T12:00:00Z"},"tags":["a"],"namespace":"ns","created_at":"2026-06-29T12:00:00.000Z","updated_at":"2026-06-29T12:00:00.5Z","expires_at":null,"metadata":{"n":1}}`
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	if m.Namespace == nil || *m.Namespace != "ns" || m.ExpiresAt != nil || *m.Source.Timestamp != "2026-06-29T12:00:00Z" || m.UpdatedAt != "2026-06-29T12:00:00.5Z" {
		t.Fatalf("got %+v", m)
	}
	if ts, err := m.UpdatedAt.Time(); err != nil || !ts.Equal(time.Date(2026, 6, 29, 12, 0, 0, 5e8, time.UTC)) {
		t.Fatalf("Time() = %v, %v", ts, err)
	}
	var f omp.ExportFile
	if err := json.Unmarshal([]byte(`{"omp_version":"0.3","exported_at":"2026-01-01T00:00:00Z","server":{"name":"n","version":"1"},"memories":[]}`), &f); err != nil {
		t.Fatal(err)
	}
	if f.Server.Object == nil || f.Server.Object.Name != "n" || f.Server.String != nil {
		t.Fatalf("server %+v", f.Server)
	}
	if err := json.Unmarshal([]byte(`{"omp_version":"0.3","exported_at":"x","server":7,"memories":[]}`), &f); err == nil {
		t.Fatal("a number server decoded")
	}
	var u omp.UpdateMemoryRequest
	if err := json.Unmarshal([]byte(`{"namespace":null,"expires_at":"2027-01-01T00:00:00Z"}`), &u); err != nil {
		t.Fatal(err)
	}
	if !u.Namespace.IsNull() || u.ExpiresAt.IsNull() || u.Embedding.IsZero() != true {
		t.Fatalf("got %+v", u)
	}
	if v, ok := u.ExpiresAt.Get(); !ok || v != "2027-01-01T00:00:00Z" {
		t.Fatalf("ExpiresAt.Get() = %v %v", v, ok)
	}
	if _, err := omp.Timestamp("2026-01-01T00:00:00+01:00").Time(); err == nil {
		t.Fatal("a non-UTC timestamp parsed")
	}
	if got := omp.TimestampOf(time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.FixedZone("x", 3600))); got != "2026-01-02T02:04:05.006Z" {
		t.Fatalf("TimestampOf = %s", got)
	}
}

// Headers, path escaping and query encoding of real requests.
func TestRequestLine(t *testing.T) {
	srv := newRecorder(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodDelete:
			w.WriteHeader(204)
		case r.URL.Path == "/v1/health":
			writeJSON(w, 200, health)
		case r.URL.Path == "/v1/memories/search":
			writeJSON(w, 200, map[string]any{"memories": []any{}, "total": 0, "limit": 20, "offset": 0, "mode_used": "keyword"})
		default:
			writeJSON(w, 200, memory("mem_0000000000000000"))
		}
	})
	c := client(t, srv.URL+"/base/", omp.WithHeader("X-Trace", "t1"), omp.WithUserAgent("ua/1"))
	if _, err := c.GetHealth(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetMemory(ctx(t), "a/b?c"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteMemory(ctx(t), "mem_x"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SearchMemoriesGet(ctx(t), omp.SearchMemoriesGetParams{Q: "a b&c", Tags: []string{"x", "y"}, Limit: omp.Ptr(5)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateMemory(ctx(t), createBody); err != nil {
		t.Fatal(err)
	}
	r := srv.requests()
	want := []struct{ method, path, query, auth, ctype string }{
		{"GET", "/base/v1/health", "", "", ""},
		{"GET", "/base/v1/memories/a%2Fb%3Fc", "", "Bearer k_test", ""},
		{"DELETE", "/base/v1/memories/mem_x", "", "Bearer k_test", ""},
		{"GET", "/base/v1/memories/search", "limit=5&q=a+b%26c&tags=x%2Cy", "Bearer k_test", ""},
		{"POST", "/base/v1/memories", "", "Bearer k_test", "application/json"},
	}
	for i, w := range want {
		got := r[i]
		if got.Method != w.method || got.Path != w.path || got.RawQuery != w.query || got.Header.Get("Authorization") != w.auth || got.Header.Get("Content-Type") != w.ctype {
			t.Errorf("request %d: %s %s ?%s auth=%q ct=%q", i, got.Method, got.Path, got.RawQuery, got.Header.Get("Authorization"), got.Header.Get("Content-Type"))
		}
		if got.Header.Get("Accept") != "application/json" || got.Header.Get("User-Agent") != "ua/1" || got.Header.Get("X-Trace") != "t1" {
			t.Errorf("request %d headers %v", i, got.Header)
		}
	}
}

// Bad arguments fail before anything is sent.
func TestArgumentsAndOptions(t *testing.T) {
	srv := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, health) })
	_, err := client(t, srv.URL).GetMemory(ctx(t), "")
	var ae *omp.ArgumentError
	if !errors.As(err, &ae) || !errors.Is(err, omp.ErrValidation) || ae.Argument != "id" {
		t.Fatalf("got %v", err)
	}
	if len(srv.requests()) != 0 {
		t.Fatal("a request was sent")
	}
	bad := []struct {
		name string
		url  string
		opt  omp.Option
	}{
		{"relative url", "/v1", nil},
		{"ftp url", "ftp://x", nil},
		{"query in url", "http://x/?a=1", nil},
		{"negative retries", "http://x", omp.WithMaxRetries(-1)},
		{"negative timeout", "http://x", omp.WithTimeout(-time.Second)},
		{"nil http client", "http://x", omp.WithHTTPClient(nil)},
		{"key with newline", "http://x", omp.WithAPIKey("a\nb")},
		{"authorization header", "http://x", omp.WithHeader("authorization", "x")},
		{"backoff max below initial", "http://x", omp.WithBackoff(time.Second, time.Millisecond)},
	}
	for _, b := range bad {
		opts := []omp.Option{}
		if b.opt != nil {
			opts = append(opts, b.opt)
		}
		if _, err := omp.NewClient(b.url, opts...); err == nil {
			t.Errorf("%s: no error", b.name)
		}
	}
}

// The generated files carry Go's generated-code marker and the repository header, and are gofmt-clean.
func TestGeneratedFiles(t *testing.T) {
	files, err := filepath.Glob("*_gen.go")
	if err != nil || len(files) < 2 {
		t.Fatalf("generated files: %v %v", files, err)
	}
	marker := regexp.MustCompile(`(?m)^// Code generated .* DO NOT EDIT\.$`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		head := string(src[:strings.Index(string(src), "package omp")])
		for _, want := range []string{"// Generator: generators/src/go/", "// Source hash: ", "// Regenerate: npm run generate"} {
			if !strings.Contains(head, want) {
				t.Errorf("%s: header lacks %q", f, want)
			}
		}
		if !marker.MatchString(head) {
			t.Errorf("%s: no Go generated-code marker", f)
		}
		formatted, err := format.Source(src)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if string(formatted) != string(src) {
			t.Errorf("%s is not gofmt-clean", f)
		}
	}
}

// A value the caller sets is sent even when it is a zero the server rejects; nil is not sent.
func TestExplicitZeroIsSent(t *testing.T) {
	srv := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 422, envelope("validation_error", "limit"))
	})
	c := client(t, srv.URL)
	_, err := c.ListMemories(ctx(t), &omp.ListMemoriesParams{Limit: omp.Ptr(0), Namespace: omp.Ptr("")})
	if !errors.Is(err, omp.ErrValidation) {
		t.Fatalf("got %v", err)
	}
	_, _ = c.ListMemories(ctx(t), &omp.ListMemoriesParams{})
	r := srv.requests()
	if r[0].RawQuery != "limit=0&namespace=" || r[1].RawQuery != "" {
		t.Fatalf("queries %q, %q", r[0].RawQuery, r[1].RawQuery)
	}
}
