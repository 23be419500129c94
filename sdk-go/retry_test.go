package omp_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	omp "github.com/omp-kit/omp-kit/sdk-go"
)

var createBody = omp.CreateMemoryRequest{Content: "x", Type: omp.MemoryTypeSemantic, Source: omp.Source{Tool: "t"}}

var exportFile = omp.ExportFile{OMPVersion: "0.3", ExportedAt: "2026-01-01T00:00:00Z", Server: omp.ExportFileServer{String: omp.Ptr("s")}, Memories: []omp.ExportItem{}}

// Which operations are retried after which statuses (SPEC.md §9.3), and how many requests that makes with
// two retries allowed.
func TestRetryPolicyByOperationAndStatus(t *testing.T) {
	type call func(c *omp.Client) error
	ops := map[string]call{
		"getHealth": func(c *omp.Client) error { _, err := c.GetHealth(ctx(t)); return err },
		"listMemories": func(c *omp.Client) error {
			_, err := c.ListMemories(ctx(t), nil)
			return err
		},
		"updateMemory": func(c *omp.Client) error {
			_, err := c.UpdateMemory(ctx(t), "mem_x", omp.UpdateMemoryRequest{Content: omp.Ptr("y")})
			return err
		},
		"deleteMemory":   func(c *omp.Client) error { return c.DeleteMemory(ctx(t), "mem_x") },
		"searchMemories": func(c *omp.Client) error { _, err := c.SearchMemories(ctx(t), omp.SearchRequest{Q: "x"}); return err },
		"importSkip": func(c *omp.Client) error {
			_, err := c.ImportMemories(ctx(t), exportFile, &omp.ImportMemoriesParams{Conflict: omp.Ptr(omp.ConflictStrategySkip)})
			return err
		},
		"importDefault": func(c *omp.Client) error { _, err := c.ImportMemories(ctx(t), exportFile, nil); return err },
		"importDuplicateQuery": func(c *omp.Client) error {
			_, err := c.ImportMemories(ctx(t), exportFile, &omp.ImportMemoriesParams{Conflict: omp.Ptr(omp.ConflictStrategyDuplicate)})
			return err
		},
		"importDuplicateBody": func(c *omp.Client) error {
			f := exportFile
			f.Conflict = omp.Ptr(omp.ConflictStrategyDuplicate)
			_, err := c.ImportMemories(ctx(t), f, nil)
			return err
		},
		"createMemory": func(c *omp.Client) error { _, err := c.CreateMemory(ctx(t), createBody); return err },
	}
	safe := map[string]bool{"getHealth": true, "listMemories": true, "updateMemory": true, "deleteMemory": true, "searchMemories": true, "importSkip": true, "importDefault": true}
	retried := map[int]bool{408: true, 429: true, 500: true, 502: true, 503: true}
	for name, op := range ops {
		for _, status := range []int{400, 404, 408, 409, 429, 500, 501, 502, 503, 504} {
			t.Run(name+"/"+strconv.Itoa(status), func(t *testing.T) {
				srv := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
					writeJSON(w, status, envelope("x", "m"))
				})
				err := op(client(t, srv.URL, omp.WithMaxRetries(2)))
				var e *omp.APIError
				if !errors.As(err, &e) || e.Status != status {
					t.Fatalf("got %v", err)
				}
				want := 1
				if safe[name] && retried[status] {
					want = 3
				}
				if n := len(srv.requests()); n != want {
					t.Fatalf("%d requests, want %d", n, want)
				}
			})
		}
	}
}

