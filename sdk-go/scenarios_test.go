package omp_test

// The Go runner of the language-neutral SDK scenarios (scenarios/README.md). It starts the harness
// (`node scenarios/harness/start.ts`: a reference server on a temporary database and a fault-injecting proxy)
// and runs every file of scenarios/cases/ as a subtest through this SDK. A scenario it cannot interpret (an
// unknown call, argument, expectation or member the SDK's types cannot carry) fails; nothing is skipped.
//
// TestExample runs examples/go against the same server.
//
// OMP_NODE names the node binary (default: the repository's .tools/node24, else node on PATH).
// OMP_SKIP_SCENARIOS=1 skips both, for a machine without Node or the repository's npm dependencies.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	omp "github.com/omp-kit/omp-kit/sdk-go"
)

// harnessInfo is the line the harness prints on stdout.
type harnessInfo struct {
	URL      string `json:"url"`
	ProxyURL string `json:"proxy_url"`
	Token    string `json:"token"`
	TokenB   string `json:"token_b"`
	// URL03 and ProxyURL03: a second server that declares only OMP 0.3, and a proxy in front of it.
	URL03      string `json:"url_03"`
	ProxyURL03 string `json:"proxy_url_03"`
}

// scenarioFile is one file of scenarios/cases/ (scenarios/scenario.schema.json).
type scenarioFile struct {
	Description  string   `json:"description"`
	Requirements []string `json:"requirements"`
	// Server is "0.3" for the harness's 0.3-declaring server, else "" or "0.4".
	Server string `json:"server"`
	Client struct {
		MaxRetries *int   `json:"max_retries"`
		TimeoutMS  *int   `json:"timeout_ms"`
		Token      string `json:"token"`
	} `json:"client"`
	// Faults is kept raw: its presence (even empty) sends the client through the proxy.
	Faults json.RawMessage `json:"faults"`
	Steps  []scenarioStep  `json:"steps"`
}

type scenarioStep struct {
	Call string          `json:"call"`
	Args json.RawMessage `json:"args"`
	Save string          `json:"save"`
	// SaveETag saves the response's ETag under this name.
	SaveETag string          `json:"save_etag"`
	Token    string          `json:"token"`
	Expect   json.RawMessage `json:"expect"`
}

type expectation struct {
	OK        *bool           `json:"ok"`
	Error     string          `json:"error"`
	Status    *int            `json:"status"`
	Code      *string         `json:"code"`
	Match     json.RawMessage `json:"match"`
	Equals    json.RawMessage `json:"equals"`
	Length    *int            `json:"length"`
	UniqueIDs bool            `json:"unique_ids"`
	IDsEqual  []string        `json:"ids_equal"`
	AbsentIDs []string        `json:"absent_ids"`
	// SameMember and AbsentMember are dotted member paths over the items of an array result.
	SameMember   *string `json:"same_member"`
	AbsentMember *string `json:"absent_member"`
}

// strict decodes data into v, refusing members v has no field for: a scenario the runner (or the SDK's
// types) cannot represent must fail, not pass with part of it ignored.
func strict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data")
	}
	return nil
}

// The harness is started once, by the first test that needs it, and stopped by TestMain.
var harness struct {
	once sync.Once
	info harnessInfo
	err  error
	stop func()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if harness.stop != nil {
		harness.stop()
	}
	os.Exit(code)
}

