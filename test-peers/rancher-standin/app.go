package main

// App wires the pieces together and owns the HTTP routes of the main
// (HTTPS, Rancher-facing) listener.

import (
	"log/slog"
	"net/http"
	"sync/atomic"

	"github.com/rancher/remotedialer"
)

type App struct {
	cfg         *Config
	log         *slog.Logger
	store       *Store
	pki         *PKI
	sessions    *SessionRegistry
	tunnel      *remotedialer.Server
	managers    *Managers
	authChain   tunnelAuthorizer
	installUUID string
	listenURL   string // https://<actual listen address>
	shutdown    chan struct{}
	// Import manifest downloads still to answer 404 (POST /fail-manifests):
	// how Rancher answers for a cluster it no longer has.
	manifestFailures atomic.Int64
	// Targeted tunnel refusals and a failing v3 API (control_refusals.go).
	refusals   TunnelRefusals
	apiFailure APIFailure
	// What GET /v3/settings/cacerts serves instead of the real CA (POST /tamper-cacerts).
	cacertsOverride CACertsOverride
	// The admin token and clusterdeploy's system tokens; the admin token's user.
	tokens      *tokenRegistry
	adminUserID string
}

// serverURL is Rancher's server-url setting ("" when unset).
func (a *App) serverURL() string {
	if a.cfg.ServerURL == "auto" {
		return a.listenURL
	}
	return a.cfg.ServerURL
}

func (a *App) routes() http.Handler {
	mux := http.NewServeMux()
	// Unauthenticated, as on Rancher's unauthed router.
	mux.HandleFunc("/v3/connect", a.handleTunnel)
	mux.HandleFunc("/v3/connect/register", a.handleTunnel)
	mux.HandleFunc("GET /v3/import/{file}", a.handleImportManifest)
	mux.HandleFunc("GET /v3/settings/cacerts", a.handleCACerts)
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("pong")) })
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })

	mux.HandleFunc("GET /v3/settings/{name}", a.requireAdmin(a.handleSetting))
	mux.HandleFunc("GET /v3/clusters", a.requireAdmin(a.handleListClusters))
	mux.HandleFunc("POST /v3/clusters", a.requireAdmin(a.handleCreateCluster))
	mux.HandleFunc("GET /v3/clusters/{id}", a.requireAdmin(a.handleGetCluster))
	mux.HandleFunc("DELETE /v3/clusters/{id}", a.requireAdmin(a.handleDeleteCluster))
	mux.HandleFunc("GET /v3/clusters/{id}/clusterregistrationtokens", a.requireAdmin(a.handleListClusterTokens))
	mux.HandleFunc("GET /v3/clusterregistrationtokens", a.requireAdmin(a.handleListTokens))
	mux.HandleFunc("POST /v3/clusterregistrationtokens", a.requireAdmin(a.handleCreateToken))
	mux.HandleFunc("GET /v3/clusterregistrationtokens/{id}", a.requireAdmin(a.handleGetToken))
	// Rancher's /k8s/clusters/<id> proxy (k8s_proxy.go): admin or system token.
	mux.HandleFunc("/k8s/clusters/", a.handleK8sProxy)
	mux.HandleFunc("/v3/", a.requireAdmin(func(w http.ResponseWriter, r *http.Request) {
		writeNormanError(w, http.StatusNotFound, "NotFound", "not implemented by the rancher stand-in: "+r.Method+" "+r.URL.Path, "")
	}))
	return mux
}

// handleCACerts serves the cacerts setting the agent's run.sh downloads
// and hashes (sha256(value + "\n") must equal CATTLE_CA_CHECKSUM).
func (a *App) handleCACerts(w http.ResponseWriter, r *http.Request) {
	value := a.pki.CAPEM
	if v, ok := a.cacertsOverride.get(); ok {
		value = v
	}
	writeJSON(w, http.StatusOK, a.settingResource("cacerts", value, r))
}

func (a *App) handleSetting(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	switch name {
	case "server-url":
		writeJSON(w, http.StatusOK, a.settingResource(name, a.serverURL(), r))
	case "server-version":
		writeJSON(w, http.StatusOK, a.settingResource(name, serverVersion, r))
	default:
		writeNormanError(w, http.StatusNotFound, "NotFound", "settings.management.cattle.io \""+name+"\" not found", "")
	}
}

func (a *App) settingResource(name, value string, r *http.Request) map[string]any {
	self := requestBase(r) + "/v3/settings/" + name
	return map[string]any{
		"id": name, "type": "setting", "baseType": "setting", "name": name,
		"value": value, "default": "", "customized": false, "source": "",
		"links": map[string]string{"self": self}, "actions": map[string]string{},
	}
}