// A retried request is sent again whole: same method, path, query, body and key.
func TestRetryResendsTheSameRequest(t *testing.T) {
	srv := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n < 2 {
			writeJSON(w, 503, envelope("unavailable", "later"))
			return
		}
		writeJSON(w, 200, map[string]any{"imported": 0, "skipped": 0, "errors": []any{}})
	})
	res, err := client(t, srv.URL).ImportMemories(ctx(t), exportFile, &omp.ImportMemoriesParams{Conflict: omp.Ptr(omp.ConflictStrategyOverwrite)})
	if err != nil || res.Imported != 0 {
		t.Fatalf("got %v %v", res, err)
	}
	reqs := srv.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, r := range reqs[1:] {
		if r.Body != reqs[0].Body || r.RawQuery != "conflict=overwrite" || r.Header.Get("Authorization") != "Bearer k_test" || r.Method != "POST" {
			t.Fatalf("retry differs: %+v vs %+v", r, reqs[0])
		}
	}
}

// Retry-After is honoured: a wait the deadline allows is taken; one longer than 60 s or past the deadline
// ends the retries with the server's error.
func TestRetryAfterHeader(t *testing.T) {
	t.Run("honoured", func(t *testing.T) {
		srv := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 0 {
				w.Header().Set("Retry-After", "1")
				writeJSON(w, 429, envelope("rate_limited", "slow down"))
				return
			}
			writeJSON(w, 200, health)
		})
		start := time.Now()
		if _, err := client(t, srv.URL).GetHealth(ctx(t)); err != nil {
			t.Fatal(err)
		}
		// The backoff is 1-4 ms, so only the header explains a wait of a second.
		if waited := time.Since(start); waited < time.Second {
			t.Fatalf("retried after %v, before Retry-After: 1", waited)
		}
	})
	for _, tc := range []struct {
		name, header string
		timeout      time.Duration
	}{{"longer than 60 s", "120", 10 * time.Second}, {"past the deadline", "5", 500 * time.Millisecond}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", tc.header)
				writeJSON(w, 503, envelope("unavailable", "maintenance"))
			})
			_, err := client(t, srv.URL, omp.WithTimeout(tc.timeout)).GetHealth(ctx(t))
			var e *omp.APIError
			if !errors.As(err, &e) || e.Status != 503 || !errors.Is(err, omp.ErrServer) {
				t.Fatalf("got %v", err)
			}
			if d, ok := e.RetryAfter(); !ok || d < 5*time.Second {
				t.Fatalf("RetryAfter %v %v", d, ok)
			}
			if n := len(srv.requests()); n != 1 {
				t.Fatalf("%d requests, want 1", n)
			}
		})
	}
}

// A connection refused before anything was sent is retried even for a create; the final error is a
// *ConnectionError wrapping the *net.OpError.
func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	attempts := 0
	hc := &http.Client{Transport: countingTransport{&attempts, http.DefaultTransport}}
	_, err = client(t, "http://"+addr, omp.WithHTTPClient(hc), omp.WithMaxRetries(3)).CreateMemory(ctx(t), createBody)
	var ce *omp.ConnectionError
	var op *net.OpError
	if !errors.As(err, &ce) || !errors.As(err, &op) || !errors.Is(err, omp.ErrConnection) || errors.Is(err, omp.ErrTimeout) {
		t.Fatalf("got %T %v", err, err)
	}
	if attempts != 4 || ce.Attempts != 4 {
		t.Fatalf("%d attempts (error says %d), want 4", attempts, ce.Attempts)
	}
}

type countingTransport struct {
	n    *int
	next http.RoundTripper
}

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	*c.n++
	return c.next.RoundTrip(r)
}

