package omp

import (
	"context"
	"iter"
)

// Cursor and offset pagination. A paginated operation has three methods: the plain call returns one page; the
// ...Pages method walks page after page; the ...All method walks every item of every page:
//
//	for m, err := range client.ListMemoriesAll(ctx, &omp.ListMemoriesParams{Namespace: "project:x"}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(m.ID)
//	}
//
// Pages are fetched lazily, one request at a time, each under its own deadline ([WithTimeout]); breaking
// out of the loop stops fetching. The request's limit is the page size (the server's default when unset);
// its offset is where the walk starts. Against a server that speaks 0.4, a list walk continues by the page's
// next_cursor (SPEC.md §5.2), which neither skips nor repeats under concurrent writes; otherwise by offsets.

// pageInfo is what the walker needs to know about a page.
type pageInfo struct {
	// count is the number of items on the page, offset where it starts, total the number of all matches.
	count, offset, total int
	// next is the page's next_cursor (nil when it ends the result, or from a server that has no cursors).
	next *string
}

// pages walks an offset-paginated operation from offset start: fetch gets the page at an offset. The walk
// ends after an empty page, after the page reaching total, before an offset beyond maxOffset, or at the
// first error (yielded once).
func pages[P any](ctx context.Context, start, maxOffset int, fetch func(ctx context.Context, offset int, cursor *string) (P, pageInfo, error)) iter.Seq2[P, error] {
	return func(yield func(P, error) bool) {
		offset := start
		for {
			page, info, err := fetch(ctx, offset, nil)
			if err != nil {
				var zero P
				yield(zero, err)
				return
			}
			if !yield(page, nil) {
				return
			}
			// An empty page ends the walk even if total says otherwise (items may expire meanwhile).
			next := info.offset + info.count
			if info.count == 0 || next >= info.total || next > maxOffset {
				return
			}
			offset = next
		}
	}
}

// items flattens a page walk into its items.
func items[P any, I any](ps iter.Seq2[P, error], of func(P) []I) iter.Seq2[I, error] {
	return func(yield func(I, error) bool) {
		for p, err := range ps {
			if err != nil {
				var zero I
				yield(zero, err)
				return
			}
			for _, it := range of(p) {
				if !yield(it, nil) {
					return
				}
			}
		}
	}
}

// cursorPages walks like [pages], but by cursor once the client knows the server speaks 0.4 (every list page
// then carries next_cursor, null on the last page): fetch gets the cursor, or nil and the offset.
func cursorPages[P any](ctx context.Context, c *Client, start, maxOffset int, fetch func(ctx context.Context, offset int, cursor *string) (P, pageInfo, error)) iter.Seq2[P, error] {
	return func(yield func(P, error) bool) {
		offset := start
		var cursor *string
		for {
			page, info, err := fetch(ctx, offset, cursor)
			if err != nil {
				var zero P
				yield(zero, err)
				return
			}
			if !yield(page, nil) {
				return
			}
			if c.negotiation.atLeast04() {
				// Passed back unchanged (OMP-CLIENT-011); a null next_cursor ends the walk.
				if info.next == nil || info.count == 0 {
					return
				}
				cursor = info.next
				continue
			}
			next := info.offset + info.count
			if info.count == 0 || next >= info.total || next > maxOffset {
				return
			}
			offset = next
		}
	}
}
