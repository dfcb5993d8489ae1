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
	if c.PingInterval <= 0 || c.HealthInterval <= 0 {
		return nil, fmt.Errorf("--ping-interval and --health-interval must be positive")
	}
	return c, nil
}
