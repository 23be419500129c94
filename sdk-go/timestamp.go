package omp

import (
	"fmt"
	"strings"
	"time"
)

// Timestamp is an RFC 3339 date-time in UTC with an upper-case "Z" (OMP-TIME-001), kept as the exact text
// the server sent: timestamps a client supplies are echoed byte for byte, so export and import round-trip.
type Timestamp string

// TimestampOf formats t in UTC with millisecond precision, as OMP servers write timestamps.
func TimestampOf(t time.Time) Timestamp {
	return Timestamp(t.UTC().Format("2006-01-02T15:04:05.000Z"))
}

// Time parses ts; it fails when ts is not an RFC 3339 date-time ending in "Z".
func (ts Timestamp) Time() (time.Time, error) {
	if !strings.HasSuffix(string(ts), "Z") {
		return time.Time{}, fmt.Errorf("omp: timestamp %q is not in UTC ('Z')", string(ts))
	}
	t, err := time.Parse(time.RFC3339Nano, string(ts))
	if err != nil {
		return time.Time{}, fmt.Errorf("omp: timestamp %q: %w", string(ts), err)
	}
	return t, nil
}

// String returns the timestamp's text.
func (ts Timestamp) String() string { return string(ts) }
