package main

// /v3/clusterregistrationtokens. The token itself is written at create time
// (cluster_registration_store.go); manifestUrl and the command fields are
// filled later by a controller, and only while server-url is set
// (pkg/controllers/dashboard/clusterregistrationtoken/status.go).

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func (a *App) tokenResource(t RegistrationToken, base string) map[string]any {
	self := base + "/v3/clusterregistrationtokens/" + t.ID()
	res := map[string]any{
		"id": t.ID(), "type": "clusterRegistrationToken", "baseType": "clusterRegistrationToken",
		"name": t.Name, "namespaceId": t.ClusterID, "clusterId": t.ClusterID,
		"token": t.Token, "state": "active", "transitioning": "no", "transitioningMessage": "",
		"uuid": t.UUID, "created": t.Created, "createdTS": t.CreatedTS,
		"manifestUrl": "", "command": "", "insecureCommand": "",
		"nodeCommand": "", "insecureNodeCommand": "", "windowsNodeCommand": "", "insecureWindowsNodeCommand": "",
		"links":   map[string]string{"self": self, "update": self, "remove": self},
		"actions": map[string]string{},
	}
	server := a.serverURL()
	if t.StatusFilled && server != "" {
		manifest := manifestURL(server, t.Token, t.ClusterID)
		checksum := a.pki.CAChecksum()
		agent := a.cfg.AgentImage
		res["manifestUrl"] = manifest
		res["command"] = "kubectl apply -f " + manifest
		res["insecureCommand"] = "curl --insecure -sfL " + manifest + " | kubectl apply -f -"
		res["nodeCommand"] = fmt.Sprintf("sudo docker run -d --privileged --restart=unless-stopped --net=host -v /etc/kubernetes:/etc/kubernetes -v /var/run:/var/run  %s --server %s --token %s --ca-checksum %s", agent, server, t.Token, checksum)
		res["insecureNodeCommand"] = fmt.Sprintf("sudo docker run -d --privileged --restart=unless-stopped --net=host -v /etc/kubernetes:/etc/kubernetes -v /var/run:/var/run  %s --server %s --token %s", agent, server, t.Token)
		res["windowsNodeCommand"] = fmt.Sprintf(`PowerShell -NoLogo -NonInteractive -Command "& {docker run -v c:\:c:\host %s bootstrap --server %s --token %s --ca-checksum %s | iex}"`, agent, server, t.Token, checksum)
		res["insecureWindowsNodeCommand"] = fmt.Sprintf(`PowerShell -NoLogo -NonInteractive -Command "& {docker run -v c:\:c:\host %s bootstrap --server %s --token %s | iex}"`, agent, server, t.Token)
	}
	return res
}

// manifestURL is server-url with its path replaced by /v3/import/<token>_<cluster>.yaml.
func manifestURL(server, token, clusterID string) string {
	u, err := url.Parse(server)
	if err != nil {
		return strings.TrimRight(server, "/") + "/v3/import/" + token + "_" + clusterID + ".yaml"
	}
	u.Path = "/v3/import/" + token + "_" + clusterID + ".yaml"
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// scheduleTokenStatus emulates the asynchronous status controller.
func (a *App) scheduleTokenStatus(token string) {
	if a.serverURL() == "" {
		return
	}
	time.AfterFunc(a.cfg.TokenStatusDelay, func() { a.store.MarkTokenFilled(token) })
}

func (a *App) writeTokenCollection(w http.ResponseWriter, r *http.Request, clusterID string) {
	base := requestBase(r)
	var items []map[string]any
	var ids []string
	for _, t := range a.store.Tokens(clusterID) {
		items = append(items, a.tokenResource(t, base))
		ids = append(ids, t.ID())
	}
	page, p := paginate(r, base, items, ids)
	writeJSON(w, http.StatusOK, collection{
		Type: "collection", ResourceType: "clusterRegistrationToken",
		Links:       map[string]string{"self": base + r.URL.RequestURI()},
		CreateTypes: map[string]string{"clusterRegistrationToken": base + "/v3/clusterregistrationtokens"},
		Actions:     map[string]string{}, Pagination: p, Data: nonNilSlice(page),
	})
}

func (a *App) handleListTokens(w http.ResponseWriter, r *http.Request) {
	a.writeTokenCollection(w, r, r.URL.Query().Get("clusterId"))
}

func (a *App) handleListClusterTokens(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, ok := a.store.Get(id); !ok {
		writeNormanError(w, http.StatusNotFound, "NotFound", "clusters.management.cattle.io \""+id+"\" not found", "")
		return
	}
	a.writeTokenCollection(w, r, id)
}

func (a *App) handleGetToken(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	for _, t := range a.store.Tokens("") {
		if t.ID() == id {
			writeJSON(w, http.StatusOK, a.tokenResource(t, requestBase(r)))
			return
		}
	}
	writeNormanError(w, http.StatusNotFound, "NotFound", "clusterregistrationtokens.management.cattle.io \""+id+"\" not found", "")
}

func (a *App) handleCreateToken(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Type      string `json:"type"`
		ClusterID string `json:"clusterId"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeNormanError(w, http.StatusUnprocessableEntity, "InvalidBodyContent", "invalid JSON body: "+err.Error(), "")
		return
	}
	if body.ClusterID == "" {
		writeNormanError(w, http.StatusUnprocessableEntity, "MissingRequired", "clusterId is required", "clusterId")
		return
	}
	c, ok := a.store.Get(body.ClusterID)
	if !ok || c.Removing {
		writeNormanError(w, http.StatusUnprocessableEntity, "InvalidReference", "clusterId: unknown cluster "+body.ClusterID, "clusterId")
		return
	}
	if c.NamespacePending {
		// The CRT lives in the cluster's namespace: the API server's
		// NotFound, as norman's error store passes it on.
		writeNormanError(w, http.StatusNotFound, "NotFound", "namespaces \""+body.ClusterID+"\" not found", "")
		return
	}
	t, err := a.store.CreateToken(body.ClusterID)
	if err != nil {
		writeNormanError(w, http.StatusUnprocessableEntity, "InvalidReference", err.Error(), "clusterId")
		return
	}
	a.scheduleTokenStatus(t.Token)
	writeJSON(w, http.StatusCreated, a.tokenResource(t, requestBase(r)))
}