// liveServer returns the running harness, starting it on first use; it skips the test when
// OMP_SKIP_SCENARIOS=1 and fails it when the harness cannot start.
func liveServer(t *testing.T) (harnessInfo, string) {
	t.Helper()
	if os.Getenv("OMP_SKIP_SCENARIOS") == "1" {
		t.Skip("OMP_SKIP_SCENARIOS=1")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	harness.once.Do(func() { harness.info, harness.stop, harness.err = startHarness(root) })
	if harness.err != nil {
		t.Fatal(harness.err)
	}
	return harness.info, root
}

func TestScenarios(t *testing.T) {
	info, root := liveServer(t)
	files, err := filepath.Glob(filepath.Join(root, "scenarios", "cases", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenarios in scenarios/cases/")
	}
	sort.Strings(files)
	var failed []string
	for _, f := range files {
		name := filepath.Base(f)
		if !t.Run(name, func(t *testing.T) { runScenario(t, f, info) }) {
			failed = append(failed, name)
		}
	}
	t.Logf("scenarios: %d passed, %d failed of %d", len(files)-len(failed), len(failed), len(files))
	for _, n := range failed {
		t.Logf("FAIL %s", n)
	}
}

// The example of examples/go runs to the end against the reference server.
func TestExample(t *testing.T) {
	info, root := liveServer(t)
	cmd := exec.CommandContext(t.Context(), "go", "run", ".")
	cmd.Dir = filepath.Join(root, "examples", "go")
	cmd.Env = append(os.Environ(), "OMP_SERVER="+info.URL, "OMP_API_KEY="+info.Token, "GOFLAGS=-mod=mod", "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "done") {
		t.Fatalf("go run examples/go: %v\n%s", err, out)
	}
}

// startHarness runs `node scenarios/harness/start.ts` and returns what it printed and how to stop it.
func startHarness(root string) (harnessInfo, func(), error) {
	node := os.Getenv("OMP_NODE")
	if node == "" {
		node = filepath.Join(root, ".tools", "node24", "node_modules", ".bin", "node")
		if _, err := os.Stat(node); err != nil {
			node = "node"
		}
	}
	cmd := exec.Command(node, filepath.Join("scenarios", "harness", "start.ts"))
	cmd.Dir = root
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return harnessInfo{}, nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return harnessInfo{}, nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return harnessInfo{}, nil, fmt.Errorf("starting the scenario harness with %s: %w (set OMP_NODE, or OMP_SKIP_SCENARIOS=1)", node, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		// Closing stdin is the harness's signal to stop; kill it (our own child) if it does not.
		_ = stdin.Close()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}

	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var info harnessInfo
	select {
	case l, ok := <-line:
		if !ok || json.Unmarshal([]byte(l), &info) != nil || info.URL == "" || info.ProxyURL == "" {
			stop()
			return info, nil, fmt.Errorf("the scenario harness did not start (printed %q): %s", l, stderr.String())
		}
	case <-time.After(60 * time.Second):
		stop()
		return info, nil, fmt.Errorf("the scenario harness printed nothing within 60 s: %s", stderr.String())
	}
	return info, stop, nil
}

// scenarioRun is the state of one scenario being run.
type scenarioRun struct {
	ctx   context.Context
	file  scenarioFile
	info  harnessInfo
	base  string
	proxy string
	run   string
	saved map[string]any
	// clients: one per key for the whole scenario, as a program keeps its client (and what it learnt).
	clients map[string]*omp.Client
	// etag is the ETag of the last call's response, when it had one.
	etag string
}

func runScenario(t *testing.T, path string, info harnessInfo) {
	if err := runScenarioFile(t.Context(), path, info); err != nil {
		t.Fatal(err)
	}
}

// runScenarioFile runs one scenario file; the error says which step failed and why, or what the runner
// could not interpret.
func runScenarioFile(ctx context.Context, path string, info harnessInfo) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var f scenarioFile
	if err := strict(data, &f); err != nil {
		return &cannotRun{"the scenario: " + err.Error()}
	}
	if len(f.Steps) == 0 {
		return &cannotRun{"the scenario: no steps"}
	}
	r := &scenarioRun{ctx: ctx, file: f, info: info, base: info.URL, proxy: info.ProxyURL, run: runToken(), saved: map[string]any{}, clients: map[string]*omp.Client{}}
	switch f.Server {
	case "", "0.4":
	case "0.3":
		r.base, r.proxy = info.URL03, info.ProxyURL03
	default:
		return &cannotRun{fmt.Sprintf("server %q", f.Server)}
	}
	// Every scenario sees the proxy's log from its own start; a scenario with faults runs through the proxy.
	faults := json.RawMessage("[]")
	if f.Faults != nil {
		r.base = r.proxy
		faults = f.Faults
	}
	if _, err := r.faultsRequest(http.MethodPut, faults); err != nil {
		return fmt.Errorf("installing faults: %w", err)
	}
	for i, step := range f.Steps {
		if err := r.step(step); err != nil {
			return fmt.Errorf("step %d (%s): %w", i+1, step.Call, err)
		}
	}
	return nil
}

// runToken is the scenario's ${run}: 8 characters of [a-z0-9].
func runToken() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// client builds the SDK client of a step: the scenario's options, the step's token if it names one.
func (r *scenarioRun) client(stepToken string) (*omp.Client, error) {
	token := r.file.Client.Token
	if stepToken != "" {
		token = stepToken
	}
	if c, ok := r.clients[token]; ok {
		return c, nil
	}
	c, err := r.newClient(token)
	if err == nil {
		r.clients[token] = c
	}
	return c, err
}

func (r *scenarioRun) newClient(token string) (*omp.Client, error) {
	opts := []omp.Option{}
	switch token {
	case "", "a":
		opts = append(opts, omp.WithAPIKey(r.info.Token))
	case "b":
		opts = append(opts, omp.WithAPIKey(r.info.TokenB))
	case "none":
	case "invalid":
		opts = append(opts, omp.WithAPIKey("omp_invalid_"+r.run))
	default:
		return nil, &cannotRun{fmt.Sprintf("token %q", token)}
	}
	if r.file.Client.MaxRetries != nil {
		opts = append(opts, omp.WithMaxRetries(*r.file.Client.MaxRetries))
	}
	if r.file.Client.TimeoutMS != nil {
		opts = append(opts, omp.WithTimeout(time.Duration(*r.file.Client.TimeoutMS)*time.Millisecond))
	}
	return omp.NewClient(r.base, opts...)
}

func (r *scenarioRun) step(s scenarioStep) error {
	args := map[string]any{}
	if len(s.Args) > 0 {
		var raw any
		if err := json.Unmarshal(s.Args, &raw); err != nil {
			return &cannotRun{"args: " + err.Error()}
		}
		sub, err := r.substitute(raw)
		if err != nil {
			return err
		}
		var ok bool
		if args, ok = sub.(map[string]any); !ok {
			return &cannotRun{"args: not an object"}
		}
	}
	var exp expectation
	if err := strict(s.Expect, &exp); err != nil {
		return &cannotRun{"expect: " + err.Error()}
	}
	if (exp.OK != nil) == (exp.Error != "") {
		return &cannotRun{"expect: it needs exactly one of ok and error"}
	}
	c, err := r.client(s.Token)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.ctx, 2*time.Minute)
	defer cancel()
	r.etag = ""
	result, callErr := r.call(ctx, c, s.Call, args)
	var unrunnable *cannotRun
	if errors.As(callErr, &unrunnable) {
		return callErr
	}
	if err := r.check(exp, result, callErr); err != nil {
		return err
	}
	if s.Save != "" {
		if callErr != nil {
			return &cannotRun{"save: the call failed"}
		}
		r.saved[s.Save] = result
	}
	if s.SaveETag != "" {
		if r.etag == "" {
			return errors.New("save_etag: the response carried no ETag")
		}
		r.saved[s.SaveETag] = r.etag
	}
	return nil
}

