package main

// The test control API: plain HTTP on --control-listen (127.0.0.1 only, no
// auth). It lets tests observe what "Rancher" sees per cluster and break
// things on purpose. Paths and JSON are documented in README.md.

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

type ClusterStatus struct {
	ID                   string                        `json:"id"`
	Name                 string                        `json:"name"`
	State                string                        `json:"state"`
	Transitioning        string                        `json:"transitioning"`
	TransitioningMessage string                        `json:"transitioningMessage"`
	Conditions           []Condition                   `json:"conditions"`
	Driver               string                        `json:"driver"`
	APIEndpoint          string                        `json:"apiEndpoint"`
	NodeCount            int                           `json:"nodeCount"`
	Capacity             map[string]string             `json:"capacity"`
	Allocatable          map[string]string             `json:"allocatable"`
	Requested            map[string]string             `json:"requested"`
	Limits               map[string]string             `json:"limits"`
	Numeric              map[string]map[string]float64 `json:"numeric"`
	Version              map[string]string             `json:"version,omitempty"`
	Removing             bool                          `json:"removing"`
	HasMainSession       bool                          `json:"hasMainSession"`
	HasSteveSession      bool                          `json:"hasSteveSession"`
	NotReadyNodes        int                           `json:"notReadyNodes"` // downstream nodes whose Ready is not True
	Sessions             map[string]KeyStats           `json:"sessions"`      // "main" (key c-xxxxx) and "steve" (stv-cluster-c-xxxxx)
	Controllers          ManagerRuntime                `json:"controllers"`
	// NamespaceReady: the cluster's management namespace exists
	// (registration tokens can be created).
	NamespaceReady bool   `json:"namespaceReady"`
	SystemUserID   string `json:"systemUserId,omitempty"`
	// CRTBs: the cluster's ClusterRoleTemplateBindings with the remote
	// conditions cluster-crtb-sync recorded.
	CRTBs []CRTBStatus `json:"crtbs"`
}

func (a *App) clusterStatus(c Cluster) ClusterStatus {
	state, tr, msg := summarizeState(c.Conditions, c.Removing)
	numeric := c.Numeric
	if numeric == nil {
		numeric = map[string]map[string]float64{}
	}
	return ClusterStatus{
		ID: c.ID, Name: c.Name, State: state, Transitioning: tr, TransitioningMessage: msg,
		Conditions: c.Conditions, Driver: c.Driver, APIEndpoint: c.APIEndpoint, NodeCount: c.NodeCount,
		Capacity: nonNil(c.Capacity), Allocatable: nonNil(c.Allocatable), Requested: nonNil(c.Requested), Limits: nonNil(c.Limits),
		Numeric: numeric, Version: c.Version, Removing: c.Removing,
		HasMainSession:  a.tunnel.HasSession(c.ID),
		HasSteveSession: a.tunnel.HasSession(steveKeyPrefix + c.ID),
		Sessions: map[string]KeyStats{
			"main":  a.sessions.Stats(c.ID),
			"steve": a.sessions.Stats(steveKeyPrefix + c.ID),
		},
		Controllers:    a.managers.Runtime(c.ID),
		NotReadyNodes:  a.managers.Runtime(c.ID).NotReadyNodes,
		NamespaceReady: !c.NamespacePending,
		SystemUserID:   c.SystemUserID,
		CRTBs:          a.crtbStatuses(c),
	}
}

func (a *App) crtbStatuses(c Cluster) []CRTBStatus {
	if cm := a.managers.get(c.ID); cm != nil {
		return cm.CRTBs()
	}
	out := a.crtbsOf(c)
	for i := range out {
		out[i].RemoteConditions = []Condition{}
	}
	return out
}

// sessionMatcher selects client keys of one cluster (id != "") or all, by kind.
func sessionMatcher(id, kind string) func(string) bool {
	return func(key string) bool {
		isSteve := strings.HasPrefix(key, steveKeyPrefix)
		cluster := strings.TrimPrefix(key, steveKeyPrefix)
		if id != "" && cluster != id {
			return false
		}
		switch kind {
		case "main":
			return !isSteve
		case "steve":
			return isSteve
		}
		return true
	}
}

