package main

// Test harness: runs the real stand-in (run()) in-process on free ports,
// waits for its READY line, and offers small HTTP helpers.

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

const testAdminToken = "token-abcde:s3cretvalue"

type standin struct {
	t       *testing.T
	URL     string
	Control string
	DataDir string
	CAPool  *x509.CertPool
	CAPEM   string
	client  *http.Client
	done    chan error
}

func TestMain(m *testing.M) {
	// The test binary doubles as a fake kubectl for clusterdeploy (see
	// fake_kubectl_test.go): the stand-in runs it with this variable set.
	if os.Getenv(fakeKubectlEnv) == "1" {
		os.Exit(fakeKubectlMain(os.Args[1:]))
	}
	os.Setenv(fakeKubectlEnv, "1")
	if os.Getenv("STANDIN_TEST_VERBOSE") == "" {
		logrus.SetOutput(io.Discard)
	}
	os.Exit(m.Run())
}

// startStandin runs the stand-in with test-friendly intervals; extra flags override.
func startStandin(t *testing.T, dataDir string, extra ...string) *standin {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	args := append([]string{"--data-dir", dataDir, "--admin-token", testAdminToken, "--server-url", "auto",
		"--ping-interval", "300ms", "--health-interval", "300ms", "--token-status-delay", "100ms", "--log-level", "warn",
		// The old immediate namespace; the fake kubectl (this binary), fast retries.
		"--namespace-delay", "0", "--kubectl", testExecutable(), "--kubectl-tries", "3", "--kubectl-try-interval", "200ms"}, extra...)
	pr, pw := io.Pipe()
	s := &standin{t: t, DataDir: dataDir, done: make(chan error, 1)}
	logOut := io.Discard
	if os.Getenv("STANDIN_TEST_VERBOSE") != "" {
		logOut = os.Stderr
		args = append(args, "--log-level", "debug")
	}
	go func() { s.done <- run(args, pw, logOut); pw.Close() }()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "READY ") {
				lines <- sc.Text()
			}
		}
	}()
	select {
	case line := <-lines:
		f := strings.Fields(line)
		s.URL, s.Control = f[1], strings.TrimPrefix(f[2], "control=")
	case err := <-s.done:
		t.Fatalf("stand-in exited: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("stand-in did not print READY")
	}
	pemBytes, err := os.ReadFile(dataDir + "/ca.crt")
	if err != nil {
		t.Fatal(err)
	}
	s.CAPEM = string(pemBytes)
	s.CAPool = x509.NewCertPool()
	s.CAPool.AppendCertsFromPEM(pemBytes)
	s.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CAPool}}}
	t.Cleanup(s.stop)
	return s
}

func (s *standin) stop() {
	if s.done == nil {
		return
	}
	resp, err := http.Post(s.Control+"/shutdown", "application/json", nil)
	if err == nil {
		resp.Body.Close()
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.t.Error("stand-in did not stop")
	}
	s.done = nil
}

// api sends an admin-authenticated v3 request and decodes the JSON answer.
func (s *standin) api(method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	return s.do(method, s.URL+path, body, "Bearer "+testAdminToken)
}

func (s *standin) do(method, url string, body any, auth string) (int, map[string]any) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, url, rd)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func (s *standin) control(method, path string, body any) (int, map[string]any) {
	s.t.Helper()
	return s.do(method, s.Control+path, body, "")
}

func (s *standin) createCluster(name string) string {
	s.t.Helper()
	code, res := s.api("POST", "/v3/clusters", map[string]any{"type": "cluster", "name": name})
	if code != 201 {
		s.t.Fatalf("create cluster: %d %v", code, res)
	}
	return res["id"].(string)
}

func (s *standin) createToken(clusterID string) map[string]any {
	s.t.Helper()
	code, res := s.api("POST", "/v3/clusterregistrationtokens", map[string]any{"type": "clusterRegistrationToken", "clusterId": clusterID})
	if code != 201 {
		s.t.Fatalf("create token: %d %v", code, res)
	}
	return res
}

// eventually polls cond every 50 ms until it returns "" or the timeout passes.
func eventually(t *testing.T, timeout time.Duration, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		if last = cond(); last == "" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("condition not met within %s: %s", timeout, last)
}

func testExecutable() string {
	if p, err := os.Executable(); err == nil {
		return p
	}
	return os.Args[0]
}

// httptestTLS serves h over TLS for the test's lifetime.
func httptestTLS(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.StartTLS()
	t.Cleanup(func() {
		if fk, ok := h.(*fakeKube); ok {
			select {
			case <-fk.stop:
			default:
				close(fk.stop)
			}
		}
		srv.CloseClientConnections()
		srv.Close()
	})
	return srv
}

// serverCAPEM is the PEM of an httptest TLS server's certificate.
func serverCAPEM(srv *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
}