// cannotRun says the runner cannot interpret a step's call or arguments.
type cannotRun struct{ msg string }

func (e *cannotRun) Error() string { return "cannot interpret: " + e.msg }

// decodeArg decodes args[name] (a JSON value) strictly into v.
func decodeArg(args map[string]any, name string, v any) error {
	raw, ok := args[name]
	if !ok {
		return &cannotRun{"missing argument " + name}
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return &cannotRun{err.Error()}
	}
	if err := strict(data, v); err != nil {
		return &cannotRun{fmt.Sprintf("argument %s does not fit the SDK's type %T: %v", name, v, err)}
	}
	return nil
}

// onlyArgs refuses arguments a call does not take.
func onlyArgs(args map[string]any, allowed ...string) error {
	for k := range args {
		found := false
		for _, a := range allowed {
			found = found || a == k
		}
		if !found {
			return &cannotRun{"unknown argument " + k}
		}
	}
	return nil
}

// call runs one step's call through the SDK and returns its result as plain JSON values.
func (r *scenarioRun) call(ctx context.Context, c *omp.Client, name string, args map[string]any) (any, error) {
	var out any
	var err error
	idArg := func() (string, error) {
		var id string
		err := decodeArg(args, "id", &id)
		return id, err
	}
	// if_match and idempotency_key become per-call options; every call reports its response's ETag.
	var info omp.ResponseInfo
	ctx = omp.WithResponseInfo(ctx, &info)
	defer func() { r.etag = info.ETag() }()
	for arg, with := range map[string]func(context.Context, string) context.Context{"if_match": omp.WithIfMatch, "idempotency_key": omp.WithIdempotencyKey} {
		if _, ok := args[arg]; ok {
			var v string
			if err := decodeArg(args, arg, &v); err != nil {
				return nil, err
			}
			ctx = with(ctx, v)
		}
	}
	switch name {
	case "createMemory":
		var body omp.CreateMemoryRequest
		if err := errors.Join(onlyArgs(args, "body", "idempotency_key"), decodeArg(args, "body", &body)); err != nil {
			return nil, err
		}
		out, err = c.CreateMemory(ctx, body)
	case "listMemories.walk":
		if err := onlyArgs(args, "query", "between_pages"); err != nil {
			return nil, err
		}
		out, err = r.walk(ctx, c, args)
	case "getMemory":
		id, aerr := idArg()
		if err := errors.Join(onlyArgs(args, "id"), aerr); err != nil {
			return nil, err
		}
		out, err = c.GetMemory(ctx, id)
	case "updateMemory":
		var body omp.UpdateMemoryRequest
		id, aerr := idArg()
		if err := errors.Join(onlyArgs(args, "id", "body", "if_match"), aerr, decodeArg(args, "body", &body)); err != nil {
			return nil, err
		}
		out, err = c.UpdateMemory(ctx, id, body)
	case "deleteMemory":
		id, aerr := idArg()
		if err := errors.Join(onlyArgs(args, "id", "if_match"), aerr); err != nil {
			return nil, err
		}
		return nil, c.DeleteMemory(ctx, id)
	case "listMemories", "listMemories.all":
		var q omp.ListMemoriesParams
		if err := onlyArgs(args, "query"); err != nil {
			return nil, err
		}
		if _, ok := args["query"]; ok {
			if err := decodeArg(args, "query", &q); err != nil {
				return nil, err
			}
		}
		if name == "listMemories" {
			out, err = c.ListMemories(ctx, &q)
		} else {
			out, err = collect(c.ListMemoriesAll(ctx, &q))
		}
	case "searchMemories", "searchMemories.all":
		var body omp.SearchRequest
		if err := errors.Join(onlyArgs(args, "body"), decodeArg(args, "body", &body)); err != nil {
			return nil, err
		}
		if name == "searchMemories" {
			out, err = c.SearchMemories(ctx, body)
		} else {
			out, err = collect(c.SearchMemoriesAll(ctx, body))
		}
	case "exportMemories":
		if err := onlyArgs(args); err != nil {
			return nil, err
		}
		out, err = c.ExportMemories(ctx)
	case "importMemories":
		var file omp.ExportFile
		var params omp.ImportMemoriesParams
		if err := errors.Join(onlyArgs(args, "file", "conflict"), decodeArg(args, "file", &file)); err != nil {
			return nil, err
		}
		if _, ok := args["conflict"]; ok {
			var conflict omp.ConflictStrategy
			if err := decodeArg(args, "conflict", &conflict); err != nil {
				return nil, err
			}
			params.Conflict = &conflict
		}
		out, err = c.ImportMemories(ctx, file, &params)
	case "getHealth":
		if err := onlyArgs(args); err != nil {
			return nil, err
		}
		out, err = c.GetHealth(ctx)
	case "getMe":
		if err := onlyArgs(args); err != nil {
			return nil, err
		}
		out, err = c.GetMe(ctx)
	case "$faults":
		if err := onlyArgs(args, "method", "path", "origin"); err != nil {
			return nil, err
		}
		body, ferr := r.faultsRequest(http.MethodGet, nil)
		if ferr != nil {
			return nil, &cannotRun{"reading the proxy's log: " + ferr.Error()}
		}
		var log struct {
			Requests []map[string]any `json:"requests"`
		}
		if err := json.Unmarshal(body, &log); err != nil {
			return nil, &cannotRun{"reading the proxy's log: " + err.Error()}
		}
		seen := []any{}
		for _, q := range log.Requests {
			if m, ok := args["method"]; ok && q["method"] != m {
				continue
			}
			if p, ok := args["path"]; ok && q["path"] != p {
				continue
			}
			if o, ok := args["origin"]; ok && q["origin"] != o {
				continue
			}
			seen = append(seen, q)
		}
		return seen, nil
	default:
		return nil, &cannotRun{"unknown call " + name}
	}
	if err != nil {
		return nil, err
	}
	return plain(out)
}

