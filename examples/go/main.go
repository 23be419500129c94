// Command example walks through the Go SDK against a running OMP server: health, create, get, a partial
// update that clears a member with null, paging with range-over-func, search, typed errors, delete.
//
//	OMP_SERVER=http://127.0.0.1:3456 OMP_API_KEY=<key> go run .
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	omp "github.com/omp-kit/omp-kit/sdk-go"
)

func main() {
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

func run() error {
	baseURL := os.Getenv("OMP_SERVER")
	if baseURL == "" {
		baseURL = "http://127.0.0.1:3456"
	}
	client, err := omp.NewClient(baseURL,
		omp.WithAPIKey(os.Getenv("OMP_API_KEY")),
		omp.WithMaxRetries(3),
		omp.WithTimeout(10*time.Second),
	)
	if err != nil {
		return err
	}
	ctx := context.Background()

	health, err := client.GetHealth(ctx)
	if err != nil {
		return fmt.Errorf("is the server running at %s? %w", baseURL, err)
	}
	fmt.Printf("server %s %s, OMP %s, levels %v\n", health.Server.Name, health.Server.Version, health.Version, health.Levels)

	// A namespace of our own, so the example's memories never mix with anything else on the server.
	namespace := fmt.Sprintf("example:go-%d", time.Now().UnixNano())

	created, err := client.CreateMemory(ctx, omp.CreateMemoryRequest{
		Content:   "User prefers Go for command-line tools",
		Type:      omp.MemoryTypeSemantic,
		Source:    omp.Source{Tool: "omp-go-example"},
		Tags:      []string{"preferences", "go"},
		Namespace: omp.Ptr(namespace),
		Metadata:  map[string]any{"confidence": 0.9},
	})
	if err != nil {
		return err
	}
	fmt.Printf("created %s at %s\n", created.ID, created.CreatedAt)

	// Partial update: content changes, tags are replaced, expires_at is set; absent members stay.
	updated, err := client.UpdateMemory(ctx, created.ID, omp.UpdateMemoryRequest{
		Content:   omp.Ptr("User prefers Go for command-line tools and services"),
		Tags:      []string{"preferences", "go", "services"},
		ExpiresAt: omp.Value(omp.TimestampOf(time.Now().Add(24 * time.Hour))),
	})
	if err != nil {
		return err
	}
	fmt.Printf("updated: %q, tags %v, expires %s\n", updated.Content, updated.Tags, *updated.ExpiresAt)

	// null clears: the memory no longer expires.
	if updated, err = client.UpdateMemory(ctx, created.ID, omp.UpdateMemoryRequest{ExpiresAt: omp.Null[omp.Timestamp]()}); err != nil {
		return err
	}
	fmt.Printf("expiry cleared: %v\n", updated.ExpiresAt == nil)

	for i := range 4 {
		if _, err := client.CreateMemory(ctx, omp.CreateMemoryRequest{
			Content:   fmt.Sprintf("Deploy step %d of the example service", i+1),
			Type:      omp.MemoryTypeProcedural,
			Source:    omp.Source{Tool: "omp-go-example"},
			Namespace: omp.Ptr(namespace),
		}); err != nil {
			return err
		}
	}

	// Every memory of the namespace, two a page: the iterator fetches the pages as the loop needs them.
	n := 0
	for m, err := range client.ListMemoriesAll(ctx, &omp.ListMemoriesParams{Namespace: omp.Ptr(namespace), Limit: omp.Ptr(2), Sort: omp.Ptr(omp.SortOrderCreatedAtAsc)}) {
		if err != nil {
			return err
		}
		n++
		fmt.Printf("  %d. [%s] %s\n", n, m.Type, m.Content)
	}

	results, err := client.SearchMemories(ctx, omp.SearchRequest{Q: "deploy service", Namespace: omp.Ptr(namespace), Limit: omp.Ptr(3)})
	if err != nil {
		return err
	}
	fmt.Printf("search %q: %d matches (%s), best: %q\n", "deploy service", results.Total, results.ModeUsed, results.Memories[0].Content)

	// Collect the ids first: deleting while paging by offset would shift later pages.
	var ids []string
	for m, err := range client.ListMemoriesAll(ctx, &omp.ListMemoriesParams{Namespace: omp.Ptr(namespace)}) {
		if err != nil {
			return err
		}
		ids = append(ids, m.ID)
	}
	for _, id := range ids {
		if err := client.DeleteMemory(ctx, id); err != nil {
			return err
		}
	}
	fmt.Printf("deleted %d memories\n", len(ids))

	// Errors are typed: errors.Is with a kind, errors.As for the details.
	_, err = client.GetMemory(ctx, created.ID)
	var apiErr *omp.APIError
	switch {
	case errors.Is(err, omp.ErrNotFound) && errors.As(err, &apiErr):
		fmt.Printf("after delete: %d %s (request id %q)\n", apiErr.Status, apiErr.Code, apiErr.RequestID)
	case err == nil:
		return errors.New("the deleted memory is still there")
	default:
		return err
	}

	_, err = client.ListMemories(ctx, &omp.ListMemoriesParams{Limit: omp.Ptr(1000)})
	if errors.As(err, &apiErr) && errors.Is(err, omp.ErrValidation) {
		for _, v := range apiErr.Violations() {
			fmt.Printf("validation: %s %s\n", v.Path, v.Message)
		}
	} else {
		return fmt.Errorf("limit 1000 was accepted: %v", err)
	}
	fmt.Println("done")
	return nil
}
