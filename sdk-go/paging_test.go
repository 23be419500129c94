package omp_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	omp "github.com/omp-kit/omp-kit/sdk-go"
)

// pagedServer serves n memories from GET /v1/memories and POST /v1/memories/search with limit and offset
// like an OMP server; failAt answers that request number with a 500 (after retries), -1 never.
func pagedServer(t *testing.T, n int, failAt int) *recorder {
	all := make([]map[string]any, n)
	for i := range all {
		all[i] = memory(fmt.Sprintf("mem_%016d", i))
	}
	return newRecorder(t, func(k int, w http.ResponseWriter, r *http.Request) {
		if k == failAt {
			writeJSON(w, 400, envelope("validation_error", "boom"))
			return
		}
		limit, offset := 20, 0
		q := r.URL.Query()
		if v := q.Get("limit"); v != "" {
			limit, _ = strconv.Atoi(v)
		}
		if v := q.Get("offset"); v != "" {
			offset, _ = strconv.Atoi(v)
		}
		end := min(offset+limit, n)
		page := []map[string]any{}
		if offset < n {
			page = all[offset:end]
		}
		writeJSON(w, 200, map[string]any{"memories": page, "total": n, "limit": limit, "offset": offset, "mode_used": "keyword"})
	})
}

func ids(t *testing.T, seq func(yield func(omp.Memory, error) bool)) []string {
	t.Helper()
	var out []string
	for m, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m.ID)
	}
	return out
}

func TestListAllWalksEveryPage(t *testing.T) {
	cases := []struct {
		name      string
		total     int
		params    *omp.ListMemoriesParams
		wantItems int
		wantReqs  int
	}{
		{"nil params, one default page", 7, nil, 7, 1},
		{"pages of 3", 7, &omp.ListMemoriesParams{Limit: omp.Ptr(3)}, 7, 3},
		{"exact multiple", 6, &omp.ListMemoriesParams{Limit: omp.Ptr(3)}, 6, 2},
		{"start at offset", 7, &omp.ListMemoriesParams{Limit: omp.Ptr(3), Offset: 5}, 2, 1},
		{"empty", 0, &omp.ListMemoriesParams{Limit: omp.Ptr(3)}, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := pagedServer(t, tc.total, -1)
			got := ids(t, client(t, srv.URL).ListMemoriesAll(ctx(t), tc.params))
			if len(got) != tc.wantItems {
				t.Fatalf("%d items, want %d", len(got), tc.wantItems)
			}
			seen := map[string]bool{}
			for _, id := range got {
				if seen[id] {
					t.Fatalf("duplicate %s", id)
				}
				seen[id] = true
			}
			if n := len(srv.requests()); n != tc.wantReqs {
				t.Fatalf("%d requests, want %d", n, tc.wantReqs)
			}
		})
	}
}

// The walk keeps the caller's filters and moves only the offset; the caller's params are not modified.
func TestPagesKeepFilters(t *testing.T) {
	srv := pagedServer(t, 5, -1)
	params := &omp.ListMemoriesParams{Limit: omp.Ptr(2), Tags: []string{"a", "b"}, Sort: omp.Ptr(omp.SortOrderCreatedAtAsc)}
	n := 0
	for page, err := range client(t, srv.URL).ListMemoriesPages(ctx(t), params) {
		if err != nil {
			t.Fatal(err)
		}
		if page.Offset != n*2 {
			t.Fatalf("page %d at offset %d", n, page.Offset)
		}
		n++
	}
	if n != 3 || params.Offset != 0 {
		t.Fatalf("%d pages, params.Offset %d", n, params.Offset)
	}
	want := []string{"limit=2&sort=created_at_asc&tags=a%2Cb", "limit=2&offset=2&sort=created_at_asc&tags=a%2Cb", "limit=2&offset=4&sort=created_at_asc&tags=a%2Cb"}
	for i, r := range srv.requests() {
		if r.RawQuery != want[i] {
			t.Fatalf("request %d query %q, want %q", i, r.RawQuery, want[i])
		}
	}
}

// Breaking out of the loop stops fetching.
func TestBreakStopsFetching(t *testing.T) {
	srv := pagedServer(t, 10, -1)
	for m, err := range client(t, srv.URL).ListMemoriesAll(ctx(t), &omp.ListMemoriesParams{Limit: omp.Ptr(2)}) {
		if err != nil {
			t.Fatal(err)
		}
		if m.ID == "mem_0000000000000002" {
			break
		}
	}
	if n := len(srv.requests()); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
}

// An error on a later page is yielded once, after the items before it, and ends the walk.
func TestErrorEndsWalk(t *testing.T) {
	srv := pagedServer(t, 10, 1)
	var items, errs int
	for _, err := range client(t, srv.URL).ListMemoriesAll(ctx(t), &omp.ListMemoriesParams{Limit: omp.Ptr(4)}) {
		if err != nil {
			errs++
			if !errors.Is(err, omp.ErrValidation) {
				t.Fatalf("got %v", err)
			}
			continue
		}
		items++
	}
	if items != 4 || errs != 1 {
		t.Fatalf("%d items, %d errors", items, errs)
	}
}

// An empty page ends the walk even when total claims more (memories may expire between pages).
func TestEmptyPageEndsWalk(t *testing.T) {
	srv := newRecorder(t, func(k int, w http.ResponseWriter, _ *http.Request) {
		page := []map[string]any{}
		if k == 0 {
			page = append(page, memory("mem_0000000000000000"))
		}
		writeJSON(w, 200, map[string]any{"memories": page, "total": 50, "limit": 1, "offset": k})
	})
	got := ids(t, client(t, srv.URL).ListMemoriesAll(ctx(t), &omp.ListMemoriesParams{Limit: omp.Ptr(1)}))
	if len(got) != 1 || len(srv.requests()) != 2 {
		t.Fatalf("%d items, %d requests", len(got), len(srv.requests()))
	}
}

// Search pages through its body's offset.
func TestSearchAllPagesThroughBody(t *testing.T) {
	all := 5
	srv := newRecorder(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		var body struct{ Limit, Offset int }
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			writeJSON(w, 400, envelope("malformed_json", err.Error()))
			return
		}
		page := []map[string]any{}
		for i := body.Offset; i < min(body.Offset+body.Limit, all); i++ {
			page = append(page, memory(fmt.Sprintf("mem_%016d", i)))
		}
		writeJSON(w, 200, map[string]any{"memories": page, "total": all, "limit": body.Limit, "offset": body.Offset, "mode_used": "keyword"})
	})
	got := ids(t, client(t, srv.URL).SearchMemoriesAll(ctx(t), omp.SearchRequest{Q: "deploy", Limit: omp.Ptr(2)}))
	if len(got) != 5 {
		t.Fatalf("%d items", len(got))
	}
	want := []string{`{"q":"deploy","limit":2}`, `{"q":"deploy","limit":2,"offset":2}`, `{"q":"deploy","limit":2,"offset":4}`}
	for i, r := range srv.requests() {
		if r.Body != want[i] || r.Method != "POST" || r.Path != "/v1/memories/search" {
			t.Fatalf("request %d: %+v", i, r)
		}
	}
}