// walk walks a list page by page, writing between pages as between_pages says; every item, in order.
func (r *scenarioRun) walk(ctx context.Context, c *omp.Client, args map[string]any) ([]omp.Memory, error) {
	var q omp.ListMemoriesParams
	if _, ok := args["query"]; ok {
		if err := decodeArg(args, "query", &q); err != nil {
			return nil, err
		}
	}
	var between struct {
		Create      *omp.CreateMemoryRequest `json:"create"`
		DeleteFirst bool                     `json:"delete_first"`
	}
	if err := decodeArg(args, "between_pages", &between); err != nil {
		return nil, err
	}
	var out []omp.Memory
	var pending error
	for page, err := range c.ListMemoriesPages(ctx, &q) {
		if err != nil {
			return nil, err
		}
		if pending != nil {
			return nil, pending
		}
		out = append(out, page.Memories...)
		if page.NextCursor == nil && page.Offset+len(page.Memories) >= page.Total {
			continue // the last page: nothing follows to write between
		}
		// The walker fetches the next page when this body returns: write now, as if another client did.
		if between.Create != nil {
			_, pending = c.CreateMemory(ctx, *between.Create)
		}
		if between.DeleteFirst && len(page.Memories) > 0 && pending == nil {
			pending = c.DeleteMemory(ctx, page.Memories[0].ID)
		}
	}
	return out, pending
}

