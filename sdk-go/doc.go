// Package omp is the Go client of the Open Memory Protocol (OMP) 0.3: store and recall a user's AI memories
// on a server the user controls. It uses the standard library only.
//
//	c, err := omp.NewClient("http://127.0.0.1:3456", omp.WithAPIKey(os.Getenv("OMP_API_KEY")))
//	if err != nil { ... }
//	m, err := c.CreateMemory(ctx, omp.CreateMemoryRequest{
//		Content: "User prefers TypeScript over JavaScript",
//		Type:    omp.MemoryTypeSemantic,
//		Source:  omp.Source{Tool: "my-agent"},
//		Tags:    []string{"preferences"},
//	})
//
// There is one method per operation of spec/openapi.yaml, named from its operationId (createMemory ->
// [Client.CreateMemory]); types and methods are generated (types_gen.go, operations_gen.go) from the spec
// by generators/src/go, and the runtime they call (client, transport, errors, retries, paging) is written
// by hand.
//
// # Optional and null members
//
// An optional member is a pointer and left out of the JSON while nil (`omitzero`), so every value you set
// is sent as set: omp.Ptr(0) as a limit reaches the server (and fails validation) instead of silently
// becoming the default. Only members whose zero value is their default (offset, delete_originals) are
// plain values. A nil slice or map is absent, an empty non-nil one is sent as [] or {} (in an update,
// Tags: []string{} removes every tag). In [UpdateMemoryRequest], the members where null means "clear" are
// [Nullable]: absent (zero value), [Null] or [Value]. [Ptr] makes a pointer of any value.
//
// # Errors
//
// Every failed call returns one of: [*APIError] (the server answered with an error status; its Status,
// Code, Message, Details, RequestID and Header), [*ConnectionError] (no response), [*TimeoutError] (the
// call's deadline passed; it matches context.DeadlineExceeded), [*DecodeError] (a 2xx body that is not the
// expected JSON), [*ArgumentError] (refused before sending), or the context's cancellation error. Branch
// on the kind with [errors.Is] and the sentinels [ErrValidation], [ErrAuthentication], [ErrPermission],
// [ErrNotFound], [ErrRateLimited], [ErrServer], [ErrConnection] and [ErrTimeout], or read the details with
// [errors.As].
//
// # Retries
//
// A failed attempt is retried, up to [WithMaxRetries] times (default 2), when SPEC.md §9.3 allows it: after
// a 408, 429, 500, 502 or 503 response or a connection failure, and only for operations that are safe to
// repeat (every GET, PUT and DELETE, search, import unless conflict is "duplicate", and, to a server of 0.4
// or later, create, import and bulk delete, which then carry an Idempotency-Key: SPEC.md §16 OMP-CLIENT-005).
// Other operations (create against a 0.3 server, extract, compress, import with "duplicate") are retried only
// when no connection could be opened, so the server certainly did not see them. Waits grow exponentially (500 ms, 1 s, 2 s, ... up to 8 s, see
// [WithBackoff]) with up to 25 % random jitter; a Retry-After header (seconds or HTTP date) replaces the
// computed wait, and one longer than 60 s ends the retries. [WithTimeout] (default 60 s) is one deadline
// for the whole call, waits included: a retry that could not finish before it is not attempted and the last
// failure is returned.
//
// # Paging
//
// List and search return one page; their ...Pages methods walk page after page and their ...All methods
// walk every item, as iter.Seq2 iterators for range-over-func:
//
//	for m, err := range c.ListMemoriesAll(ctx, &omp.ListMemoriesParams{Namespace: "project:myapp"}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(m.ID, m.Content)
//	}
package omp
