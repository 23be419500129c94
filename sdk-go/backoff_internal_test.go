package omp

import (
	"io"
	"net"
	"net/url"
	"syscall"
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	b := backoff{initial: 500 * time.Millisecond, max: 8 * time.Second}
	cases := []struct {
		name       string
		n          int
		retryAfter time.Duration
		has        bool
		random     float64
		want       time.Duration
	}{
		{"first retry, no jitter", 1, 0, false, 0, 500 * time.Millisecond},
		{"doubles", 3, 0, false, 0, 2 * time.Second},
		{"capped", 10, 0, false, 0, 8 * time.Second},
		{"full jitter takes 25 % off", 2, 0, false, 1, 750 * time.Millisecond},
		{"half jitter", 1, 0, false, 0.5, 437500 * time.Microsecond},
		{"Retry-After replaces the backoff", 1, 3 * time.Second, true, 0.9, 3 * time.Second},
		{"Retry-After 0", 4, 0, true, 0.9, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := b.delay(tc.n, tc.retryAfter, tc.has, tc.random); got != tc.want {
				t.Fatalf("delay = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestNeverSent(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"dial refused", &url.Error{Op: "Post", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}, true},
		{"dns", &url.Error{Op: "Post", Err: &net.DNSError{Err: "no such host", IsNotFound: true}}, true},
		{"reset while reading", &url.Error{Op: "Post", Err: &net.OpError{Op: "read", Err: syscall.ECONNRESET}}, false},
		{"eof", &url.Error{Op: "Post", Err: io.EOF}, false},
	}
	for _, tc := range cases {
		if got := neverSent(tc.err); got != tc.want {
			t.Errorf("%s: neverSent = %v", tc.name, got)
		}
	}
}