// collect drains an iterator into a slice; the first error ends it.
func collect(seq func(func(omp.Memory, error) bool)) ([]omp.Memory, error) {
	out := []omp.Memory{}
	for m, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// plain is v as the JSON values the expectations are written in (what the SDK's types carry, re-encoded).
func plain(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(data, &out)
}

// faultsRequest calls the proxy's control endpoint /__faults.
func (r *scenarioRun) faultsRequest(method string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(r.ctx, method, r.proxy+"/__faults", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s /__faults: %d %s", method, resp.StatusCode, data)
	}
	return data, err
}

var (
	wholeRef = regexp.MustCompile(`^\$\{([a-z_][a-z0-9_]*)((?:\.[A-Za-z0-9_]+)*)\}$`)
	runRef   = "${run}"
)

// substitute replaces ${run} and ${name.path} in a JSON value (scenarios/README.md, Values).
func (r *scenarioRun) substitute(v any) (any, error) {
	switch x := v.(type) {
	case string:
		if x == runRef {
			return r.run, nil
		}
		if m := wholeRef.FindStringSubmatch(x); m != nil {
			val, ok := r.saved[m[1]]
			if !ok {
				return nil, &cannotRun{"no saved value " + m[1]}
			}
			for _, key := range strings.Split(strings.TrimPrefix(m[2], "."), ".") {
				if key == "" {
					continue
				}
				obj, ok := val.(map[string]any)
				if !ok {
					return nil, &cannotRun{fmt.Sprintf("%s: %s is not a member of an object", x, key)}
				}
				if val, ok = obj[key]; !ok {
					val = nil
				}
			}
			return clone(val), nil
		}
		return strings.ReplaceAll(x, runRef, r.run), nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			s, err := r.substitute(e)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			s, err := r.substitute(e)
			if err != nil {
				return nil, err
			}
			out[k] = s
		}
		return out, nil
	}
	return v, nil
}

// clone deep-copies a JSON value.
func clone(v any) any {
	out, _ := plain(v)
	return out
}

// kindOf names an SDK error as the scenarios do.
func kindOf(err error) string {
	switch {
	case errors.Is(err, omp.ErrTimeout):
		return "TimeoutError"
	case errors.Is(err, omp.ErrConnection):
		return "ConnectionError"
	case errors.Is(err, omp.ErrValidation):
		return "ValidationError"
	case errors.Is(err, omp.ErrAuthentication):
		return "AuthenticationError"
	case errors.Is(err, omp.ErrPermission):
		return "PermissionError"
	case errors.Is(err, omp.ErrNotFound):
		return "NotFoundError"
	case errors.Is(err, omp.ErrConflict):
		return "ConflictError"
	case errors.Is(err, omp.ErrPreconditionFailed):
		return "PreconditionFailedError"
	case errors.Is(err, omp.ErrRateLimited):
		return "RateLimitError"
	case errors.Is(err, omp.ErrServer):
		return "ServerError"
	}
	return fmt.Sprintf("unclassified %T", err)
}

