package omp

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// MaxRedirects is how many redirect hops one request may take before it fails with a [*RedirectError]
// (Code "too_many_redirects").
const MaxRedirects = 5

// RedirectError is a redirect the client refused to follow (OMP-CLIENT-008): from https to http
// (Code "insecure_redirect") or one hop too many (Code "too_many_redirects"). It is never retried.
type RedirectError struct {
	// Operation is the operationId of the call that failed.
	Operation string
	// Code is "insecure_redirect" or "too_many_redirects".
	Code string
	// Status is the redirect response's status.
	Status int
	// Location is the refused target, resolved against the request's URL.
	Location string
}

// Error names the operation, the reason and the refused target.
func (e *RedirectError) Error() string {
	return fmt.Sprintf("omp: %s: refused redirect (%s, HTTP %d) to %s", e.Operation, e.Code, e.Status, e.Location)
}

// noFollow is the CheckRedirect of the client's copy of its http.Client: net/http returns every redirect
// response as is, and the client follows it itself (nextHop), because net/http's own policy keeps
// Authorization on a redirect to another port of the same host or to a subdomain, follows https -> http, and
// will not follow a 307 of a request whose body it cannot rewind.
func noFollow(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// hop is one request of a redirect chain.
type hop struct {
	method string
	target string
	// body is resent as is; nil sends none.
	body []byte
}

// nextHop is the request a redirect response asks for, nil when resp is not one the client follows (another
// status, or a 3xx without Location: the caller handles it as the final response), or a *RedirectError when
// the policy refuses it. hops is how many redirects the request already followed. 307 and 308 keep method and
// body; 301, 302 and 303 turn a method other than GET or HEAD into a GET without a body (RFC 9110 §15.4, the
// rule of net/http, shared by the TypeScript and Python SDKs).
func nextHop(resp *http.Response, cur hop, hops int) (*hop, error) {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil, nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil, nil
	}
	base, err := url.Parse(cur.target)
	if err != nil {
		return nil, err
	}
	ref, err := url.Parse(loc)
	if err != nil {
		return nil, fmt.Errorf("redirect to an unparsable Location %q: %w", loc, err)
	}
	to := base.ResolveReference(ref)
	refuse := func(code string) error {
		return &RedirectError{Code: code, Status: resp.StatusCode, Location: to.String()}
	}
	if hops >= MaxRedirects {
		return nil, refuse("too_many_redirects")
	}
	if to.Scheme != "https" && (base.Scheme == "https" || to.Scheme != "http") {
		return nil, refuse("insecure_redirect")
	}
	next := &hop{method: cur.method, target: to.String(), body: cur.body}
	if resp.StatusCode != http.StatusTemporaryRedirect && resp.StatusCode != http.StatusPermanentRedirect &&
		cur.method != http.MethodGet && cur.method != http.MethodHead {
		next.method, next.body = http.MethodGet, nil
	}
	return next, nil
}

// sameOrigin reports whether target has the origin (scheme, host, port) of base.
func sameOrigin(base *url.URL, target string) bool {
	u, err := url.Parse(target)
	if err != nil {
		return false
	}
	return origin(u) == origin(base)
}

// origin is scheme://host:port with the scheme's default port made explicit.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// discard drains a little of a response nobody reads and closes it, so its connection can be reused.
func discard(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	resp.Body.Close()
}
