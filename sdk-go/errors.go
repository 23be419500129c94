package omp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Kind sentinels. Every error the client returns matches at most one of them with [errors.Is]:
//
//	if errors.Is(err, omp.ErrNotFound) { ... }
//
// [*APIError] matches the kind of its status; [*ConnectionError] matches [ErrConnection]; a call whose
// deadline passed matches [ErrTimeout] and [context.DeadlineExceeded].
var (
	// ErrValidation: the request was wrong (400 malformed_json; 413; 415; 422 validation_error,
	// unsupported_version, no_api_key). Fix the request; retrying cannot help.
	ErrValidation = errors.New("omp: validation error")
	// ErrAuthentication: 401, the API key is missing, malformed or unknown.
	ErrAuthentication = errors.New("omp: authentication error")
	// ErrPermission: 403, the key lacks a scope or is bound to another tool.
	ErrPermission = errors.New("omp: permission error")
	// ErrNotFound: 404, the memory does not exist, has expired or is not visible to this key (or the
	// server does not offer the endpoint).
	ErrNotFound = errors.New("omp: not found")
	// ErrConflict: 409, a request with the same Idempotency-Key is still being processed.
	ErrConflict = errors.New("omp: conflict")
	// ErrPreconditionFailed: 412 precondition_failed, the memory changed since the ETag given with
	// [WithIfMatch] (or a bulk delete's expected_count differs); nothing changed.
	ErrPreconditionFailed = errors.New("omp: precondition failed")
	// ErrRateLimited: 429, too many requests for this key; see [APIError.RetryAfter].
	ErrRateLimited = errors.New("omp: rate limited")
	// ErrServer: 5xx, the server (or a gateway in front of it) failed.
	ErrServer = errors.New("omp: server error")
	// ErrConnection: no response arrived (refused, reset or dropped connection, DNS, TLS, a body cut short).
	ErrConnection = errors.New("omp: connection error")
	// ErrTimeout: the call's deadline ([WithTimeout] or the context's) passed, retries included.
	ErrTimeout = errors.New("omp: timeout")
)

// APIError is an error response of an OMP server: any non-2xx status. Use [errors.As] to read it and
// [errors.Is] with a kind sentinel (ErrNotFound, ErrValidation, ...) to branch on what went wrong; an error
// code this SDK does not know is classified by its status (OMP-CLIENT-002).
type APIError struct {
	// Status is the HTTP status code.
	Status int
	// Code is the envelope's "error" member (e.g. "memory_not_found"), or "http_<status>" when the body
	// was not an error envelope (a proxy's HTML page, an empty body).
	Code string
	// Message is the envelope's human-readable "message" (or the start of a non-envelope body).
	Message string
	// Details is the envelope's "details" object (never nil).
	Details map[string]any
	// RequestID identifies the request in the server's logs: the envelope's "request_id", else the
	// X-Request-Id header; empty when the server sent neither.
	RequestID string
	// Header holds the response headers (Retry-After, WWW-Authenticate, Allow, ...).
	Header http.Header
	// Operation is the operationId of the call that failed, e.g. "getMemory".
	Operation string
}

// Error formats the status, code, message and request id.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "omp: %s: %d %s: %s", e.Operation, e.Status, e.Code, e.Message)
	if e.RequestID != "" {
		fmt.Fprintf(&b, " (request id %s)", e.RequestID)
	}
	return b.String()
}

// Is reports whether target is the kind sentinel of e's status.
func (e *APIError) Is(target error) bool {
	k := e.kind()
	return k != nil && target == k
}

// kind is the sentinel of e's status, or nil for a status outside the taxonomy (405, 408, ...).
func (e *APIError) kind() error {
	switch {
	case e.Status == 400 || e.Status == 413 || e.Status == 415 || e.Status == 422:
		return ErrValidation
	case e.Status == 401:
		return ErrAuthentication
	case e.Status == 403:
		return ErrPermission
	case e.Status == 404:
		return ErrNotFound
	case e.Status == 409:
		return ErrConflict
	case e.Status == 412:
		return ErrPreconditionFailed
	case e.Status == 429:
		return ErrRateLimited
	case e.Status >= 500 && e.Status <= 599:
		return ErrServer
	}
	return nil
}

// Violation is one entry of a validation_error's details.errors.
type Violation struct {
	// Path is a JSON Pointer into the body (/source/tool) or "?" and a query parameter name (?limit).
	Path string `json:"path"`
	// Message says what is wrong with it.
	Message string `json:"message"`
}