// check compares a call's outcome with the step's expectation.
func (r *scenarioRun) check(exp expectation, result any, err error) error {
	if exp.Error != "" {
		if err == nil {
			return fmt.Errorf("succeeded, want %s", exp.Error)
		}
		if got := kindOf(err); got != exp.Error {
			return fmt.Errorf("failed with %s (%v), want %s", got, err, exp.Error)
		}
		var apiErr *omp.APIError
		if exp.Status != nil || exp.Code != nil {
			if !errors.As(err, &apiErr) {
				return fmt.Errorf("%v carries no status or code", err)
			}
			if exp.Status != nil && apiErr.Status != *exp.Status {
				return fmt.Errorf("status %d, want %d", apiErr.Status, *exp.Status)
			}
			if exp.Code != nil && apiErr.Code != *exp.Code {
				return fmt.Errorf("code %q, want %q", apiErr.Code, *exp.Code)
			}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("failed: %w", err)
	}
	want := func(raw json.RawMessage) (any, error) {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, &cannotRun{err.Error()}
		}
		return r.substitute(v)
	}
	if exp.Match != nil {
		w, err := want(exp.Match)
		if err != nil {
			return err
		}
		if path, ok := matches(w, result, ""); !ok {
			return fmt.Errorf("match fails at %s:\n got  %s\n want %s", path, show(result), show(w))
		}
	}
	if exp.Equals != nil {
		w, err := want(exp.Equals)
		if err != nil {
			return err
		}
		if path, ok := equal(w, result, ""); !ok {
			return fmt.Errorf("equals fails at %s:\n got  %s\n want %s", path, show(result), show(w))
		}
	}
	items, isArray := result.([]any)
	if exp.Length != nil && (!isArray || len(items) != *exp.Length) {
		return fmt.Errorf("length: got %s, want %d items", show(result), *exp.Length)
	}
	if exp.SameMember != nil {
		if !isArray || len(items) == 0 {
			return fmt.Errorf("same_member: the result is not a non-empty array: %s", show(result))
		}
		first, ok := memberAt(items[0], *exp.SameMember)
		for _, it := range items {
			v, has := memberAt(it, *exp.SameMember)
			if !ok || !has || v == nil || show(v) != show(first) {
				return fmt.Errorf("same_member: %s is not one value on every item: %s", *exp.SameMember, show(result))
			}
		}
	}
	if exp.AbsentMember != nil {
		if !isArray {
			return fmt.Errorf("absent_member: the result is not an array: %s", show(result))
		}
		for _, it := range items {
			if _, has := memberAt(it, *exp.AbsentMember); has {
				return fmt.Errorf("absent_member: an item has %s: %s", *exp.AbsentMember, show(it))
			}
		}
	}
	if exp.UniqueIDs || exp.IDsEqual != nil || exp.AbsentIDs != nil {
		if !isArray {
			return fmt.Errorf("ids: the result is not an array: %s", show(result))
		}
		ids := map[string]int{}
		for _, it := range items {
			m, _ := it.(map[string]any)
			id, _ := m["id"].(string)
			ids[id]++
		}
		if exp.UniqueIDs && len(ids) != len(items) {
			return fmt.Errorf("unique_ids: %d items, %d distinct ids", len(items), len(ids))
		}
		if exp.IDsEqual != nil {
			w, err := r.substituteStrings(exp.IDsEqual)
			if err != nil {
				return err
			}
			want := map[string]bool{}
			for _, id := range w {
				want[id] = true
			}
			got := map[string]bool{}
			for id := range ids {
				got[id] = true
			}
			if fmt.Sprint(sortedKeys(got)) != fmt.Sprint(sortedKeys(want)) {
				return fmt.Errorf("ids_equal: got %v, want %v", sortedKeys(got), sortedKeys(want))
			}
		}
		if exp.AbsentIDs != nil {
			w, err := r.substituteStrings(exp.AbsentIDs)
			if err != nil {
				return err
			}
			for _, id := range w {
				if ids[id] > 0 {
					return fmt.Errorf("absent_ids: %s is present", id)
				}
			}
		}
	}
	return nil
}

// memberAt is the member at a dotted path (headers.idempotency-key) of a JSON value, and whether it is there.
func memberAt(v any, path string) (any, bool) {
	for _, seg := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[seg]; !ok {
			return nil, false
		}
	}
	return v, true
}

