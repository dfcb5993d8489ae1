// Command peer runs the real github.com/rancher/remotedialer library as an
// interop partner for the TypeScript implementation.
//
//	peer server -listen 127.0.0.1:0 -token T
//	    A remotedialer.Server at /connect. Clients authenticate with
//	    X-Test-Token; X-Test-Client names the client key. The same listener
//	    serves a small JSON control API (/job, /has-session) that makes the
//	    server dial through a client's tunnel and echo, flood, sink or hold.
//	    It also starts a TCP echo server and prints both addresses.
//	peer client -url ws://.../connect -token T -client-key K [-count N]
//	    remotedialer.ClientConnect (N sessions named K, K-1, ...), allowing
//	    tcp to any address and dialing real TCP.
//
// This file is shared, unchanged, by the sibling modules that pin older
// library versions, so it only uses API present since v0.3.0.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rancher/remotedialer"
	"github.com/sirupsen/logrus"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: peer server|client [flags]")
		os.Exit(2)
	}
	logrus.SetLevel(logrus.WarnLevel)
	if os.Getenv("PEER_DEBUG") != "" {
		logrus.SetLevel(logrus.DebugLevel)
	}
	switch os.Args[1] {
	case "server":
		runServer(os.Args[2:])
	case "client":
		runClient(os.Args[2:])
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
}

// ---- server ----------------------------------------------------------------

type job struct {
	mu       sync.Mutex
	Kind     string `json:"kind"`
	Done     bool   `json:"done"`
	Error    string `json:"error,omitempty"`
	IsEOF    bool   `json:"isEOF"`
	Written  int64  `json:"written"`
	Read     int64  `json:"read"`
	SentSha  string `json:"sentSha,omitempty"`
	RecvSha  string `json:"recvSha,omitempty"`
	Millis   int64  `json:"ms"`
	P50Micro int64  `json:"p50us,omitempty"`
	P99Micro int64  `json:"p99us,omitempty"`
	conn     net.Conn
}

type server struct {
	rd     *remotedialer.Server
	jobs   sync.Map
	nextID int64
}

func runServer(args []string) {
	fs := flag.NewFlagSet("server", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "listen address")
	token := fs.String("token", "test-token", "accepted X-Test-Token")
	fs.Parse(args)

	s := &server{}
	s.rd = remotedialer.New(func(req *http.Request) (string, bool, error) {
		got := req.Header.Get("X-Test-Token")
		if got == "explode" {
			return "", false, errors.New("token is malformed")
		}
		return req.Header.Get("X-Test-Client"), got == *token, nil
	}, remotedialer.DefaultErrorWriter)

	mux := http.NewServeMux()
	mux.Handle("/connect", s.rd)
	mux.HandleFunc("/has-session", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]bool{"has": s.rd.HasSession(r.URL.Query().Get("client"))})
	})
	mux.HandleFunc("/job", s.handleJob)
	mux.HandleFunc("/job/close", func(w http.ResponseWriter, r *http.Request) {
		if j := s.job(r); j != nil && j.conn != nil {
			j.conn.Close()
		}
		writeJSON(w, map[string]bool{"ok": true})
	})
	mux.HandleFunc("/mem", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]int64{"rssBytes": rssBytes()})
	})

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		logrus.Fatal(err)
	}
	echoAddr := startTCPServer(func(c net.Conn) { io.Copy(c, c) })
	discardAddr := startTCPServer(func(c net.Conn) { io.Copy(io.Discard, c) })
	sourceAddr := startTCPServer(func(c net.Conn) {
		// Pattern bytes until the reader goes away.
		writePattern(c, 1<<62, 1, io.Discard, new(int64))
	})
	fmt.Printf("LISTENING %s ECHO %s DISCARD %s SOURCE %s\n", ln.Addr(), echoAddr, discardAddr, sourceAddr)
	go http.Serve(ln, mux)
	waitForSignal()
}

