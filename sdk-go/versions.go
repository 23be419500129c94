package omp

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Version negotiation (SPEC.md §1.2, OMP-CLIENT-004), as in the TypeScript and Python SDKs. The client
// implements 0.3 and 0.4. It learns the versions a server implements from health "versions" (a body without
// it lists only "version") or from the OMP-Version header every 0.4 response carries, and then names the
// newest common version in OMP-Version on each request. Until it knows, it sends nothing a 0.3 server would
// not expect; a call that needs a 0.4 feature (an Idempotency-Key, an If-Match) first reads health, once.

// SpecVersions lists every OMP version this SDK implements, ascending.
var SpecVersions = []string{"0.3", "0.4"}

// SpecVersion is the newest OMP version this SDK implements.
const SpecVersion = "0.4"

// negotiation is what one client knows about its server's versions; safe for concurrent use.
type negotiation struct {
	mu      sync.Mutex
	version string
	pinned  bool
}

// get is the negotiated version, "" while unknown.
func (n *negotiation) get() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.version
}

// atLeast04 reports whether the negotiated version is 0.4 (the newest this SDK knows).
func (n *negotiation) atLeast04() bool { return n.get() == "0.4" }

// fromHealth learns from a health body.
func (n *negotiation) fromHealth(data []byte) {
	var h struct {
		Version  *string  `json:"version"`
		Versions []string `json:"versions"`
	}
	if json.Unmarshal(data, &h) != nil {
		return
	}
	listed := h.Versions
	if listed == nil {
		if h.Version == nil {
			return
		}
		listed = []string{*h.Version}
	}
	v := "0.3"
	for _, known := range slices.Backward(SpecVersions) {
		if slices.Contains(listed, known) {
			v = known
			break
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.pinned {
		n.version = v
	}
}

// fromHeader learns from the OMP-Version of a response to a request that named no version: the server
// answered under the newest version it lists, so it lists that one. A version this SDK does not know
// teaches nothing.
func (n *negotiation) fromHeader(value string) {
	value = strings.TrimSpace(value)
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.pinned && n.version == "" && slices.Contains(SpecVersions, value) {
		n.version = value
	}
}

// WithSpecVersion makes the client speak OMP version v ("0.3" or "0.4") without asking the server. By
// default it learns the server's versions and speaks the newest both know.
func WithSpecVersion(v string) Option {
	return func(c *Client) error {
		if !slices.Contains(SpecVersions, v) {
			return fmt.Errorf("omp: WithSpecVersion(%q): must be one of %s", v, strings.Join(SpecVersions, ", "))
		}
		c.negotiation.version, c.negotiation.pinned = v, true
		return nil
	}
}

// SpecVersion is the OMP version negotiated with the server, "" until the client has learnt it.
func (c *Client) SpecVersion() string { return c.negotiation.get() }

// Per-call options travel in the context, so that every generated method takes them without a new parameter.
type callOptionsKey struct{}

type callOptions struct {
	ifMatch        *string
	idempotencyKey string
	info           *ResponseInfo
}

func optionsOf(ctx context.Context) callOptions {
	o, _ := ctx.Value(callOptionsKey{}).(callOptions)
	return o
}

// WithIfMatch makes an update or delete under ctx conditional on the memory still having etag (from
// [ResponseInfo.ETag]): when it changed, the call fails with an error matching [ErrPreconditionFailed] and
// changes nothing (SPEC.md §5.8). It needs a server that implements 0.4.
func WithIfMatch(ctx context.Context, etag string) context.Context {
	o := optionsOf(ctx)
	o.ifMatch = &etag
	return context.WithValue(ctx, callOptionsKey{}, o)
}

// WithIdempotencyKey gives a create, import or bulk delete under ctx this Idempotency-Key (SPEC.md §5.9)
// instead of a fresh random one; repeating the call with the same key is then safe. Sent only to servers of
// 0.4 or later.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	o := optionsOf(ctx)
	o.idempotencyKey = key
	return context.WithValue(ctx, callOptionsKey{}, o)
}

// ResponseInfo receives the status and headers of a successful response: pass it with [WithResponseInfo].
type ResponseInfo struct {
	Status int
	Header http.Header
}

// ETag is the response's ETag (memories, since 0.4): give it to [WithIfMatch] to update or delete safely.
func (r *ResponseInfo) ETag() string { return r.Header.Get("ETag") }

// WithResponseInfo fills info with the status and headers of the successful response of the call under ctx.
func WithResponseInfo(ctx context.Context, info *ResponseInfo) context.Context {
	o := optionsOf(ctx)
	o.info = info
	return context.WithValue(ctx, callOptionsKey{}, o)
}

// versionHeaders adds the headers of the negotiated version (OMP-CLIENT-004, OMP-CLIENT-012) and says
// whether the request is safe to repeat: an operation that takes an Idempotency-Key is, once it carries one.
// A call that needs them reads health first, once per client.
func (c *Client) versionHeaders(ctx context.Context, op *operation, o callOptions) (http.Header, bool, error) {
	h := http.Header{}
	if op.path == healthPath {
		return h, op.retrySafe, nil // health ignores OMP-Version (OMP-VER-005)
	}
	conditional := op.conditional && o.ifMatch != nil
	if c.negotiation.get() == "" && (op.idempotencyKey || conditional) {
		var raw json.RawMessage
		// A failure is not remembered: this call speaks 0.3, the next one asks again.
		_ = c.do(context.WithValue(ctx, callOptionsKey{}, callOptions{}), &operation{id: "getHealth", method: http.MethodGet, path: healthPath, retrySafe: true}, &raw)
	}
	v04 := c.negotiation.atLeast04()
	if v04 {
		h.Set("OMP-Version", c.negotiation.get())
	}
	if conditional {
		if !v04 {
			return nil, false, &ArgumentError{Operation: op.id, Argument: "If-Match", Reason: "needs a server that implements OMP 0.4 or later"}
		}
		h.Set("If-Match", *o.ifMatch)
	}
	if op.idempotencyKey && v04 {
		key := o.idempotencyKey
		if key == "" {
			key = newUUID()
		}
		h.Set("Idempotency-Key", key)
		return h, true, nil
	}
	return h, op.retrySafe, nil
}

const healthPath = "/v1/health"

// newUUID is a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
