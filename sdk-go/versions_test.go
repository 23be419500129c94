package omp_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	omp "github.com/omp-kit/omp-kit/sdk-go"
)

// health04 is the health body of a server that implements 0.3 and 0.4.
var health04 = map[string]any{"status": "ok", "version": "0.4", "versions": []string{"0.3", "0.4"}}

// A create first reads health once, then carries OMP-Version and an Idempotency-Key, and its retry reuses the key.
func TestKeyedCreateIsRetriedWithOneKey(t *testing.T) {
	srv := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		switch n {
		case 0:
			writeJSON(w, 200, health04)
		case 1:
			writeJSON(w, 503, envelope("unavailable", "later"))
		default:
			writeJSON(w, 201, memory("mem_a"))
		}
	})
	c, err := omp.NewClient(srv.URL, omp.WithAPIKey("k"), omp.WithBackoff(time.Millisecond, 2*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateMemory(ctx(t), createBody); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if len(reqs) != 3 || reqs[0].Path != "/v1/health" || reqs[0].Header.Get("OMP-Version") != "" {
		t.Fatalf("requests %+v", reqs)
	}
	key := reqs[1].Header.Get("Idempotency-Key")
	if key == "" || reqs[2].Header.Get("Idempotency-Key") != key || reqs[1].Header.Get("OMP-Version") != "0.4" || c.SpecVersion() != "0.4" {
		t.Fatalf("headers %v then %v", reqs[1].Header, reqs[2].Header)
	}
}

// Against a 0.3 server nothing of 0.4 is sent, and If-Match is refused before any request.
func TestA03ServerGetsNo04Header(t *testing.T) {
	srv := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 0 {
			writeJSON(w, 200, map[string]any{"status": "ok", "version": "0.3"})
			return
		}
		writeJSON(w, 201, memory("mem_a"))
	})
	c, err := omp.NewClient(srv.URL, omp.WithAPIKey("k"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateMemory(ctx(t), createBody); err != nil {
		t.Fatal(err)
	}
	err = c.DeleteMemory(omp.WithIfMatch(ctx(t), `"e1"`), "mem_a")
	if !errors.Is(err, omp.ErrValidation) || c.SpecVersion() != "0.3" {
		t.Fatalf("got %v, version %q", err, c.SpecVersion())
	}
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, h := range []string{"OMP-Version", "Idempotency-Key", "If-Match"} {
		if reqs[1].Header.Get(h) != "" {
			t.Fatalf("%s sent to a 0.3 server", h)
		}
	}
}

// A 412 matches ErrPreconditionFailed; the ETag of a get is reported, and the version learnt from its header.
func TestETagAndPreconditionFailed(t *testing.T) {
	srv := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("OMP-Version", "0.4")
		if n == 0 {
			w.Header().Set("ETag", `"v2"`)
			writeJSON(w, 200, memory("mem_a"))
			return
		}
		writeJSON(w, 412, envelope("precondition_failed", "changed"))
	})
	c, err := omp.NewClient(srv.URL, omp.WithAPIKey("k"))
	if err != nil {
		t.Fatal(err)
	}
	var info omp.ResponseInfo
	if _, err := c.GetMemory(omp.WithResponseInfo(ctx(t), &info), "mem_a"); err != nil || info.ETag() != `"v2"` {
		t.Fatalf("got %v, etag %q", err, info.ETag())
	}
	_, err = c.UpdateMemory(omp.WithIfMatch(ctx(t), `"v1"`), "mem_a", omp.UpdateMemoryRequest{Content: omp.Ptr("y")})
	if !errors.Is(err, omp.ErrPreconditionFailed) {
		t.Fatalf("got %v", err)
	}
	if r := srv.requests()[1]; r.Header.Get("If-Match") != `"v1"` || r.Header.Get("OMP-Version") != "0.4" {
		t.Fatalf("headers %v", r.Header)
	}
}
