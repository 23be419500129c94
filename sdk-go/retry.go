package omp

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"time"
)

// The retry policy of SPEC.md §9.3: clients retry only 408, 429, 500, 502 and 503 responses and connection
// failures, and only for requests that are safe to repeat (every GET, PUT and DELETE, search, and import
// under skip or overwrite, and create, import and bulk delete carrying an Idempotency-Key, see versions.go).
// A create without one is retried only when the request certainly did not reach the server: when no
// connection could be opened.

// retryableStatus reports whether a response status may be retried (for a retry-safe operation).
func retryableStatus(status int) bool {
	switch status {
	case 408, 429, 500, 502, 503:
		return true
	}
	return false
}

// neverSent reports whether err happened before any byte of the request left the machine: the name did
// not resolve or the connection could not be opened. Such a failure may be retried for any operation.
func neverSent(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// backoff computes waits between attempts.
type backoff struct {
	// initial is the wait before the first retry; it doubles for each next one, up to max.
	initial, max time.Duration
	// maxRetryAfter is the longest Retry-After the client accepts; a longer one ends the retries.
	maxRetryAfter time.Duration
}

// errNoTimeToRetry says the next attempt could not start before the call's deadline, or the server asked
// for a longer wait than the client accepts: the last failure is returned instead of waiting in vain.
var errNoTimeToRetry = errors.New("omp: no time left to retry")

// delay is the wait before retry number n (1-based): the server's Retry-After when given, else
// initial·2^(n-1) capped at max, minus up to 25 % jitter so that clients that failed together spread out.
func (b backoff) delay(n int, retryAfter time.Duration, hasRetryAfter bool, random float64) time.Duration {
	if hasRetryAfter {
		return retryAfter
	}
	d := b.initial
	for i := 1; i < n && d < b.max; i++ {
		d *= 2
	}
	d = min(d, b.max)
	return d - time.Duration(float64(d)*0.25*random)
}

// pause waits before retry number n. It returns errNoTimeToRetry when the wait is longer than the client
// accepts or would end after the context's deadline, and the context's error when it ends while waiting.
func (c *Client) pause(ctx context.Context, n int, retryAfter time.Duration, hasRetryAfter bool) error {
	if hasRetryAfter && retryAfter > c.backoff.maxRetryAfter {
		return errNoTimeToRetry
	}
	d := c.backoff.delay(n, retryAfter, hasRetryAfter, rand.Float64())
	if deadline, ok := ctx.Deadline(); ok && time.Now().Add(d).After(deadline) {
		return errNoTimeToRetry
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
