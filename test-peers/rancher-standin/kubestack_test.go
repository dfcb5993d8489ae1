package main

// A throwaway real control plane from the project's kube stack
// (${XDG_CACHE_HOME:-~/.cache}/scale-cluster-agent/kube-stack/bin, built by
// scripts/build-kube-stack.sh): etcd, kube-apiserver (RBAC, a static admin
// token) and kube-controller-manager with only the service account token
// controllers, so impersonation secrets get their tokens. Skipped when the
// binaries are missing or with -short.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type kubeStack struct {
	Address string // host:port of the API server
	CAPEM   []byte
	Token   string // cluster-admin (system:masters)
	Kubectl string
	client  *http.Client
}

func kubeStackBin() string {
	if d := os.Getenv("SCALE_AGENT_KUBE_CACHE"); d != "" {
		return d
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "scale-cluster-agent", "kube-stack", "bin")
}

func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func startKubeStack(t *testing.T) *kubeStack {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no kube stack")
	}
	bin := kubeStackBin()
	for _, b := range []string{"etcd", "kube-apiserver", "kube-controller-manager", "kubectl"} {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			t.Skipf("kube stack not built (%s missing; scripts/build-kube-stack.sh)", filepath.Join(bin, b))
		}
	}
	dir := t.TempDir()
	// PKI: a CA, the API server's serving certificate, the service account key.
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "standin-test-kube-ca"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "kube-apiserver"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost", "kubernetes", "kubernetes.default.svc"}}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	saKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvKeyDER, _ := x509.MarshalECPrivateKey(srvKey)
	saKeyDER, _ := x509.MarshalECPrivateKey(saKey)
	saPubDER, _ := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	writePEM(t, dir+"/ca.crt", "CERTIFICATE", caDER)
	writePEM(t, dir+"/apiserver.crt", "CERTIFICATE", srvDER)
	writePEM(t, dir+"/apiserver.key", "EC PRIVATE KEY", srvKeyDER)
	writePEM(t, dir+"/sa.key", "EC PRIVATE KEY", saKeyDER)
	writePEM(t, dir+"/sa.pub", "PUBLIC KEY", saPubDER)
	token := "admin-" + randomString(24)
	if err := os.WriteFile(dir+"/tokens.csv", []byte(token+",admin,admin-uid,system:masters\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var procs []*exec.Cmd
	t.Cleanup(func() {
		cancel()
		for i := len(procs) - 1; i >= 0; i-- {
			_ = procs[i].Wait()
		}
	})
	logs := func(name string) io.Writer {
		f, err := os.Create(filepath.Join(dir, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			f.Close()
			if t.Failed() {
				raw, _ := os.ReadFile(f.Name())
				if len(raw) > 4000 {
					raw = raw[len(raw)-4000:]
				}
				t.Logf("%s log (tail):\n%s", name, raw)
			}
		})
		return f
	}
	start := func(name string, args ...string) {
		cmd := exec.CommandContext(ctx, filepath.Join(bin, name), args...)
		cmd.Stdout, cmd.Stderr = logs(name), logs(name+"-err")
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
		cmd.WaitDelay = 10 * time.Second
		if err := cmd.Start(); err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
		procs = append(procs, cmd)
	}
	etcdPort, peerPort, apiPort := freePort(t), freePort(t), freePort(t)
	start("etcd", "--data-dir", dir+"/etcd", "--name", "default",
		"--listen-client-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPort), "--advertise-client-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPort),
		"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", peerPort), "--initial-advertise-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", peerPort),
		"--initial-cluster", fmt.Sprintf("default=http://127.0.0.1:%d", peerPort), "--listen-metrics-urls", "")
	start("kube-apiserver", "--etcd-servers", fmt.Sprintf("http://127.0.0.1:%d", etcdPort),
		"--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", fmt.Sprint(apiPort),
		"--tls-cert-file", dir+"/apiserver.crt", "--tls-private-key-file", dir+"/apiserver.key", "--client-ca-file", dir+"/ca.crt",
		"--token-auth-file", dir+"/tokens.csv", "--authorization-mode", "RBAC",
		"--service-account-issuer", "https://kubernetes.default.svc", "--service-account-key-file", dir+"/sa.pub",
		"--service-account-signing-key-file", dir+"/sa.key", "--service-cluster-ip-range", "10.96.0.0/24",
		"--disable-admission-plugins", "ServiceAccount")
	ks := &kubeStack{Address: fmt.Sprintf("127.0.0.1:%d", apiPort), CAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		Token: token, Kubectl: filepath.Join(bin, "kubectl")}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	ks.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	eventually(t, 60*time.Second, func() string {
		code, body := ks.do("GET", "/readyz", nil)
		if code != 200 {
			return fmt.Sprintf("readyz %d %s", code, body)
		}
		return ""
	})
	kubeconfig := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: k, cluster: {server: "https://%s", certificate-authority: %q}}]
users: [{name: admin, user: {token: %q}}]
contexts: [{name: k, context: {cluster: k, user: admin}}]
current-context: k
`, ks.Address, dir+"/ca.crt", token)
	if err := os.WriteFile(dir+"/admin.kubeconfig", []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	start("kube-controller-manager", "--kubeconfig", dir+"/admin.kubeconfig", "--controllers", "serviceaccount-token,serviceaccount",
		"--service-account-private-key-file", dir+"/sa.key", "--root-ca-file", dir+"/ca.crt",
		"--use-service-account-credentials=false", "--leader-elect=false", "--secure-port", "0")
	return ks
}

// do sends an admin request with a JSON body.
func (k *kubeStack) do(method, path string, body any) (int, string) {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = strings.NewReader(string(raw))
	}
	req, _ := http.NewRequest(method, "https://"+k.Address+path, rd)
	req.Header.Set("Authorization", "Bearer "+k.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// addNode creates a Node with capacity (a kubelet-less node, as KWOK makes them).
func (k *kubeStack) addNode(t *testing.T, name string) {
	t.Helper()
	if code, body := k.do("POST", "/api/v1/nodes", map[string]any{"apiVersion": "v1", "kind": "Node",
		"metadata": map[string]any{"name": name, "annotations": map[string]any{annotationPodRequests: `{"cpu":"250m","pods":"2"}`}}}); code != 201 {
		t.Fatalf("create node: %d %s", code, body)
	}
	req, _ := http.NewRequest("PATCH", "https://"+k.Address+"/api/v1/nodes/"+name+"/status",
		strings.NewReader(`{"status":{"capacity":{"cpu":"4","memory":"8Gi","pods":"110"},"allocatable":{"cpu":"4","memory":"8Gi","pods":"110"}}}`))
	req.Header.Set("Authorization", "Bearer "+k.Token)
	req.Header.Set("Content-Type", "application/merge-patch+json")
	resp, err := k.client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("node status patch: %v %v", err, resp)
	}
	resp.Body.Close()
}
