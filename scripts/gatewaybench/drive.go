package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type driveConfig struct {
	bin, db string
	targets string
	// trailCommit, when set, is serve's governance.trail_commit.
	trailCommit string
	conc        int
	dur         time.Duration
	rate        int
}

// target is one server under test.
type target struct {
	name, url, key, model string
	pid                   int
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// start runs a process until the drive ends.
func start(procs *[]*exec.Cmd, name string, args []string, env []string) (*exec.Cmd, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	*procs = append(*procs, cmd)
	return cmd, nil
}

func drive(c driveConfig) error {
	if c.db != "" {
		db, drop, err := freshDatabase(c.db)
		if err != nil {
			return err
		}
		defer drop() // after the processes below are stopped
		c.db = db
	}
	dir, err := os.MkdirTemp("", "gatewaybench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir) // after the processes below are stopped
	var procs []*exec.Cmd
	defer func() {
		for _, p := range procs {
			p.Process.Kill()
			p.Wait()
		}
	}()
	self, _ := os.Executable()
	upAddr, bfAddr, tsAddr := freeAddr(), freeAddr(), freeAddr()
	up, err := start(&procs, self, []string{"-role", "upstream", "-addr", upAddr}, nil)
	if err != nil {
		return err
	}
	upURL := "http://" + upAddr + "/v1"
	bf, err := start(&procs, self, []string{"-role", "bifrost", "-addr", bfAddr, "-upstream", "http://" + upAddr}, nil)
	if err != nil {
		return err
	}
	ts, key, err := startTicketsum(&procs, c, dir, tsAddr, upURL)
	if err != nil {
		return err
	}
	targets := []target{
		{name: "direct", url: upURL, model: "bench-model", pid: up.Process.Pid},
		{name: "bifrost-core", url: "http://" + bfAddr + "/v1", model: "bench-model", pid: bf.Process.Pid},
		{name: "ticketsum", url: "http://" + tsAddr + "/v1", key: key, model: "openai:bench-model", pid: ts.Process.Pid},
	}
	for _, t := range targets {
		if err := waitReady(t); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	store := "SQLite"
	if c.db != "" {
		store = "Postgres"
	}
	if c.trailCommit != "" {
		store += ", governance.trail_commit " + c.trailCommit
	}
	fmt.Printf("gatewaybench: store %s, closed loop %d workers x %s, then %s idle, latency at %d req/s, %d cores\n", store, c.conc, c.dur, settle, c.rate, numCPU())
	fmt.Printf("%-14s %10s %8s %14s %10s %10s %8s\n", "target", "req/s", "errors", "cpu-us/req", "p50-ms", "p99-ms", "errors")
	var directP50, directP99 float64
	for _, t := range targets {
		if !slices.Contains(strings.Split(c.targets, ","), t.name) {
			continue
		}
		rps, errs, cpu := closedLoop(t, c.conc, c.dur)
		// The closed loop leaves the target saturated (queued trail
		// groups, a WAL to check-point, pools at their peak): the latency
		// run starts once that work has drained, not on top of it.
		time.Sleep(settle)
		p50, p99, lerrs := fixedRate(t, c.rate, 5*time.Second)
		if t.name == "direct" {
			directP50, directP99 = p50, p99
		}
		fmt.Printf("%-14s %10.0f %8d %14.0f %10.3f %10.3f %8d\n", t.name, rps, errs, cpu, p50, p99, lerrs)
	}
	fmt.Printf("added latency is each target's p50/p99 minus direct's (%.3f / %.3f ms); cpu-us/req of direct is the upstream's own\n", directP50, directP99)
	return nil
}

// startTicketsum prepares the data dir dir (principal, approved model, key)
// and starts `ticketsum serve` on it.
func startTicketsum(procs *[]*exec.Cmd, c driveConfig, dir, addr, upURL string) (*exec.Cmd, string, error) {
	db := c.db
	if db == "" {
		db = filepath.Join(dir, "ticketsum.db")
	}
	// The model is priced, so that every call reserves and settles budget
	// as a paid model's call does (an unpriced model costs 0 and writes no
	// settlement).
	catalogue := filepath.Join(dir, "catalogue.yaml")
	if err := os.WriteFile(catalogue, []byte(benchCatalogue), 0o600); err != nil {
		return nil, "", err
	}
	cfg := fmt.Sprintf("data_dir: %s\ndb: %s\ncatalogue: %s\nopenai:\n  base_url: %s\n  api_key_env: BENCH_UPSTREAM_KEY\nmodels:\n  openai:bench-model:\n    max_concurrency: 256\nlog_level: error\n", dir, db, catalogue, upURL)
	if c.trailCommit != "" {
		cfg += "governance:\n  trail_commit: " + c.trailCommit + "\n"
	}
	cfgFile := filepath.Join(dir, "ticketsum.yaml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		return nil, "", err
	}
	env := []string{"BENCH_UPSTREAM_KEY=upstream-key"}
	run := func(args ...string) ([]byte, error) {
		cmd := exec.Command(c.bin, append([]string{"--config", cfgFile}, args...)...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				err = fmt.Errorf("%w: %s", err, bytes.TrimSpace(ee.Stderr))
			}
			return nil, fmt.Errorf("ticketsum %s: %w", strings.Join(args, " "), err)
		}
		return out, nil
	}
	if _, err := run("models", "approve", "openai:bench-model"); err != nil {
		return nil, "", err
	}
	if _, err := run("principals", "put", "bench", "--models", "openai:*", "--budget", "1000000"); err != nil {
		return nil, "", err
	}
	out, err := run("keys", "create", "--principal", "bench", "--json")
	if err != nil {
		return nil, "", err
	}
	var k struct{ Key string }
	if err := json.Unmarshal(out, &k); err != nil {
		return nil, "", fmt.Errorf("keys create: %w", err)
	}
	cmd, err := start(procs, c.bin, []string{"--config", cfgFile, "serve", "--no-sample", "--addr", addr}, env)
	return cmd, k.Key, err
}

// benchCatalogue prices the bench's model as a mid-range hosted model
// ($3 / $15 per million input / output tokens).
const benchCatalogue = `models:
  - name: openai:bench-model
    family: openai
    context_window: 128000
    max_output: 4096
    input: 3
    output: 15
    effective: "2026-12-03"
    source: "gatewaybench: a price for the bench's model, so budgets are charged"
    verified: false
`

func body(t target) []byte {
	return []byte(`{"model":"` + t.model + `","max_tokens":64,"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"My export fails with a permissions error since Monday; the agent fixed my role."}]}`)
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024}, Timeout: 30 * time.Second}

func call(t target, b []byte) error {
	req, _ := http.NewRequest("POST", t.url+"/chat/completions", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if t.key != "" {
		req.Header.Set("Authorization", "Bearer "+t.key)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		resp.Body.Close()
		return fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(msg))
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil
}

func waitReady(t target) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := call(t, body(t))
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// settle is the pause between a target's closed loop and its latency run.
const settle = 2 * time.Second

// closedLoop runs conc workers for d and returns requests/s, errors and
// the target process's CPU microseconds per request.
func closedLoop(t target, conc int, d time.Duration) (float64, int64, float64) {
	b := body(t)
	var ok, bad atomic.Int64
	cpu0 := procCPU(t.pid)
	start := time.Now()
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for time.Since(start) < d {
				if err := call(t, b); err != nil {
					noteError(t, err)
					bad.Add(1)
				} else {
					ok.Add(1)
				}
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	cpu := procCPU(t.pid) - cpu0
	n := ok.Load() + bad.Load()
	return float64(ok.Load()) / el.Seconds(), bad.Load(), float64(cpu.Microseconds()) / float64(max(n, 1))
}

// fixedRate sends rate requests/s for d and returns p50 and p99 in ms.
func fixedRate(t target, rate int, d time.Duration) (float64, float64, int64) {
	b := body(t)
	var mu sync.Mutex
	var lat []float64
	var bad atomic.Int64
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		<-tick.C
		wg.Go(func() {
			t0 := time.Now()
			err := call(t, b)
			ms := float64(time.Since(t0).Microseconds()) / 1000
			if err != nil {
				noteError(t, err)
				bad.Add(1)
				return
			}
			mu.Lock()
			lat = append(lat, ms)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(lat)
	if len(lat) == 0 {
		return 0, 0, bad.Load()
	}
	return lat[len(lat)/2], lat[len(lat)*99/100], bad.Load()
}

// procCPU reads a process's user+system CPU time from /proc.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ 100
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return strings.Count(string(b), "processor\t:")
}

var firstErrors sync.Map

// noteError prints the first error a target returns, so that an error
// count comes with its cause.
func noteError(t target, err error) {
	if _, loaded := firstErrors.LoadOrStore(t.name, true); !loaded {
		fmt.Fprintf(os.Stderr, "gatewaybench: %s: first error: %v\n", t.name, err)
	}
}
