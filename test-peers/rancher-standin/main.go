// Command rancher-standin is a test double for Rancher's imported-cluster
// flow: the v3 API for clusters and registration tokens, the import manifest,
// and the real remotedialer tunnel server with Rancher's authorizer chain and
// post-connect behaviour (downstream API through the tunnel, node totals,
// Steve ping, agent deploy, cluster state). See README.md.
package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"
	"k8s.io/klog/v2"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "rancher-standin:", err)
		os.Exit(1)
	}
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
		logrus.SetLevel(logrus.DebugLevel)
	case "warn", "warning":
		l = slog.LevelWarn
		logrus.SetLevel(logrus.WarnLevel)
	case "error":
		l = slog.LevelError
		logrus.SetLevel(logrus.ErrorLevel)
	default:
		l = slog.LevelInfo
		// remotedialer logs every connection at info; keep it for debug.
		logrus.SetLevel(logrus.WarnLevel)
	}
	logrus.SetOutput(w)
	h := slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})
	// client-go (reflector retries, watch errors) logs through klog: keep it
	// for debug, whatever level it thinks it logs at.
	klog.SetSlogLogger(slog.New(debugOnly{h}).With("source", "client-go"))
	return slog.New(h)
}

// debugOnly logs every record at debug level.
type debugOnly struct{ h slog.Handler }

func (d debugOnly) Enabled(ctx context.Context, _ slog.Level) bool {
	return d.h.Enabled(ctx, slog.LevelDebug)
}
func (d debugOnly) Handle(ctx context.Context, r slog.Record) error {
	r.Level = slog.LevelDebug
	return d.h.Handle(ctx, r)
}
func (d debugOnly) WithAttrs(as []slog.Attr) slog.Handler { return debugOnly{d.h.WithAttrs(as)} }
func (d debugOnly) WithGroup(n string) slog.Handler       { return debugOnly{d.h.WithGroup(n)} }

// run starts the stand-in and blocks until SIGTERM/SIGINT or POST /shutdown.
func run(args []string, stdout, stderr io.Writer) error {
	cfg, err := ParseConfig(args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, stderr)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	var hosts []string
	if cfg.ServerURL != "" && cfg.ServerURL != "auto" {
		u, _ := url.Parse(cfg.ServerURL)
		hosts = append(hosts, u.Hostname())
	}
	if h, _, err := net.SplitHostPort(cfg.Listen); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	pki, err := LoadOrCreatePKI(cfg.DataDir, cfg.CACertFile, cfg.CAKeyFile, hosts)
	if err != nil {
		return fmt.Errorf("PKI: %w", err)
	}
	store, err := NewStore(cfg.DataDir, log)
	if err != nil {
		return err
	}
	a, err := NewApp(cfg, log, store, pki)
	if err != nil {
		return err
	}

	mainLn, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	ctlLn, err := net.Listen("tcp", cfg.ControlListen)
	if err != nil {
		return err
	}
	a.listenURL = "https://" + mainLn.Addr().String()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.managers = NewManagers(ctx, a)
	stopSaver := make(chan struct{})
	saverDone := make(chan struct{})
	go func() { store.RunSaver(stopSaver); close(saverDone) }()

	// Resume what a restarted Rancher resumes.
	a.managers.StartExisting()
	for _, t := range store.Tokens("") {
		if !t.StatusFilled {
			a.scheduleTokenStatus(t.Token)
		}
	}

	mainSrv := &http.Server{
		Handler:           a.routes(),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{pki.ServerCert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	ctlSrv := &http.Server{Handler: a.controlRoutes(), ReadHeaderTimeout: 10 * time.Second}
	errs := make(chan error, 2)
	go func() { errs <- mainSrv.ServeTLS(mainLn, "", "") }()
	go func() { errs <- ctlSrv.Serve(ctlLn) }()

	fmt.Fprintf(stdout, "READY %s control=http://%s\n", a.listenURL, ctlLn.Addr().String())
	log.Info("listening", "url", a.listenURL, "control", "http://"+ctlLn.Addr().String(), "serverUrl", a.serverURL(), "dataDir", cfg.DataDir)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	select {
	case s := <-sigs:
		log.Info("shutting down", "signal", s.String())
	case <-a.shutdown:
		log.Info("shutting down", "reason", "control API")
	case err := <-errs:
		log.Error("server stopped", "err", err)
	}

	shutCtx, shutCancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer shutCancel()
	_ = mainSrv.Shutdown(shutCtx)
	// Hijacked tunnel connections are not closed by Shutdown.
	n := a.sessions.Drop(func(string) bool { return true })
	cancel()
	_ = ctlSrv.Shutdown(shutCtx)
	close(stopSaver)
	<-saverDone
	log.Info("stopped", "droppedSessions", n)
	return nil
}

func NewApp(cfg *Config, log *slog.Logger, store *Store, pki *PKI) (*App, error) {
	a := &App{cfg: cfg, log: log, store: store, pki: pki, sessions: NewSessionRegistry(), shutdown: make(chan struct{}, 1)}
	a.installUUID = installUUID(cfg.DataDir)
	a.adminUserID = adminUserIDFor(cfg.DataDir, cfg.AdminUserID)
	a.tokens = newTokenRegistry(cfg.AdminToken, a.adminUserID)
	a.authChain = chainAuthorizers(a.authorizeSteve, a.authorizeClusterAgent)
	a.tunnel = newTunnelServer(a)
	return a, nil
}

// installUUID is stable per data dir, like Rancher's install-uuid setting.
func installUUID(dataDir string) string {
	p := dataDir + "/install-uuid"
	if raw, err := os.ReadFile(p); err == nil && len(strings.TrimSpace(string(raw))) > 0 {
		return strings.TrimSpace(string(raw))
	}
	u := newUUID()
	_ = os.WriteFile(p, []byte(u+"\n"), 0o600)
	return u
}