// Violations lists details.errors of a validation_error; nil when the server listed none.
func (e *APIError) Violations() []Violation {
	raw, ok := e.Details["errors"].([]any)
	if !ok {
		return nil
	}
	out := make([]Violation, 0, len(raw))
	for _, item := range raw {
		m, _ := item.(map[string]any)
		p, _ := m["path"].(string)
		msg, _ := m["message"].(string)
		out = append(out, Violation{Path: p, Message: msg})
	}
	return out
}

// RetryAfter is the wait the server asked for in its Retry-After header (delta-seconds or an HTTP date);
// false when the header is absent or unusable.
func (e *APIError) RetryAfter() (time.Duration, bool) {
	return retryAfter(e.Header, time.Now())
}

// retryAfter parses a Retry-After header value (RFC 9110 §10.2.3) relative to now; a past date gives 0.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(0, at.Sub(now)), true
}

// newAPIError builds the error of a non-2xx response from its status, headers and body (any bytes).
func newAPIError(op string, status int, header http.Header, body []byte) *APIError {
	e := &APIError{Status: status, Header: header, Operation: op, Details: map[string]any{}}
	// Each member is taken when it has the right type, so one malformed member does not hide the others.
	var env map[string]any
	code, isEnvelope := "", false
	if json.Unmarshal(body, &env) == nil {
		code, isEnvelope = env["error"].(string)
	}
	if isEnvelope {
		e.Code = code
		e.Message, _ = env["message"].(string)
		if d, ok := env["details"].(map[string]any); ok {
			e.Details = d
		}
		e.RequestID, _ = env["request_id"].(string)
	} else {
		// Not an envelope: keep the status and a short, printable excerpt of what came instead.
		e.Code = "http_" + strconv.Itoa(status)
		e.Message = http.StatusText(status)
		if s := strings.TrimSpace(string(body)); s != "" {
			if r := []rune(s); len(r) > 200 {
				s = string(r[:200]) + "…"
			}
			e.Message += ": " + s
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	if e.RequestID == "" {
		e.RequestID = header.Get("X-Request-Id")
	}
	return e
}

// ConnectionError says no HTTP response arrived: the connection was refused, reset or dropped, the name did
// not resolve, TLS failed, or a response body was cut short. Err is the underlying (usually net) error, so
// [errors.As] reaches *net.OpError, *net.DNSError and friends.
type ConnectionError struct {
	// Operation is the operationId of the call that failed.
	Operation string
	// Attempts is how many times the request was sent.
	Attempts int
	// Err is the last attempt's failure.
	Err error
}

// Error names the operation, the attempt count and the cause.
func (e *ConnectionError) Error() string {
	return fmt.Sprintf("omp: %s: connection failed after %d attempt(s): %v", e.Operation, e.Attempts, e.Err)
}

// Unwrap returns the underlying failure.
func (e *ConnectionError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrConnection].
func (e *ConnectionError) Is(target error) bool { return target == ErrConnection }

// TimeoutError says the call's single deadline passed before it finished, retries and waits included. It
// matches [ErrTimeout] and [context.DeadlineExceeded] with [errors.Is].
type TimeoutError struct {
	// Operation is the operationId of the call that timed out.
	Operation string
	// Attempts is how many times the request was sent.
	Attempts int
	// Last is the failure of the last finished attempt before the deadline, if any (for diagnosis).
	Last error
}

// Error names the operation and the attempt count.
func (e *TimeoutError) Error() string {
	s := fmt.Sprintf("omp: %s: deadline exceeded after %d attempt(s)", e.Operation, e.Attempts)
	if e.Last != nil {
		s += " (last failure: " + e.Last.Error() + ")"
	}
	return s
}

// Unwrap returns context.DeadlineExceeded, so errors.Is(err, context.DeadlineExceeded) holds.
func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }

// Is reports whether target is [ErrTimeout].
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// DecodeError says a 2xx response's body was not the JSON the operation returns.
type DecodeError struct {
	// Operation is the operationId of the call.
	Operation string
	// Status is the HTTP status of the response.
	Status int
	// Err is the decoding failure.
	Err error
}

// Error names the operation and the decoding failure.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("omp: %s: response (HTTP %d) is not valid JSON for this operation: %v", e.Operation, e.Status, e.Err)
}

// Unwrap returns the decoding failure.
func (e *DecodeError) Unwrap() error { return e.Err }