// A connection dropped after the request was sent is retried for a safe operation, never for a create.
func TestDroppedConnection(t *testing.T) {
	drop := func(w http.ResponseWriter) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}
	t.Run("get is retried", func(t *testing.T) {
		srv := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n < 2 {
				drop(w)
				return
			}
			writeJSON(w, 200, health)
		})
		if _, err := client(t, srv.URL).GetHealth(ctx(t)); err != nil {
			t.Fatal(err)
		}
		if n := len(srv.requests()); n != 3 {
			t.Fatalf("%d requests, want 3", n)
		}
	})
	t.Run("create is not", func(t *testing.T) {
		srv := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request) { drop(w) })
		_, err := client(t, srv.URL).CreateMemory(ctx(t), createBody)
		if !errors.Is(err, omp.ErrConnection) {
			t.Fatalf("got %v", err)
		}
		if n := len(srv.requests()); n != 1 {
			t.Fatalf("%d requests, want 1", n)
		}
	})
	t.Run("body cut short", func(t *testing.T) {
		srv := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 0 {
				w.Header().Set("Content-Length", "500")
				w.WriteHeader(200)
				_, _ = w.Write([]byte(`{"status":`))
				w.(http.Flusher).Flush()
				drop(w)
				return
			}
			writeJSON(w, 200, health)
		})
		h, err := client(t, srv.URL).GetHealth(ctx(t))
		if err != nil || h.Status != omp.HealthStatusOK {
			t.Fatalf("got %v %v", h, err)
		}
		if n := len(srv.requests()); n != 2 {
			t.Fatalf("%d requests, want 2", n)
		}
	})
}

// WithTimeout bounds the whole call; the error matches ErrTimeout and context.DeadlineExceeded.
func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv := newRecorder(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	_, err := client(t, srv.URL, omp.WithTimeout(100*time.Millisecond)).GetHealth(ctx(t))
	var te *omp.TimeoutError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, omp.ErrTimeout) || errors.Is(err, omp.ErrConnection) {
		t.Fatalf("got %T %v", err, err)
	}
	if te.Operation != "getHealth" || te.Attempts != 1 {
		t.Fatalf("got %+v", te)
	}
}

// The caller's own deadline and cancellation stop the call too.
func TestCallerContext(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv := newRecorder(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	c := client(t, srv.URL)
	dctx, cancel := context.WithTimeout(ctx(t), 50*time.Millisecond)
	defer cancel()
	if _, err := c.GetHealth(dctx); !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, omp.ErrTimeout) {
		t.Fatalf("deadline: got %v", err)
	}
	cctx, cancel2 := context.WithCancel(ctx(t))
	time.AfterFunc(50*time.Millisecond, cancel2)
	_, err := c.GetHealth(cctx)
	if !errors.Is(err, context.Canceled) || errors.Is(err, omp.ErrTimeout) || errors.Is(err, omp.ErrConnection) {
		t.Fatalf("cancel: got %v", err)
	}
}

// One deadline covers every attempt and wait: retries stop when the next could not finish in time.
func TestOneDeadlineAcrossRetries(t *testing.T) {
	srv := newRecorder(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 503, envelope("unavailable", "down"))
	})
	c := client(t, srv.URL, omp.WithMaxRetries(50), omp.WithBackoff(40*time.Millisecond, 40*time.Millisecond), omp.WithTimeout(200*time.Millisecond))
	_, err := c.GetHealth(ctx(t))
	if !errors.Is(err, omp.ErrServer) && !errors.Is(err, omp.ErrTimeout) {
		t.Fatalf("got %v", err)
	}
	// 50 retries at >= 30 ms each would take 1.5 s; a 200 ms deadline leaves room for at most 7 attempts.
	if n := len(srv.requests()); n > 7 {
		t.Fatalf("%d requests within a 200 ms deadline", n)
	}
}

// net/http's own silent re-send of a GET on a reused connection is off: WithMaxRetries(n) means at most n+1
// requests on the wire.
func TestNoHiddenTransportRetry(t *testing.T) {
	srv := newRecorder(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		writeJSON(w, 200, health)
	})
	c := client(t, srv.URL, omp.WithMaxRetries(0))
	if _, err := c.GetHealth(ctx(t)); err != nil {
		t.Fatal(err)
	}
	// The second call reuses the first one's keep-alive connection, which the server then drops.
	if _, err := c.GetHealth(ctx(t)); !errors.Is(err, omp.ErrConnection) {
		t.Fatalf("got %v, want a connection error", err)
	}
	if n := len(srv.requests()); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
	if h := srv.requests()[1].Header; h.Get("Content-Length") != "" || h.Get("Transfer-Encoding") != "" {
		t.Fatalf("a GET carried body headers: %v", h)
	}
}