func (s *server) job(r *http.Request) *job {
	v, ok := s.jobs.Load(r.URL.Query().Get("id"))
	if !ok {
		return nil
	}
	return v.(*job)
}

// handleJob: POST starts a job and returns its id; GET reports on it.
func (s *server) handleJob(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		j := s.job(r)
		if j == nil {
			http.Error(w, "no such job", 404)
			return
		}
		j.mu.Lock()
		defer j.mu.Unlock()
		writeJSON(w, j)
		return
	}
	q := r.URL.Query()
	n, _ := strconv.ParseInt(q.Get("bytes"), 10, 64)
	stall, _ := strconv.Atoi(q.Get("stall_ms"))
	seed, _ := strconv.ParseInt(q.Get("seed"), 10, 64)
	rounds, _ := strconv.Atoi(q.Get("rounds"))
	j := &job{Kind: q.Get("kind")}
	id := strconv.FormatInt(atomic.AddInt64(&s.nextID, 1), 10)
	s.jobs.Store(id, j)

	dial := s.rd.Dialer(q.Get("client"))
	proto := q.Get("proto")
	if proto == "" {
		proto = "tcp"
	}
	conn, err := dial(context.Background(), proto, q.Get("address"))
	if err != nil {
		j.finish(err, time.Now())
		writeJSON(w, map[string]string{"id": id})
		return
	}
	j.conn = conn
	go j.run(conn, n, seed, time.Duration(stall)*time.Millisecond, rounds)
	writeJSON(w, map[string]string{"id": id})
}

func (j *job) run(conn net.Conn, n, seed int64, stall time.Duration, rounds int) {
	start := time.Now()
	defer conn.Close()
	switch j.Kind {
	case "echo":
		// Write n pattern bytes and read n bytes back, concurrently.
		type written struct {
			sha string
			err error
		}
		sent := make(chan written, 1)
		go func() {
			h := sha256.New()
			err := writePattern(conn, n, seed, h, &j.Written)
			sent <- written{hex.EncodeToString(h.Sum(nil)), err}
		}()
		h := sha256.New()
		_, err := io.CopyN(io.MultiWriter(h, counter{&j.Read}), conn, n)
		// Wait for the writer before taking the lock (waiting while holding
		// it deadlocked the job and every GET of it). The read side's error
		// is the one reported: it carries the tunnel's reason (e.g. "connect
		// not allowed"), while the writer only sees a closed pipe.
		w := <-sent
		if err == nil {
			err = w.err
		}
		j.mu.Lock()
		j.SentSha = w.sha
		j.RecvSha = hex.EncodeToString(h.Sum(nil))
		j.mu.Unlock()
		j.finish(err, start)
	case "flood":
		h := sha256.New()
		err := writePattern(conn, n, seed, h, &j.Written)
		j.mu.Lock()
		j.SentSha = hex.EncodeToString(h.Sum(nil))
		j.mu.Unlock()
		j.finish(err, start)
	case "sink", "hold":
		// Read until EOF or error (after an optional stall), hashing what
		// arrives; with bytes > 0, read exactly that much and close.
		time.Sleep(stall)
		h := sha256.New()
		var err error
		if n > 0 {
			_, err = io.CopyN(io.MultiWriter(h, counter{&j.Read}), conn, n)
		} else {
			_, err = io.Copy(io.MultiWriter(h, counter{&j.Read}), conn)
			if err == nil {
				err = io.EOF
			}
		}
		j.mu.Lock()
		j.RecvSha = hex.EncodeToString(h.Sum(nil))
		j.mu.Unlock()
		j.finish(err, start)
	case "latency":
		// rounds sequential request/response exchanges of n bytes each.
		buf := make([]byte, n)
		back := make([]byte, n)
		durations := make([]time.Duration, 0, rounds)
		var err error
		for i := 0; i < rounds && err == nil; i++ {
			t := time.Now()
			if _, err = conn.Write(buf); err == nil {
				_, err = io.ReadFull(conn, back)
			}
			durations = append(durations, time.Since(t))
		}
		sort.Slice(durations, func(a, b int) bool { return durations[a] < durations[b] })
		if len(durations) > 0 {
			j.mu.Lock()
			j.P50Micro = durations[len(durations)/2].Microseconds()
			j.P99Micro = durations[len(durations)*99/100].Microseconds()
			j.mu.Unlock()
		}
		j.finish(err, start)
	default:
		j.finish(fmt.Errorf("unknown job kind %q", j.Kind), start)
	}
}

