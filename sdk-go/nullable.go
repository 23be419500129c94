package omp

import (
	"bytes"
	"encoding/json"
)

// Nullable is a member of a partial update that can be absent (keep the stored value), null (clear it) or
// a value (set it). Its zero value is absent; the generated types tag such members `json:",omitzero"`.
//
//	omp.UpdateMemoryRequest{Namespace: omp.Null[string]()}                 // {"namespace":null}
//	omp.UpdateMemoryRequest{Namespace: omp.Value("project:myapp")}         // {"namespace":"project:myapp"}
//	omp.UpdateMemoryRequest{Tags: []string{"x"}}                           // namespace absent: unchanged
type Nullable[T any] struct {
	value   T
	present bool
	null    bool
}

// Value is a Nullable holding v.
func Value[T any](v T) Nullable[T] { return Nullable[T]{value: v, present: true} }

// Null is an explicit JSON null.
func Null[T any]() Nullable[T] { return Nullable[T]{present: true, null: true} }

// IsZero reports whether n is absent (so that `omitzero` leaves it out).
func (n Nullable[T]) IsZero() bool { return !n.present }

// IsNull reports whether n is an explicit null.
func (n Nullable[T]) IsNull() bool { return n.present && n.null }

// Get returns the value and true, or the zero value and false when n is absent or null.
func (n Nullable[T]) Get() (T, bool) { return n.value, n.present && !n.null }

// MarshalJSON writes null or the value (an absent Nullable is left out by `omitzero`; alone it writes null).
func (n Nullable[T]) MarshalJSON() ([]byte, error) {
	if !n.present || n.null {
		return []byte("null"), nil
	}
	return json.Marshal(n.value)
}

// UnmarshalJSON reads null or a value; a member that does not occur leaves n absent.
func (n *Nullable[T]) UnmarshalJSON(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		*n = Null[T]()
		return nil
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*n = Value(v)
	return nil
}

// Ptr returns a pointer to v, for optional members such as *bool.
func Ptr[T any](v T) *T { return &v }
