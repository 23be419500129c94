package omp_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	omp "github.com/omp-kit/omp-kit/sdk-go"
)

// Every status maps to exactly one kind sentinel (or none), whatever the error code says.
func TestAPIErrorKindByStatus(t *testing.T) {
	kinds := []error{omp.ErrValidation, omp.ErrAuthentication, omp.ErrPermission, omp.ErrNotFound, omp.ErrRateLimited, omp.ErrServer, omp.ErrConnection, omp.ErrTimeout}
	cases := []struct {
		name   string
		status int
		code   string
		want   error
	}{
		{"malformed json", 400, "malformed_json", omp.ErrValidation},
		{"unauthorized", 401, "unauthorized", omp.ErrAuthentication},
		{"forbidden", 403, "forbidden", omp.ErrPermission},
		{"memory not found", 404, "memory_not_found", omp.ErrNotFound},
		{"route not found", 404, "not_found", omp.ErrNotFound},
		{"method not allowed", 405, "method_not_allowed", nil},
		{"too large", 413, "payload_too_large", omp.ErrValidation},
		{"media type", 415, "unsupported_media_type", omp.ErrValidation},
		{"validation", 422, "validation_error", omp.ErrValidation},
		{"unknown 422 code", 422, "brand_new_code", omp.ErrValidation},
		{"rate limited", 429, "rate_limited", omp.ErrRateLimited},
		{"internal", 500, "internal_error", omp.ErrServer},
		{"ai", 502, "ai_error", omp.ErrServer},
		{"unavailable", 503, "unavailable", omp.ErrServer},
		{"unknown 5xx", 599, "x_vendor", omp.ErrServer},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, tc.status, envelope(tc.code, "m"))
			})
			_, err := client(t, srv.URL, omp.WithMaxRetries(0)).GetMemory(ctx(t), "mem_x")
			var apiErr *omp.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("got %T %v, want *APIError", err, err)
			}
			if apiErr.Status != tc.status || apiErr.Code != tc.code || apiErr.Message != "m" {
				t.Fatalf("got %d %q %q", apiErr.Status, apiErr.Code, apiErr.Message)
			}
			for _, k := range kinds {
				if got := errors.Is(err, k); got != (k == tc.want) {
					t.Errorf("errors.Is(err, %v) = %v", k, got)
				}
			}
		})
	}
}

// The envelope's members, the request id (envelope first, header second) and the headers reach the error.
func TestAPIErrorCarriesEnvelopeAndHeaders(t *testing.T) {
	srv := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Request-Id", "req_header")
		w.Header().Set("Www-Authenticate", `Bearer realm="omp"`)
		body := map[string]any{
			"error": "validation_error", "message": "Request body is invalid",
			"details": map[string]any{"errors": []any{
				map[string]any{"path": "/source/tool", "message": "is required"},
				map[string]any{"path": "/tags/0", "message": "must match pattern"},
			}},
		}
		if n == 0 {
			body["request_id"] = "req_envelope"
		}
		writeJSON(w, 422, body)
	})
	c := client(t, srv.URL)
	_, err := c.CreateMemory(ctx(t), omp.CreateMemoryRequest{Content: "x", Type: omp.MemoryTypeSemantic, Source: omp.Source{Tool: "t"}})
	var e *omp.APIError
	if !errors.As(err, &e) {
		t.Fatalf("got %v", err)
	}
	if e.RequestID != "req_envelope" || e.Header.Get("WWW-Authenticate") != `Bearer realm="omp"` || e.Operation != "createMemory" {
		t.Fatalf("got %+v", e)
	}
	want := []omp.Violation{{Path: "/source/tool", Message: "is required"}, {Path: "/tags/0", Message: "must match pattern"}}
	got := e.Violations()
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("violations %+v", got)
	}
	_, err = c.CreateMemory(ctx(t), omp.CreateMemoryRequest{Content: "x", Type: omp.MemoryTypeSemantic, Source: omp.Source{Tool: "t"}})
	if !errors.As(err, &e) || e.RequestID != "req_header" {
		t.Fatalf("request id from header: %v", err)
	}
	if msg := e.Error(); msg != "omp: createMemory: 422 validation_error: Request body is invalid (request id req_header)" {
		t.Fatalf("Error() = %q", msg)
	}
}

// A body that is not an envelope (a proxy's HTML page, an empty body) still gives a typed error.
func TestAPIErrorFromNonEnvelope(t *testing.T) {
	cases := []struct {
		name, body, wantCode, wantMessage string
		status                            int
	}{
		{"html gateway page", "<html>Bad Gateway</html>", "http_502", "Bad Gateway: <html>Bad Gateway</html>", 502},
		{"empty", "", "http_404", "Not Found", 404},
		{"json without error member", `{"message":"x"}`, "http_400", `Bad Request: {"message":"x"}`, 400},
		{"envelope with malformed details", `{"error":"odd","message":"m","details":[1]}`, "odd", "m", 409},
		{"long non-UTF-8-safe cut", strings.Repeat("é", 300), "http_500", "Internal Server Error: " + strings.Repeat("é", 200) + "…", 500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			_, err := client(t, srv.URL, omp.WithMaxRetries(0)).GetHealth(ctx(t))
			var e *omp.APIError
			if !errors.As(err, &e) || e.Code != tc.wantCode || e.Message != tc.wantMessage || e.Details == nil {
				t.Fatalf("got %#v", err)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	future := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	cases := []struct {
		name, header string
		ok           bool
		min, max     time.Duration
	}{
		{"seconds", "3", true, 3 * time.Second, 3 * time.Second},
		{"zero", "0", true, 0, 0},
		{"http date", future, true, 80 * time.Second, 91 * time.Second},
		{"past date", "Wed, 21 Oct 2015 07:28:00 GMT", true, 0, 0},
		{"negative", "-1", false, 0, 0},
		{"garbage", "soon", false, 0, 0},
		{"absent", "", false, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := &omp.APIError{Header: http.Header{}}
			if tc.header != "" {
				e.Header.Set("Retry-After", tc.header)
			}
			d, ok := e.RetryAfter()
			if ok != tc.ok || d < tc.min || d > tc.max {
				t.Fatalf("RetryAfter() = %v, %v", d, ok)
			}
		})
	}
}

// A 2xx body that is not the operation's JSON is a *DecodeError, not retried.
func TestDecodeError(t *testing.T) {
	srv := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status": 5`))
	})
	_, err := client(t, srv.URL).GetHealth(ctx(t))
	var d *omp.DecodeError
	if !errors.As(err, &d) || d.Status != 200 || d.Operation != "getHealth" {
		t.Fatalf("got %#v", err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}