func (r *scenarioRun) substituteStrings(in []string) ([]string, error) {
	out := make([]string, len(in))
	for i, s := range in {
		v, err := r.substitute(s)
		if err != nil {
			return nil, err
		}
		str, ok := v.(string)
		if !ok {
			return nil, &cannotRun{fmt.Sprintf("%s is not a string", s)}
		}
		out[i] = str
	}
	return out, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// matches: every member of want's objects deep-equals got's (recursively); arrays and scalars are equal.
func matches(want, got any, path string) (string, bool) {
	w, ok := want.(map[string]any)
	if !ok {
		return equal(want, got, path)
	}
	g, ok := got.(map[string]any)
	if !ok {
		return path, false
	}
	for k, wv := range w {
		if p, ok := matches(wv, g[k], path+"/"+k); !ok {
			return p, false
		}
	}
	return "", true
}

// equal is deep equality of JSON values, where an absent object member equals null: the SDK's Go types
// carry "no namespace" as nil whether the server wrote null or left the member out (schemas/memory.schema.json
// allows both), so re-encoding the typed result cannot tell them apart.
func equal(want, got any, path string) (string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path, false
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		for k := range keys {
			if p, ok := equal(w[k], g[k], path+"/"+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path, false
		}
		for i := range w {
			if p, ok := equal(w[i], g[i], fmt.Sprintf("%s/%d", path, i)); !ok {
				return p, false
			}
		}
		return "", true
	}
	if want != got {
		return path, false
	}
	return "", true
}

func show(v any) string {
	data, _ := json.Marshal(v)
	if len(data) > 2000 {
		return string(data[:2000]) + "…"
	}
	return string(data)
}

// The runner fails a scenario it cannot interpret instead of skipping any part of it, and it fails a
// scenario whose expectation does not hold.
func TestScenarioRunnerRefuses(t *testing.T) {
	info, _ := liveServer(t)
	health := `{"call": "getHealth", "expect": {"ok": true}}`
	cases := []struct {
		name, scenario string
		cannot         bool
	}{
		{"valid", `{"description": "d", "requirements": ["OMP-HEALTH-001"], "steps": [` + health + `]}`, false},
		{"unknown top-level member", `{"description": "d", "requirements": [], "skip": true, "steps": [` + health + `]}`, true},
		{"no steps", `{"description": "d", "requirements": [], "steps": []}`, true},
		{"unknown call", `{"description": "d", "requirements": [], "steps": [{"call": "getEverything", "expect": {"ok": true}}]}`, true},
		{"unknown argument", `{"description": "d", "requirements": [], "steps": [{"call": "getHealth", "args": {"verbose": true}, "expect": {"ok": true}}]}`, true},
		{"unknown expectation", `{"description": "d", "requirements": [], "steps": [{"call": "getHealth", "expect": {"ok": true, "fast": true}}]}`, true},
		{"ok and error", `{"description": "d", "requirements": [], "steps": [{"call": "getHealth", "expect": {"ok": true, "error": "ServerError"}}]}`, true},
		{"body member the SDK lacks", `{"description": "d", "requirements": [], "steps": [{"call": "createMemory", "args": {"body": {"content": "c", "type": "semantic", "source": {"tool": "t"}, "colour": "red"}}, "expect": {"ok": true}}]}`, true},
		{"unknown saved value", `{"description": "d", "requirements": [], "steps": [{"call": "getMemory", "args": {"id": "${nothing.id}"}, "expect": {"ok": true}}]}`, true},
		{"unknown token", `{"description": "d", "requirements": [], "client": {"token": "c"}, "steps": [` + health + `]}`, true},
		{"expectation that does not hold", `{"description": "d", "requirements": [], "steps": [{"call": "getHealth", "expect": {"ok": true, "match": {"status": "degraded"}}}]}`, false},
		{"error expected, call succeeds", `{"description": "d", "requirements": [], "steps": [{"call": "getHealth", "expect": {"error": "ServerError"}}]}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "case.json")
			if err := os.WriteFile(path, []byte(tc.scenario), 0o600); err != nil {
				t.Fatal(err)
			}
			err := runScenarioFile(t.Context(), path, info)
			var cannot *cannotRun
			switch {
			case tc.name == "valid":
				if err != nil {
					t.Fatalf("a valid scenario failed: %v", err)
				}
			case err == nil:
				t.Fatal("the scenario passed")
			case errors.As(err, &cannot) != tc.cannot:
				t.Fatalf("got %v; want cannot-interpret = %v", err, tc.cannot)
			}
		})
	}
}
