package omp

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
)

// The helpers the generated methods (operations_gen.go) are written with.

// call sends op and decodes its JSON result into a new T.
func call[T any](ctx context.Context, c *Client, op *operation) (*T, error) {
	var out T
	if err := c.do(ctx, op, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ArgumentError says a method was called with an argument it cannot send, before any request was made
// (an empty path parameter would address another endpoint). It matches [ErrValidation].
type ArgumentError struct {
	// Operation is the operationId of the call.
	Operation string
	// Argument is the parameter's name in the spec.
	Argument string
	// Reason says what is wrong.
	Reason string
}

// Error names the operation, the argument and the reason.
func (e *ArgumentError) Error() string {
	return fmt.Sprintf("omp: %s: argument %s %s", e.Operation, e.Argument, e.Reason)
}

// Is reports whether target is [ErrValidation].
func (e *ArgumentError) Is(target error) bool { return target == ErrValidation }

// pathSegment escapes one path parameter; an empty value is refused because /v1/memories/ + "" would
// name the collection instead of a memory.
func pathSegment(op, name, value string) (string, error) {
	if value == "" {
		return "", &ArgumentError{Operation: op, Argument: name, Reason: "must not be empty"}
	}
	return url.PathEscape(value), nil
}

// jsonKind classifies a JSON value by its first byte: '{' object, '[' array, '"' string, 'n' number,
// 'b' boolean, 0 null or invalid. Generated union types use it to pick their alternative.
func jsonKind(data []byte) byte {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) == 0 {
		return 0
	}
	switch c := data[0]; {
	case c == '{' || c == '[' || c == '"':
		return c
	case c == '-' || (c >= '0' && c <= '9'):
		return 'n'
	case c == 't' || c == 'f':
		return 'b'
	}
	return 0
}
