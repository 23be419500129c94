package omp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// operation is what a generated method asks the transport to send.
type operation struct {
	// id is the spec's operationId, used in errors.
	id     string
	method string
	// path is the request path with its parameters already escaped, e.g. /v1/memories/mem_x.
	path  string
	query url.Values
	// body is marshalled to JSON once and resent as is on every attempt; nil sends no body.
	body any
	// auth: send the API key.
	auth bool
	// retrySafe: repeating the request cannot change the outcome (SPEC.md §9.3).
	retrySafe bool
	// idempotencyKey: the operation accepts an Idempotency-Key (SPEC.md §5.9), which makes it safe to repeat.
	idempotencyKey bool
	// conditional: the operation accepts If-Match (SPEC.md §5.8).
	conditional bool
}

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 1 << 20

// do sends op under one deadline, retrying as the policy allows, and decodes a 2xx JSON body into out
// (nil for none). It returns *APIError, *ConnectionError, *TimeoutError, *DecodeError or the context's
// cancellation error.
func (c *Client) do(ctx context.Context, op *operation, out any) error {
	if ctx == nil {
		return fmt.Errorf("omp: %s: nil context", op.id)
	}
	var payload []byte
	if op.body != nil {
		var err error
		if payload, err = json.Marshal(op.body); err != nil {
			return fmt.Errorf("omp: %s: encoding request body: %w", op.id, err)
		}
	}
	opts := optionsOf(ctx)
	extra, safe, err := c.versionHeaders(ctx, op, opts)
	if err != nil {
		return err
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	target := c.url(op)

	var last error
	for attempt := 1; ; attempt++ {
		resp, err := c.send(ctx, op, target, payload, extra)
		if err == nil && extra.Get("OMP-Version") == "" {
			c.negotiation.fromHeader(resp.Header.Get("OMP-Version"))
		}
		if err != nil {
			if ctx.Err() != nil {
				return c.stopped(ctx, op, attempt, last)
			}
			var refused *RedirectError
			if errors.As(err, &refused) {
				refused.Operation = op.id
				return refused
			}
			last = &ConnectionError{Operation: op.id, Attempts: attempt, Err: err}
			if attempt > c.maxRetries || !(safe || neverSent(err)) {
				return last
			}
			if err := c.pause(ctx, attempt, 0, false); err != nil {
				return c.waitFailed(ctx, op, attempt, last, err)
			}
			continue
		}
		if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
			data, err := decode(resp, out)
			if err == nil {
				if op.path == healthPath {
					c.negotiation.fromHealth(data)
				}
				if opts.info != nil {
					opts.info.Status, opts.info.Header = resp.StatusCode, resp.Header.Clone()
				}
				return nil
			}
			if ctx.Err() != nil {
				return c.stopped(ctx, op, attempt, last)
			}
			var syntax *DecodeError
			if errors.As(err, &syntax) {
				syntax.Operation = op.id
				return syntax
			}
			// The body was cut short: the server processed the request, so only a safe one is repeated.
			last = &ConnectionError{Operation: op.id, Attempts: attempt, Err: err}
			if attempt > c.maxRetries || !safe {
				return last
			}
			if err := c.pause(ctx, attempt, 0, false); err != nil {
				return c.waitFailed(ctx, op, attempt, last, err)
			}
			continue
		}
		body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		if readErr != nil && ctx.Err() != nil {
			return c.stopped(ctx, op, attempt, last)
		}
		// An error body cut short still tells the status.
		apiErr := newAPIError(op.id, resp.StatusCode, resp.Header, body)
		last = apiErr
		if attempt > c.maxRetries || !safe || !retryableStatus(resp.StatusCode) {
			return apiErr
		}
		wait, hasWait := retryAfter(resp.Header, time.Now())
		if err := c.pause(ctx, attempt, wait, hasWait); err != nil {
			return c.waitFailed(ctx, op, attempt, last, err)
		}
	}
}

// url is the request URL of op.
func (c *Client) url(op *operation) string {
	s := c.base.String() + op.path
	if q := op.query.Encode(); q != "" {
		s += "?" + q
	}
	return s
}

// send makes one attempt, following redirects under the policy of redirect.go (OMP-CLIENT-008).
func (c *Client) send(ctx context.Context, op *operation, target string, payload []byte, extra http.Header) (*http.Response, error) {
	cur := hop{method: op.method, target: target, body: payload}
	for hops := 0; ; hops++ {
		resp, err := c.sendOne(ctx, op, cur, extra)
		if err != nil {
			return nil, err
		}
		next, err := nextHop(resp, cur, hops)
		if next == nil || err != nil {
			if err != nil {
				discard(resp)
				return nil, err
			}
			return resp, nil
		}
		discard(resp)
		cur = *next
	}
}

// sendOne sends one request of an attempt; the key goes only to the configured origin.
func (c *Client) sendOne(ctx context.Context, op *operation, h hop, extra http.Header) (*http.Response, error) {
	target, payload := h.target, h.body
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, h.method, target, body)
	if err != nil {
		return nil, err
	}
	if body == nil && h.method == http.MethodGet {
		// net/http re-sends a body-less GET by itself when a reused keep-alive connection fails before the
		// response (Transport.shouldRetryRequest), outside this client's retry budget and policy. An empty
		// body that cannot be rewound makes the request non-replayable, so every attempt is exactly one
		// request on the wire; on the wire nothing changes (the transport finds the body empty and sends
		// none). A stale connection is then retried by the policy in retry.go like any connection failure.
		req.Body = io.NopCloser(http.NoBody)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	for k, v := range extra {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if op.auth && c.apiKey != "" && sameOrigin(c.base, target) {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	return c.httpClient.Do(req)
}

// decode reads a 2xx body into out and returns it. A read failure is returned as is (a connection
// problem), a JSON failure as *DecodeError.
func decode(resp *http.Response, out any) ([]byte, error) {
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return data, nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return nil, &DecodeError{Status: resp.StatusCode, Err: err}
	}
	return data, nil
}

// stopped is the error of a call whose context ended: a *TimeoutError for a deadline, else the
// cancellation cause wrapped with the operation.
func (c *Client) stopped(ctx context.Context, op *operation, attempts int, last error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &TimeoutError{Operation: op.id, Attempts: attempts, Last: last}
	}
	return fmt.Errorf("omp: %s: %w", op.id, context.Cause(ctx))
}

// waitFailed maps a failed pause: the context ended during the wait, or the wait could not fit before the
// deadline (then the last failure is the honest answer).
func (c *Client) waitFailed(ctx context.Context, op *operation, attempts int, last, err error) error {
	if errors.Is(err, errNoTimeToRetry) {
		return last
	}
	return c.stopped(ctx, op, attempts, last)
}
