package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"time"
)

type Config struct {
	Listen           string
	ControlListen    string
	DataDir          string
	AdminToken       string
	ServerURL        string
	PingInterval     time.Duration
	HealthInterval   time.Duration
	TokenStatusDelay time.Duration
	LogLevel         string
	AgentImage       string
	CACertFile       string
	CAKeyFile        string
	// NamespaceDelay is how long after POST /v3/clusters the cluster's
	// management namespace c-xxxxx appears (registration tokens 404 before).
	NamespaceDelay time.Duration
	// Kubectl is the kubectl binary clusterdeploy runs ("" = the kube stack's, else PATH).
	Kubectl            string
	KubectlTries       int
	KubectlTryInterval time.Duration
	// WriteContentType: "rancher" (Rancher's split of protobuf and JSON
	// writes), "protobuf" (all writes protobuf) or "json" (no protobuf).
	WriteContentType string
	AdminUserID      string
}

func ParseConfig(args []string, stderr io.Writer) (*Config, error) {
	c := &Config{}
	fs := flag.NewFlagSet("rancher-standin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Listen, "listen", "127.0.0.1:0", "HTTPS listen address (port 0 picks a free port)")
	fs.StringVar(&c.ControlListen, "control-listen", "127.0.0.1:0", "plain-HTTP test control listen address")
	fs.StringVar(&c.DataDir, "data-dir", "", "directory for ca.crt/ca.key/state.json (required)")
	fs.StringVar(&c.AdminToken, "admin-token", "", "API token accepted by the v3 API, e.g. token-abcde:secret (required)")
	fs.StringVar(&c.ServerURL, "server-url", "", "the server-url setting: own https URL for manifestUrl and CATTLE_SERVER (empty: registration token URLs stay empty, as in Rancher; \"auto\": https://<actual listen address>)")
	fs.DurationVar(&c.PingInterval, "ping-interval", 15*time.Second, "clusterconnected check interval (Steve /ping through stv-cluster-<id>)")
	fs.DurationVar(&c.HealthInterval, "health-interval", 15*time.Second, "healthsyncer interval (GET kube-system through the cluster tunnel)")
	fs.DurationVar(&c.TokenStatusDelay, "token-status-delay", 500*time.Millisecond, "delay before a registration token's manifestUrl/command fields are filled")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.AgentImage, "agent-image", "rancher/rancher-agent:v2.12.3", "image written into the cattle-cluster-agent Deployment")
	fs.StringVar(&c.CACertFile, "ca-cert", "", "use this CA certificate (PEM) instead of data-dir/ca.crt")
	fs.StringVar(&c.CAKeyFile, "ca-key", "", "use this CA key (PEM, ECDSA) instead of data-dir/ca.key")
	fs.DurationVar(&c.NamespaceDelay, "namespace-delay", time.Second, "delay before a new cluster's namespace c-xxxxx exists; until then POST /v3/clusterregistrationtokens for it answers 404 (0: at once)")
	fs.StringVar(&c.Kubectl, "kubectl", "", "kubectl binary for clusterdeploy (default: ${XDG_CACHE_HOME:-~/.cache}/scale-cluster-agent/kube-stack/bin/kubectl if present, else kubectl from PATH)")
	fs.IntVar(&c.KubectlTries, "kubectl-tries", 5, "kubectl apply tries per clusterdeploy attempt (Rancher: 5)")
	fs.DurationVar(&c.KubectlTryInterval, "kubectl-try-interval", 5*time.Second, "pause between kubectl apply tries (Rancher: 5s)")
	fs.StringVar(&c.WriteContentType, "write-content-type", "rancher", "downstream writes: rancher (typed client-go writes protobuf, wrangler-style writes JSON), protobuf (all protobuf) or json (all JSON)")
	fs.StringVar(&c.AdminUserID, "admin-user-id", "", "the admin token's user id (default: user-xxxxx generated once per data dir)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if c.DataDir == "" {
		return nil, fmt.Errorf("--data-dir is required")
	}
	if c.AdminToken == "" {
		return nil, fmt.Errorf("--admin-token is required")
	}
	if c.ServerURL != "" && c.ServerURL != "auto" {
		u, err := url.Parse(c.ServerURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, fmt.Errorf("--server-url must be an https URL, got %q", c.ServerURL)
		}
	}
	switch c.WriteContentType {
	case "rancher", "protobuf", "json":
	default:
		return nil, fmt.Errorf("--write-content-type must be rancher, protobuf or json, got %q", c.WriteContentType)
	}
	if c.KubectlTries < 1 || c.NamespaceDelay < 0 || c.KubectlTryInterval < 0 {
		return nil, fmt.Errorf("--kubectl-tries must be >= 1, --namespace-delay and --kubectl-try-interval >= 0")
	}
	if c.PingInterval <= 0 || c.HealthInterval <= 0 {
		return nil, fmt.Errorf("--ping-interval and --health-interval must be positive")
	}
	return c, nil
}