func (j *job) setError(err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.Error == "" && err != nil {
		j.Error = err.Error()
		j.IsEOF = err == io.EOF
	}
}

func (j *job) finish(err error, start time.Time) {
	j.setError(err)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.Written = atomic.LoadInt64(&j.Written)
	j.Read = atomic.LoadInt64(&j.Read)
	j.Millis = time.Since(start).Milliseconds()
	j.Done = true
}

type counter struct{ n *int64 }

func (c counter) Write(p []byte) (int, error) {
	atomic.AddInt64(c.n, int64(len(p)))
	return len(p), nil
}

// writePattern writes n bytes from a seeded PRNG in 32 KiB chunks (Go's
// io.Copy size), hashing what it writes.
func writePattern(w io.Writer, n, seed int64, h io.Writer, written *int64) error {
	rng := rand.New(rand.NewSource(seed))
	buf := make([]byte, 32*1024)
	for n > 0 {
		chunk := buf
		if int64(len(chunk)) > n {
			chunk = chunk[:n]
		}
		rng.Read(chunk)
		h.Write(chunk)
		m, err := w.Write(chunk)
		atomic.AddInt64(written, int64(m))
		if err != nil {
			return err
		}
		n -= int64(m)
	}
	return nil
}

// startTCPServer runs serve for every connection on a loopback port: the
// echo, discard and source endpoints that tunnelled connections dial.
func startTCPServer(serve func(net.Conn)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		logrus.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				serve(c)
			}()
		}
	}()
	return ln.Addr().String()
}

func writeJSON(w http.ResponseWriter, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// ---- client ----------------------------------------------------------------

func runClient(args []string) {
	fs := flag.NewFlagSet("client", flag.ExitOnError)
	url := fs.String("url", "", "ws:// URL of the remotedialer server")
	token := fs.String("token", "test-token", "X-Test-Token to send")
	key := fs.String("client-key", "go-client", "X-Test-Client to send")
	count := fs.Int("count", 1, "number of sessions (keys get a -<i> suffix after the first)")
	fs.Parse(args)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var connected int64
	for i := 0; i < *count; i++ {
		clientKey := *key
		if i > 0 {
			clientKey = fmt.Sprintf("%s-%d", *key, i)
		}
		headers := http.Header{}
		headers.Set("X-Test-Token", *token)
		headers.Set("X-Test-Client", clientKey)
		go func() {
			for ctx.Err() == nil {
				remotedialer.ClientConnect(ctx, *url, headers, nil, func(proto, address string) bool {
					return proto == "tcp"
				}, func(ctx context.Context, _ *remotedialer.Session) error {
					if n := atomic.AddInt64(&connected, 1); n == int64(*count) {
						fmt.Printf("CONNECTED %d\n", n)
					}
					return nil
				})
			}
		}()
	}
	go func() {
		// Memory reports for the benchmark, on request via SIGUSR1.
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGUSR1)
		for range ch {
			fmt.Printf("RSS %d\n", rssBytes())
		}
	}()
	waitForSignal()
}

func rssBytes() int64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	var size, resident int64
	fmt.Sscan(string(data), &size, &resident)
	return resident * int64(os.Getpagesize())
}

func waitForSignal() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	<-ch
}