func (a *App) controlRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	mux.HandleFunc("GET /info", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"url": a.listenURL, "serverUrl": a.serverURL(), "caCert": a.pki.CAPEM, "caChecksum": a.pki.CAChecksum(),
			"pingInterval": a.cfg.PingInterval.String(), "healthInterval": a.cfg.HealthInterval.String(),
			"adminUserId": a.adminUserID, "kubectl": a.kubectlPath(), "namespaceDelay": a.cfg.NamespaceDelay.String(),
			"writeContentType": a.cfg.WriteContentType,
		})
	})
	mux.HandleFunc("GET /clusters", func(w http.ResponseWriter, r *http.Request) {
		// Per-connect timestamps are bulky at 1,000 clusters: only on request.
		withTimes := r.URL.Query().Get("connectTimes") == "true"
		out := []ClusterStatus{}
		for _, c := range a.store.List() {
			st := a.clusterStatus(c)
			if !withTimes {
				for k, v := range st.Sessions {
					v.ConnectTimes = nil
					st.Sessions[k] = v
				}
			}
			out = append(out, st)
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": out})
	})
	mux.HandleFunc("GET /clusters/{id}", func(w http.ResponseWriter, r *http.Request) {
		c, ok := a.store.Get(r.PathValue("id"))
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "cluster not found"})
			return
		}
		writeJSON(w, http.StatusOK, a.clusterStatus(c))
	})
	mux.HandleFunc("DELETE /clusters/{id}", func(w http.ResponseWriter, r *http.Request) {
		c, ok := a.deleteCluster(r.PathValue("id"))
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "cluster not found"})
			return
		}
		writeJSON(w, http.StatusAccepted, a.clusterStatus(c))
	})
	mux.HandleFunc("POST /clusters/{id}/drop-sessions", func(w http.ResponseWriter, r *http.Request) {
		n := a.sessions.Drop(sessionMatcher(r.PathValue("id"), r.URL.Query().Get("kind")))
		writeJSON(w, http.StatusOK, map[string]int{"dropped": n})
	})
	mux.HandleFunc("POST /clusters/{id}/probe", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Path           string  `json:"path"`
			TimeoutSeconds float64 `json:"timeoutSeconds"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || !strings.HasPrefix(body.Path, "/") ||
			body.TimeoutSeconds < 0 || body.TimeoutSeconds > 600 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": errProbePath.Error()})
			return
		}
		timeout := 60 * time.Second
		if body.TimeoutSeconds > 0 {
			timeout = time.Duration(body.TimeoutSeconds * float64(time.Second))
		}
		res, code := a.probe(r.Context(), r.PathValue("id"), body.Path, timeout)
		writeJSON(w, code, res)
	})
	mux.HandleFunc("POST /clusters/{id}/redeploy", func(w http.ResponseWriter, r *http.Request) {
		cm := a.managers.get(r.PathValue("id"))
		if cm == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "cluster not found or never connected"})
			return
		}
		cm.deployAgent()
		rt := a.managers.Runtime(cm.id)
		code := http.StatusOK
		if rt.LastDeployError != "" {
			code = http.StatusBadGateway
		}
		writeJSON(w, code, map[string]any{"applied": rt.DeployedObjects, "error": rt.LastDeployError})
	})
	mux.HandleFunc("POST /drop-sessions", func(w http.ResponseWriter, r *http.Request) {
		n := a.sessions.Drop(sessionMatcher("", r.URL.Query().Get("kind")))
		writeJSON(w, http.StatusOK, map[string]int{"dropped": n})
	})
	mux.HandleFunc("POST /refuse-tunnels", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Seconds  float64  `json:"seconds"`
			Mode     string   `json:"mode"`
			Kind     string   `json:"kind"`
			Clusters []string `json:"clusters"`
		}
		err := json.NewDecoder(r.Body).Decode(&body)
		targeted := body.Mode == "400" || body.Mode == "401"
		if err != nil || body.Seconds < 0 || (body.Mode != "" && body.Mode != "503" && body.Mode != "close" && !targeted) ||
			(body.Kind != "" && body.Kind != "main" && body.Kind != "steve") || (!targeted && (body.Kind != "" || len(body.Clusters) > 0)) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `body must be {"seconds": N, "mode": "503"|"close"} or {"seconds": N, "mode": "400"|"401", "kind"?: "main"|"steve", "clusters"?: ["c-xxxxx"]}`})
			return
		}
		if targeted {
			code := http.StatusBadRequest
			if body.Mode == "401" {
				code = http.StatusUnauthorized
			}
			until := a.refusals.Add(time.Duration(body.Seconds*float64(time.Second)), code, body.Kind, body.Clusters)
			writeJSON(w, http.StatusOK, map[string]any{"refuseUntil": until, "mode": body.Mode, "kind": body.Kind, "clusters": body.Clusters})
			return
		}
		if body.Mode == "" {
			body.Mode = "503"
		}
		until := a.sessions.Refuse(time.Duration(body.Seconds*float64(time.Second)), body.Mode)
		writeJSON(w, http.StatusOK, map[string]any{"refuseUntil": until, "mode": body.Mode})
	})
	mux.HandleFunc("POST /fail-api", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Seconds float64 `json:"seconds"`
			Code    int     `json:"code"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Seconds < 0 || (body.Code != 0 && (body.Code < 500 || body.Code > 599)) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `body must be {"seconds": N, "code"?: 500-599}`})
			return
		}
		if body.Code == 0 {
			body.Code = http.StatusServiceUnavailable
		}
		until := a.apiFailure.Set(time.Duration(body.Seconds*float64(time.Second)), body.Code)
		writeJSON(w, http.StatusOK, map[string]any{"failUntil": until, "code": body.Code})
	})
	mux.HandleFunc("POST /tamper-cacerts", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Value *string `json:"value"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Value == nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `body must be {"value": "<PEM>"} ("" serves the real CA again)`})
			return
		}
		a.cacertsOverride.Set(*body.Value)
		writeJSON(w, http.StatusOK, map[string]bool{"tampered": *body.Value != ""})
	})
	mux.HandleFunc("POST /fail-manifests", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Count int64 `json:"count"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Count < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `body must be {"count": N} with N >= 0`})
			return
		}
		a.manifestFailures.Store(body.Count)
		writeJSON(w, http.StatusOK, map[string]int64{"failing": body.Count})
	})
	mux.HandleFunc("GET /connects", func(w http.ResponseWriter, r *http.Request) {
		since := time.Time{}
		if s := r.URL.Query().Get("since"); s != "" {
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "since must be RFC 3339"})
				return
			}
			since = t
		}
		writeJSON(w, http.StatusOK, map[string]any{"events": a.sessions.Events(since)})
	})
	mux.HandleFunc("GET /summary", func(w http.ResponseWriter, r *http.Request) {
		byState := map[string]int{}
		clusters := a.store.List()
		for _, c := range clusters {
			s, _, _ := summarizeState(c.Conditions, c.Removing)
			byState[s]++
		}
		writeJSON(w, http.StatusOK, map[string]any{"clusters": len(clusters), "byState": byState, "tunnels": a.sessions.Summary()})
	})
	mux.HandleFunc("POST /shutdown", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "shutting down"})
		select {
		case a.shutdown <- struct{}{}:
		default:
		}
	})
	return mux
}
