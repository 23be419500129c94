package omp

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Version is this SDK's version, sent in the User-Agent header.
const Version = "0.4.0"

// Defaults of a [Client] built without the matching option.
const (
	// DefaultMaxRetries is how many times a retryable failure is retried.
	DefaultMaxRetries = 2
	// DefaultTimeout is the deadline of one call, every retry and wait included.
	DefaultTimeout = 60 * time.Second
)

// Client calls one OMP server. It is safe for concurrent use; build it once with [NewClient] and reuse it.
// Every method takes a [context.Context]: cancelling it stops the call, retries and waits included.
type Client struct {
	base       *url.URL
	apiKey     string
	httpClient *http.Client
	maxRetries int
	timeout    time.Duration
	backoff    backoff
	userAgent  string
	header     http.Header
	// negotiation is what the client learnt of the server's versions (versions.go).
	negotiation *negotiation
}

// Option configures a [Client].
type Option func(*Client) error

// NewClient returns a client for the server at baseURL (e.g. "http://127.0.0.1:3456"; the API's paths such as
// /v1/memories are appended to it).
//
//	c, err := omp.NewClient("http://127.0.0.1:3456", omp.WithAPIKey(os.Getenv("OMP_API_KEY")))
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("omp: base URL %q: %w", baseURL, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("omp: base URL %q must be an absolute http(s) URL", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("omp: base URL %q must not have a query or fragment", baseURL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	c := &Client{
		base:        u,
		httpClient:  http.DefaultClient,
		maxRetries:  DefaultMaxRetries,
		timeout:     DefaultTimeout,
		backoff:     backoff{initial: 500 * time.Millisecond, max: 8 * time.Second, maxRetryAfter: 60 * time.Second},
		userAgent:   "omp-go/" + Version,
		header:      http.Header{},
		negotiation: &negotiation{},
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	// A copy, so the caller's http.Client keeps its own redirect policy: this one hands every redirect back
	// to the client, which follows it itself (redirect.go).
	hc := *c.httpClient
	hc.CheckRedirect = noFollow
	c.httpClient = &hc
	return c, nil
}

// WithAPIKey sends key as "Authorization: Bearer <key>" on every operation that needs one. Without it only
// getHealth works.
func WithAPIKey(key string) Option {
	return func(c *Client) error {
		if strings.ContainsAny(key, "\r\n") {
			return errors.New("omp: API key must not contain line breaks")
		}
		c.apiKey = key
		return nil
	}
}

// WithHTTPClient sends requests through hc (a custom transport, proxy, TLS configuration, tracing). Its
// own Timeout, if set, bounds each attempt; use [WithTimeout] for the whole call.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("omp: WithHTTPClient(nil)")
		}
		c.httpClient = hc
		return nil
	}
}

// WithMaxRetries sets how many times a retryable failure is retried (default 2; 0 disables retries).
// Only retry-safe operations are retried, see the package documentation.
func WithMaxRetries(n int) Option {
	return func(c *Client) error {
		if n < 0 {
			return fmt.Errorf("omp: WithMaxRetries(%d): must be >= 0", n)
		}
		c.maxRetries = n
		return nil
	}
}

// WithTimeout sets one deadline for each call, every attempt and every wait between retries included
// (default 60 s; 0 means no deadline besides the context's). A call that exceeds it returns a
// [*TimeoutError], which matches context.DeadlineExceeded.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return fmt.Errorf("omp: WithTimeout(%v): must be >= 0", d)
		}
		c.timeout = d
		return nil
	}
}

// WithBackoff sets the exponential backoff between retries: the first wait is initial, each next one
// doubles, capped at maxWait, each reduced by up to 25 % of random jitter (defaults 500 ms and 8 s). A
// Retry-After header replaces the computed wait.
func WithBackoff(initial, maxWait time.Duration) Option {
	return func(c *Client) error {
		if initial < 0 || maxWait < initial {
			return fmt.Errorf("omp: WithBackoff(%v, %v): need 0 <= initial <= max", initial, maxWait)
		}
		c.backoff.initial, c.backoff.max = initial, maxWait
		return nil
	}
}

// WithHeader adds a header to every request (e.g. a tracing or tenant header). Authorization,
// Content-Type and Accept are set by the client and cannot be overridden here.
func WithHeader(name, value string) Option {
	return func(c *Client) error {
		switch http.CanonicalHeaderKey(name) {
		case "Authorization", "Content-Type", "Accept":
			return fmt.Errorf("omp: WithHeader(%q): set by the client", name)
		}
		c.header.Add(name, value)
		return nil
	}
}

// WithUserAgent replaces the User-Agent header ("omp-go/<version>" by default).
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		c.userAgent = ua
		return nil
	}
}
